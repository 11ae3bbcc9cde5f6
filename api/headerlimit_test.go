package api_test

import (
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/charter-registry/charter/api"
)

// Headers over --max-header-bytes are answered 431 with a Confluent-style
// JSON error body, not net/http's plain text, up to twice the limit; past
// that net/http refuses them itself (still 431).
func TestOversizedHeadersAnswer431JSON(t *testing.T) {
	h := newHarness(t)
	cfg := api.DefaultConnConfig()
	cfg.MaxHeaderBytes = 4096
	hs := h.srv.API.HTTPServer(cfg)
	// Cleanup waits for every connection to close: net/http lingers on
	// the one it refuses itself before closing it.
	var conns sync.WaitGroup
	track := hs.ConnState
	hs.ConnState = func(c net.Conn, st http.ConnState) {
		switch st {
		case http.StateNew:
			conns.Add(1)
		case http.StateClosed, http.StateHijacked:
			defer conns.Done()
		}
		track(c, st)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	t.Cleanup(func() {
		hs.Close()
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
		conns.Wait()
	})
	base := "http://" + ln.Addr().String()

	get := func(pad int) response {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, base+"/subjects", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Pad", strings.Repeat("a", pad))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var b strings.Builder
		buf := make([]byte, 4096)
		for {
			n, err := res.Body.Read(buf)
			b.WriteString(string(buf[:n]))
			if err != nil {
				break
			}
		}
		return response{status: res.StatusCode, body: []byte(b.String()), header: res.Header}
	}

	if r := get(3000); r.status != 200 {
		t.Fatalf("headers under the limit: %d %s", r.status, r.body)
	}
	r := get(5000)
	if r.status != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("headers over the limit: %d %s", r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/vnd.schemaregistry.v1+json" {
		t.Errorf("431 Content-Type %q", ct)
	}
	if code := r.errorCode(t); code != 431 {
		t.Errorf("431 error_code %d: %s", code, r.body)
	}
	if !strings.Contains(string(r.body), "over the limit of 4096 bytes") {
		t.Errorf("431 message: %s", r.body)
	}
	if r := get(20000); r.status != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("headers far over the limit: %d %s", r.status, r.body)
	}
}
