package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// The benchmark relies on this: all calls at once share the one connection opened beforehand
// (as the aggregator's do) while the server's stream limit allows (Go's server: 250; beyond it the
// transport waits for a stream or dials, either way every call is answered), every call carries
// the identity headers, and a refusal is counted.
func TestConcurrentCallsShareOneH2Connection(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			return
		}
		body, _ := io.ReadAll(r.Body)
		if r.ProtoMajor != 2 || len(r.Header["X-Remote-Group"]) != 2 || r.Header.Get("X-Remote-User") != "u" {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		calls.Add(1)
		time.Sleep(20 * time.Millisecond) // calls overlap, as challenges waiting on DNS do
		w.WriteHeader(http.StatusCreated)
		if string(body) == `{"fail":true}` {
			fmt.Fprint(w, `{"response":{"success":false,"status":{"reason":"no"}}}`)
			return
		}
		fmt.Fprint(w, `{"response":{"success":true}}`)
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()

	client := srv.Client()
	hs := headers{{"X-Remote-User", "u"}, {"X-Remote-Group", "a"}, {"X-Remote-Group", "b"}}
	if _, err := open(client, srv.URL+"/post", "/apis", hs); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ calls, connections int }{{200, 1}, {300, 0}} {
		calls.Store(0)
		bodies := make([]string, c.calls)
		for i := range bodies {
			bodies[i] = fmt.Sprintf(`{"i":%d}`, i)
		}
		bodies[7] = `{"fail":true}`
		outs, t0 := run(client, srv.URL+"/post", hs, bodies, true, 201)
		r := summarize("concurrent", outs, t0, time.Since(t0), 0, true)

		if (c.connections > 0 && r.Connections != c.connections) || r.Status[201] != c.calls || int(calls.Load()) != c.calls {
			t.Fatalf("want %d answers of 201 over %d connection(s) (0: any), got %+v", c.calls, c.connections, r)
		}
		if r.Failures != 1 || r.Reasons["success false: no"] != 1 || len(r.LatenciesUs) != c.calls {
			t.Fatalf("want the one success:false counted, got %+v", r)
		}
		if r.WallMs > 2000 {
			t.Fatalf("%d overlapping 20 ms calls took %.0f ms: not concurrent", c.calls, r.WallMs)
		}
	}
}
