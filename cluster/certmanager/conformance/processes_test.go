package conformance

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// javaProcess is one packaged jar running as a process of its own, its output in a log file.
type javaProcess struct {
	name    string
	log     string
	cmd     *exec.Cmd
	done    chan struct{}
	stopped sync.Once
}

var (
	processesMu sync.Mutex
	processes   []*javaProcess
)

// startJava runs `java @<module>/jvm.options -jar jar` as the container image does (the image's
// JVM flags sit beside the module's target/ folder), with only the given variables added to this
// process's environment.
func startJava(name, jar string, vars map[string]string) (*javaProcess, error) {
	logPath := filepath.Join(env.logDir, sanitize(name)+".log")
	out, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, err
	}
	jvmOptions := filepath.Join(filepath.Dir(filepath.Dir(jar)), "jvm.options")
	cmd := exec.Command(env.java, "@"+jvmOptions, "-jar", jar)
	cmd.Env = os.Environ()
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdout = out
	cmd.Stderr = out
	// its own process group, so that stopping it never signals the test
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		out.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	p := &javaProcess{name: name, log: logPath, cmd: cmd, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		out.Close()
		close(p.done)
	}()
	processesMu.Lock()
	processes = append(processes, p)
	processesMu.Unlock()
	fmt.Printf("conformance: started %s (pid %d), log %s\n", name, cmd.Process.Pid, logPath)
	return p, nil
}

func (p *javaProcess) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM (the JVM drains and exits) and SIGKILL after 15 s; it returns once the
// process is gone.
func (p *javaProcess) stop() {
	p.stopped.Do(func() {
		if p.exited() {
			return
		}
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(15 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	<-p.done
}

// tail is the end of the process's log, for failure messages.
func (p *javaProcess) tail(lines int) string {
	data, err := os.ReadFile(p.log)
	if err != nil {
		return err.Error()
	}
	all := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return "\n" + strings.Join(all, "\n")
}

// stopAllProcesses stops whatever is still running when the tests end.
func stopAllProcesses() {
	processesMu.Lock()
	defer processesMu.Unlock()
	for _, p := range processes {
		p.stop()
	}
}

func sanitize(name string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == ' ' {
			return '_'
		}
		return r
	}, name)
}

// stopLeftoverChildren ends the processes this test process started that are still running. When
// the solver's Initialize fails, the fixture's setup calls t.Fatalf before it hands back the
// function that stops the control plane, so envtest's etcd and kube-apiserver (each in a process
// group of its own) would outlive the test. Only direct children, by their pid.
func stopLeftoverChildren() {
	self := os.Getpid()
	var children []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...; comm may hold spaces, so read after the last ')'
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(fields) > 1 && fields[1] == strconv.Itoa(self) {
			children = append(children, pid)
		}
	}
	if len(children) == 0 {
		return
	}
	fmt.Printf("conformance: stopping %d process(es) left running: %v\n", len(children), children)
	for _, pid := range children {
		_ = syscall.Kill(pid, syscall.SIGTERM)
	}
	deadline := time.Now().Add(20 * time.Second)
	for _, pid := range children {
		for time.Now().Before(deadline) && syscall.Kill(pid, 0) == nil && !zombie(pid) {
			time.Sleep(100 * time.Millisecond)
		}
		if syscall.Kill(pid, 0) == nil && !zombie(pid) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// zombie tells whether the process has exited and waits only for its parent (us) to reap it.
func zombie(pid int) bool {
	stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return true
	}
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	return len(fields) > 0 && fields[0] == "Z"
}
