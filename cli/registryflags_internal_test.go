package cli

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charter-registry/charter/confluent"
)

func TestRegistryFlagsRejectBadURLsAndAuth(t *testing.T) {
	for _, u := range []string{"localhost:8081", "ftp://x", "http://", "http://user:pw@host"} {
		f := registryFlags{url: u}
		if _, err := f.client(); err == nil {
			t.Errorf("--registry %q accepted", u)
		} else if ec := (interface{ ExitCode() int })(nil); !asExit(err, &ec) || ec.ExitCode() != ExitUsage {
			t.Errorf("--registry %q: %v does not exit with the usage code", u, err)
		}
	}
	f := registryFlags{url: "http://h", user: "u", password: "p", token: "t"}
	if _, err := f.client(); err == nil {
		t.Error("basic auth and a token together were accepted")
	}
	for _, bad := range []registryFlags{{url: "http://h", retries: -1}, {url: "http://h", backoff: -time.Second}, {url: "http://h", cacheTTL: -time.Second}} {
		if _, err := bad.client(); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
	if u, err := registryURL(" http://h:1/prefix/ "); err != nil || u != "http://h:1/prefix" {
		t.Errorf("registryURL = %q, %v", u, err)
	}
}

// TestRetriesAndCachingFollowTheFlags: without --retries a failing request
// is sent once, with it again; --cache-ttl lets a latest answer be reused.
func TestRetriesAndCachingFollowTheFlags(t *testing.T) {
	var mu sync.Mutex
	calls := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls[r.URL.Path]++
		mu.Unlock()
		if strings.HasPrefix(r.URL.Path, "/subjects/down") {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"error_code":50301,"message":"down"}`))
			return
		}
		_, _ = w.Write([]byte(`{"subject":"s","version":1,"id":1,"schema":"\"int\""}`))
	}))
	t.Cleanup(srv.Close)
	count := func(path string) int {
		mu.Lock()
		defer mu.Unlock()
		return calls[path]
	}
	ctx := context.Background()

	once := registryFlags{url: srv.URL, timeout: 30 * time.Second, backoff: time.Millisecond}
	c, err := once.client()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Latest(ctx, "down"); err == nil {
		t.Fatal("a 503 answer succeeded")
	}
	if n := count("/subjects/down/versions/latest"); n != 1 {
		t.Errorf("without --retries: %d requests, want 1", n)
	}
	for range 2 {
		if _, err := c.Latest(ctx, "s"); err != nil {
			t.Fatal(err)
		}
	}
	if n := count("/subjects/s/versions/latest"); n != 2 {
		t.Errorf("without --cache-ttl: %d requests for two latest lookups, want 2", n)
	}

	retried := registryFlags{url: srv.URL, timeout: 30 * time.Second, retries: 2, backoff: time.Millisecond, cacheTTL: time.Hour}
	c, err = retried.client()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Latest(ctx, "down"); err == nil {
		t.Fatal("a 503 answer succeeded")
	}
	if n := count("/subjects/down/versions/latest"); n != 1+3 {
		t.Errorf("with --retries 2: %d requests in all, want 1 + 3", n)
	}
	for range 2 {
		if _, err := c.Latest(ctx, "s"); err != nil {
			t.Fatal(err)
		}
	}
	if n := count("/subjects/s/versions/latest"); n != 3 {
		t.Errorf("with --cache-ttl: %d requests in all, want 3", n)
	}
}

// TestRegisterLooksUpTheVersionWhenOnlyAnIDComesBack: a registry that
// answers a registration with the id alone (as older Confluent releases
// do) gets a lookup for the version.
func TestRegisterLooksUpTheVersionWhenOnlyAnIDComesBack(t *testing.T) {
	type req struct{ method, path, query, ctype string }
	var mu sync.Mutex
	var log []req
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		mu.Lock()
		log = append(log, req{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Get("Content-Type")})
		mu.Unlock()
		if strings.HasSuffix(r.URL.Path, "/versions") {
			_, _ = w.Write([]byte(`{"id":5}`))
			return
		}
		_, _ = w.Write([]byte(`{"subject":"s","version":2,"id":5,"schema":"x"}`))
	}))
	t.Cleanup(srv.Close)
	f := registryFlags{url: srv.URL}
	c, err := f.client()
	if err != nil {
		t.Fatal(err)
	}
	s, err := register(context.Background(), c, "s", confluent.Schema{Schema: "x", SchemaType: "JSON"}, true)
	if err != nil {
		t.Fatal(err)
	}
	if s.Version != 2 || s.ID != 5 || s.Subject != "s" {
		t.Errorf("%+v", s)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(log) != 2 || log[0].query != "normalize=true" || log[0].ctype != "application/vnd.schemaregistry.v1+json" || log[1].method != "POST" || log[1].path != "/subjects/s" {
		t.Errorf("%+v", log)
	}
}
