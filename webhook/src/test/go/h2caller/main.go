// Command h2caller POSTs request bodies to the webhook the way kube-apiserver's aggregator
// forwards cert-manager's calls: Go's HTTP/2 client over TLS, the front-proxy client certificate,
// the X-Remote-* identity headers, every call a stream of one connection.
//
// WebhookBenchmark runs it as a separate process (issue 11): on the 2-core benchmark machine the
// in-process Java h2 clients cost more CPU than the webhook they called, so the concurrent rows
// measured the client as much as the webhook. kube-apiserver's Go client costs little, and this
// is the same client code (net/http's bundled copy of golang.org/x/net/http2).
//
// Output: with -wait, "ready" once the connection is open, then it waits for a line on stdin, so
// the benchmark can read the webhook's CPU counters right before the calls; then one line of JSON.
// Failed calls are counted in that line, not in the exit code (2: the calls could not be made).
package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// headers collects repeated -H "Name: value" flags; X-Remote-Group comes once per group, as the
// front proxy sends it.
type headers [][2]string

func (h *headers) String() string { return fmt.Sprint(*h) }

func (h *headers) Set(v string) error {
	name, value, ok := strings.Cut(v, ":")
	if !ok {
		return fmt.Errorf("header %q is not Name: value", v)
	}
	*h = append(*h, [2]string{strings.TrimSpace(name), strings.TrimSpace(value)})
	return nil
}

// outcome of one call. reason is "" for a success.
type outcome struct {
	latency time.Duration
	status  int // 0: no answer
	reason  string
	wrote   time.Time // when the request's last frame was written
	conn    string    // local address of the connection it went over
}

type result struct {
	Mode     string  `json:"mode"`
	Requests int     `json:"requests"`
	WallMs   float64 `json:"wall_ms"`
	// when the last request had been written out: a wall far above it is the server's time
	SentMs      float64            `json:"sent_ms"`
	LatencyMs   map[string]float64 `json:"latency_ms"`
	Status      map[int]int        `json:"status"` // 0: no answer
	Failures    int                `json:"failures"`
	Reasons     map[string]int     `json:"failure_reasons,omitempty"`
	Connections int                `json:"connections"`
	// the TLS cipher suite the server chose: the record encryption is much of a call's cost
	CipherSuite string `json:"cipher_suite"`
	// this process's user+system CPU over the calls: what the caller cost, apart from the server
	CallerCPUMs float64 `json:"caller_cpu_ms"`
	LatenciesUs []int64 `json:"latencies_us,omitempty"` // in body order
}

func main() {
	var hs headers
	target := flag.String("url", "", "the URL to POST each body to")
	openPath := flag.String("open-path", "/apis", "path GET once before measuring, to open the connection (and its TLS handshake) outside the measured calls")
	certFile := flag.String("cert", "", "client certificate PEM (the front-proxy client certificate)")
	keyFile := flag.String("key", "", "client private key PEM")
	caFile := flag.String("cacert", "", "CA PEM that issued the server's certificate")
	flag.Var(&hs, "H", "extra header \"Name: value\", repeatable")
	bodiesFile := flag.String("bodies", "", "file of request bodies, one JSON document a line")
	mode := flag.String("mode", "concurrent", "concurrent: all bodies at once; sequential: one at a time")
	expect := flag.Int("expect-status", 201, "the status every answer must have")
	timeout := flag.Duration("timeout", 60*time.Second, "per-request timeout (kube-apiserver's default)")
	wait := flag.Bool("wait", false, "print \"ready\" when connected and wait for a line on stdin before the calls")
	latencies := flag.Bool("latencies", false, "include every call's latency in the result")
	flag.Parse()

	bodies, err := readLines(*bodiesFile)
	if err == nil && (*target == "" || (*mode != "concurrent" && *mode != "sequential")) {
		err = errors.New("-url and -mode concurrent|sequential are required")
	}
	var client *http.Client
	if err == nil {
		client, err = newClient(*certFile, *keyFile, *caFile, *timeout)
	}
	var suite string
	if err == nil {
		suite, err = open(client, *target, *openPath, hs)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "h2caller:", err)
		os.Exit(2)
	}
	if *wait {
		fmt.Println("ready")
		if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
			fmt.Fprintln(os.Stderr, "h2caller: no go-ahead on stdin:", err)
			os.Exit(2)
		}
	}

	cpu0 := cpuTime()
	outs, t0 := run(client, *target, hs, bodies, *mode == "concurrent", *expect)
	wall := time.Since(t0)
	cpu := cpuTime() - cpu0

	r := summarize(*mode, outs, t0, wall, cpu, *latencies)
	r.CipherSuite = suite
	if err := json.NewEncoder(os.Stdout).Encode(r); err != nil {
		os.Exit(2)
	}
}

// run makes the calls and returns their outcomes in body order and when the first was made.
func run(client *http.Client, target string, hs headers, bodies []string, concurrent bool, expect int) ([]outcome, time.Time) {
	outs := make([]outcome, len(bodies))
	if !concurrent {
		t0 := time.Now()
		for i, b := range bodies {
			outs[i] = call(client, target, hs, b, expect)
		}
		return outs, t0
	}
	// every goroutine waits at the gate, so the calls start together as the aggregator's do when
	// cert-manager's workers fire; the transport multiplexes them over the open connection and
	// dials another only if the server's stream limit is reached
	gate := make(chan struct{})
	var wg sync.WaitGroup
	for i, b := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			outs[i] = call(client, target, hs, b, expect)
		}()
	}
	t0 := time.Now()
	close(gate)
	wg.Wait()
	return outs, t0
}

func readLines(file string) ([]string, error) {
	if file == "" {
		return nil, errors.New("-bodies is required")
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s has no bodies", file)
	}
	return out, nil
}

// newClient is set up as apimachinery's SetTransportDefaults leaves kube-apiserver's proxy
// transport: HTTP/2 forced on (a TLS config of one's own turns net/http's automatic h2 off), its
// handshake and idle timeouts and idle-connection cap, its h2 health-check pings.
func newClient(certFile, keyFile, caFile string, timeout time.Duration) (*http.Client, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	ca, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(ca) {
		return nil, fmt.Errorf("no certificate in %s", caFile)
	}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			TLSClientConfig:     &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: roots},
			ForceAttemptHTTP2:   true,
			TLSHandshakeTimeout: 10 * time.Second,
			IdleConnTimeout:     90 * time.Second,
			MaxIdleConnsPerHost: 25,
			HTTP2:               &http.HTTP2Config{SendPingTimeout: 30 * time.Second, PingTimeout: 15 * time.Second},
		},
	}, nil
}

// open makes the connection the calls will share (and learns the server's stream limit from its
// SETTINGS), so neither the dial nor the handshake is in the figures, as with a long-running
// kube-apiserver.
func open(client *http.Client, target, path string, hs headers) (string, error) {
	u, err := url.Parse(target)
	if err != nil {
		return "", err
	}
	u.Path, u.RawQuery = path, ""
	req, err := http.NewRequest(http.MethodGet, u.String(), nil)
	if err != nil {
		return "", err
	}
	addHeaders(req, hs)
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return "", err
	}
	if resp.ProtoMajor != 2 {
		return "", fmt.Errorf("the connection speaks %s, not h2", resp.Proto)
	}
	if resp.TLS == nil {
		return "", nil
	}
	return tls.CipherSuiteName(resp.TLS.CipherSuite), nil
}

func addHeaders(req *http.Request, hs headers) {
	for _, h := range hs {
		req.Header.Add(h[0], h[1])
	}
}

func call(client *http.Client, target string, hs headers, body string, expect int) outcome {
	var o outcome
	// the trace hooks may run on the transport's goroutines
	var mu sync.Mutex
	trace := &httptrace.ClientTrace{
		GotConn: func(i httptrace.GotConnInfo) {
			mu.Lock()
			o.conn = i.Conn.LocalAddr().String()
			mu.Unlock()
		},
		WroteRequest: func(httptrace.WroteRequestInfo) {
			mu.Lock()
			o.wrote = time.Now()
			mu.Unlock()
		},
	}
	start := time.Now()
	ctx := httptrace.WithClientTrace(context.Background(), trace)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(body))
	if err != nil {
		o.reason = err.Error()
		return o
	}
	addHeaders(req, hs)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, */*")
	resp, err := client.Do(req)
	var data []byte
	if err == nil {
		data, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	o.latency = time.Since(start)
	mu.Lock()
	defer mu.Unlock()
	switch {
	case err != nil:
		o.reason = "no answer: " + err.Error()
	case resp.ProtoMajor != 2:
		o.status = resp.StatusCode
		o.reason = "answered over " + resp.Proto
	case resp.StatusCode != expect:
		o.status = resp.StatusCode
		o.reason = "HTTP " + resp.Status
	default:
		o.status = resp.StatusCode
		o.reason = challengeFailure(data)
	}
	return o
}

// challengeFailure reads a ChallengePayload answer: a 201 can still carry success: false.
func challengeFailure(data []byte) string {
	var answer struct {
		Response *struct {
			Success bool `json:"success"`
			Status  *struct {
				Reason string `json:"reason"`
			} `json:"status"`
		} `json:"response"`
	}
	if err := json.Unmarshal(data, &answer); err != nil || answer.Response == nil {
		return "not a ChallengePayload answer"
	}
	if answer.Response.Success {
		return ""
	}
	if answer.Response.Status != nil {
		return "success false: " + answer.Response.Status.Reason
	}
	return "success false"
}

func summarize(mode string, outs []outcome, t0 time.Time, wall, cpu time.Duration, all bool) result {
	r := result{
		Mode:        mode,
		Requests:    len(outs),
		WallMs:      ms(wall),
		Status:      map[int]int{},
		Reasons:     map[string]int{},
		CallerCPUMs: ms(cpu),
	}
	sorted := make([]time.Duration, len(outs))
	conns := map[string]bool{}
	var lastWrote time.Time
	for i, o := range outs {
		sorted[i] = o.latency
		r.Status[o.status]++
		if o.reason != "" {
			r.Failures++
			r.Reasons[o.reason]++
		}
		if o.conn != "" {
			conns[o.conn] = true
		}
		if o.wrote.After(lastWrote) {
			lastWrote = o.wrote
		}
		if all {
			r.LatenciesUs = append(r.LatenciesUs, o.latency.Microseconds())
		}
	}
	r.Connections = len(conns)
	if !lastWrote.IsZero() {
		r.SentMs = ms(lastWrote.Sub(t0))
	}
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	n := len(sorted)
	// the same index arithmetic as WebhookBenchmark's Java rows (p50 = sorted[n/2])
	r.LatencyMs = map[string]float64{
		"p50": ms(sorted[n/2]),
		"p95": ms(sorted[n*95/100]),
		"p99": ms(sorted[n*99/100]),
		"max": ms(sorted[n-1]),
	}
	return r
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// cpuTime is this process's user plus system CPU so far (getrusage: Linux and the BSDs).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
