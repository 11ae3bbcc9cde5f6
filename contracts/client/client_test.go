package client_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/charter-registry/charter/contracts/client"
)

func newClient(t *testing.T, h http.HandlerFunc, opts ...client.Opt) (*client.Client, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	cl, err := client.New(append([]client.Opt{client.URLs(srv.URL), client.Backoff(time.Millisecond, 5*time.Millisecond)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return cl, &calls
}

func TestRetriesServerErrorsThenSucceeds(t *testing.T) {
	var n atomic.Int32
	cl, calls := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= 2 {
			http.Error(w, `{"error_code":50001,"message":"store down"}`, http.StatusInternalServerError)
			return
		}
		_, _ = w.Write([]byte(`{"schema":"\"string\""}`))
	})
	s, err := cl.SchemaByID(context.Background(), 3)
	if err != nil {
		t.Fatal(err)
	}
	if s.ID != 3 || s.Schema != `"string"` || calls.Load() != 3 {
		t.Fatalf("schema %+v after %d calls", s, calls.Load())
	}
}

func TestGivesUpAfterRetriesWithTheServerCode(t *testing.T) {
	cl, calls := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"error_code":50003,"message":"not ready"}`))
	}, client.Retries(2))
	_, err := cl.Latest(context.Background(), "s")
	var re *client.ResponseError
	if !errors.As(err, &re) || re.ErrorCode != 50003 || re.Message != "not ready" || re.StatusCode != 503 {
		t.Fatalf("err = %v", err)
	}
	if calls.Load() != 3 {
		t.Fatalf("%d calls, want 1 + 2 retries", calls.Load())
	}
}

func TestClientErrorsAreNotRetried(t *testing.T) {
	cl, calls := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"error_code":40403,"message":"Schema 9 not found"}`))
	})
	_, err := cl.SchemaByID(context.Background(), 9)
	if client.Code(err) != client.CodeSchemaNotFound || !errors.Is(err, client.ErrNotFound) || !strings.Contains(err.Error(), "Schema 9 not found") {
		t.Fatalf("err = %v", err)
	}
	if calls.Load() != 1 {
		t.Fatalf("%d calls for a 404", calls.Load())
	}
}

func TestNonJSONErrorKeepsStatusAndBody(t *testing.T) {
	cl, _ := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "teapot", http.StatusTeapot)
	})
	_, err := cl.SchemaByID(context.Background(), 1)
	var re *client.ResponseError
	if !errors.As(err, &re) || re.ErrorCode != http.StatusTeapot || !strings.Contains(re.Message, "teapot") {
		t.Fatalf("err = %v", err)
	}
}

func TestNetworkErrorsAreRetriedOnTheNextURL(t *testing.T) {
	good := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"schema":"\"int\""}`))
	}))
	defer good.Close()
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	cl, err := client.New(client.URLs(deadURL, good.URL), client.Backoff(time.Millisecond, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if s, err := cl.SchemaByID(context.Background(), 1); err != nil || s.Schema != `"int"` {
		t.Fatalf("schema %v, %v", s, err)
	}
}

func TestAuthHeaders(t *testing.T) {
	var got atomic.Value
	h := func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Header.Get("Authorization"))
		_, _ = w.Write([]byte(`{"schema":"\"int\""}`))
	}
	cl, _ := newClient(t, h, client.BasicAuth("alice", "s3cret"))
	if _, err := cl.SchemaByID(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	if got.Load() != "Basic YWxpY2U6czNjcmV0" {
		t.Fatalf("basic auth header %q", got.Load())
	}
	cl, _ = newClient(t, h, client.BearerToken("tok"))
	if _, err := cl.SchemaByID(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	if got.Load() != "Bearer tok" {
		t.Fatalf("bearer header %q", got.Load())
	}
	if _, err := client.New(client.BasicAuth("a", "b"), client.BearerToken("t")); err == nil {
		t.Fatal("basic and bearer auth together were accepted")
	}
}

// countingTransport counts the requests the client sends, whether or not
// they reach the server before their deadline.
type countingTransport struct{ n atomic.Int32 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

func TestTimeoutBoundsEachAttempt(t *testing.T) {
	release := make(chan struct{})
	sent := &countingTransport{}
	cl, _ := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}, client.Timeout(20*time.Millisecond), client.Retries(1), client.HTTPClient(&http.Client{Transport: sent}))
	defer close(release)
	_, err := cl.SchemaByID(context.Background(), 1)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a deadline", err)
	}
	// Counted as sent rather than as served: on a busy machine the second
	// attempt's 20 ms can run out before the server sees it.
	if got := sent.n.Load(); got != 2 {
		t.Fatalf("%d attempts, want 2", got)
	}
}

func TestCacheAndConcurrency(t *testing.T) {
	cl, calls := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/schemas/ids/"):
			_, _ = w.Write([]byte(`{"schema":"\"int\""}`))
		case strings.HasSuffix(r.URL.Path, "/versions/latest"):
			_, _ = w.Write([]byte(`{"subject":"s","version":2,"id":5,"schema":"\"int\""}`))
		case r.URL.Path == "/subjects/s/metadata":
			if r.URL.Query().Get("key") != "owner" || r.URL.Query().Get("value") != "team-a" {
				http.Error(w, `{"error_code":40401,"message":"no"}`, 404)
				return
			}
			_, _ = w.Write([]byte(`{"subject":"s","version":1,"id":4,"schema":"\"int\"","metadata":{"properties":{"owner":"team-a"}}}`))
		default:
			http.NotFound(w, r)
		}
	})
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := 1; id <= 10; id++ {
				if _, err := cl.SchemaByID(ctx, id); err != nil {
					t.Error(err)
				}
			}
			if s, err := cl.Latest(ctx, "s"); err != nil || s.ID != 5 {
				t.Error(s, err)
			}
			if s, err := cl.LatestWithMetadata(ctx, "s", map[string]string{"owner": "team-a"}); err != nil || s.ID != 4 {
				t.Error(s, err)
			}
		}()
	}
	wg.Wait()
	before := calls.Load()
	for id := 1; id <= 10; id++ {
		if _, err := cl.SchemaByID(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := cl.Latest(ctx, "s"); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != before {
		t.Fatalf("cached lookups made %d requests", calls.Load()-before)
	}
	allocs := testing.AllocsPerRun(100, func() { _, _ = cl.SchemaByID(ctx, 7) })
	if allocs != 0 {
		t.Fatalf("a cache hit allocates %v times", allocs)
	}
}

// Header goes with every request, beside the client's own headers, which
// it does not replace.
func TestHeaderGoesWithEveryRequest(t *testing.T) {
	var mu sync.Mutex
	var got []http.Header
	cl, _ := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Header.Clone())
		mu.Unlock()
		_, _ = w.Write([]byte(`[1]`))
	}, client.Header("Confluent-Schema-Exporter-Name", "dr"), client.Header("X-Extra", "a"), client.Header("X-Extra", "b"),
		client.Header("User-Agent", "ignored"), client.UserAgent("mine"))
	if _, err := cl.Versions(context.Background(), "s"); err != nil {
		t.Fatal(err)
	}
	if err := cl.DeleteMode(context.Background(), "s"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 {
		t.Fatalf("%d requests, want 2", len(got))
	}
	for i, h := range got {
		if h.Get("Confluent-Schema-Exporter-Name") != "dr" || strings.Join(h.Values("X-Extra"), ",") != "a,b" || h.Get("User-Agent") != "mine" {
			t.Errorf("request %d headers %v: want the exporter name, X-Extra a and b, and the client's User-Agent", i, h)
		}
	}
}
