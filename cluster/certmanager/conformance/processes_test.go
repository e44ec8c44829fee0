package conformance

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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

// startJava runs `java -jar jar` the way the container image does, with only the given variables
// added to this process's environment.
func startJava(name, jar string, vars map[string]string) (*javaProcess, error) {
	logPath := filepath.Join(env.logDir, sanitize(name)+".log")
	out, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(env.java, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", jar)
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
