package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charter-registry/charter"
	"github.com/charter-registry/charter/api"
	// The formats charter.Formats() will list once they are finished: the
	// blank imports keep their dependencies in this module's go.sum, so the
	// tests keep building (with -mod=readonly) the day they are switched on.
	_ "github.com/charter-registry/charter/compat/jsonschema"
	_ "github.com/charter-registry/charter/compat/protobuf"
	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/storage/memory"
)

// registryServer is one charter instance, on its own in-memory log and its
// own loopback port, for one test.
type registryServer struct {
	URL string
	rec *recorder
}

// startRegistry starts charter the way `charter serve` wires it, minus the
// durable log, and stops it when the test ends. Every exchange the test's
// clients make through HTTPClient is printed if the test fails, so a failure
// shows the exact request and response the client disagreed with.
func startRegistry(t *testing.T) *registryServer {
	t.Helper()
	svc, err := registry.NewService(registry.ServiceConfig{Log: memory.New(), Formats: charter.Formats()})
	if err != nil {
		t.Fatalf("registry.NewService: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	readyCtx, readyCancel := context.WithTimeout(ctx, 10*time.Second)
	defer readyCancel()
	if err := svc.WaitReady(readyCtx); err != nil {
		cancel()
		<-done
		t.Fatalf("registry did not become ready: %v", err)
	}
	hs := httptest.NewServer(api.New(svc, api.Config{}).Handler())
	transport := http.DefaultTransport.(*http.Transport).Clone()
	rs := &registryServer{URL: hs.URL, rec: &recorder{next: transport}}
	t.Cleanup(func() {
		transport.CloseIdleConnections()
		hs.Close()
		cancel()
		<-done
		if t.Failed() {
			rs.rec.dump(t)
		}
	})
	return rs
}

// HTTPClient returns a client whose exchanges are recorded for the failure
// report.
func (s *registryServer) HTTPClient() *http.Client {
	return &http.Client{Transport: s.rec, Timeout: 30 * time.Second}
}

// types returns the schema types the server lists at GET /schemas/types.
func (s *registryServer) types(t *testing.T) []string {
	t.Helper()
	var out []string
	s.call(t, http.MethodGet, "/schemas/types", nil, http.StatusOK, &out)
	return out
}

// requireType skips the test when the server does not serve schemaType yet,
// so format tests switch on by themselves once charter.Formats lists it.
func (s *registryServer) requireType(t *testing.T, schemaType string) {
	t.Helper()
	if types := s.types(t); !slices.Contains(types, schemaType) {
		t.Skipf("charter does not serve %s schemas yet: GET /schemas/types = %q; this test runs once charter.Formats() includes the %s format", schemaType, types, schemaType)
	}
}

// call makes one raw REST call and decodes the JSON answer into out (when
// out is not nil), failing the test on an unexpected status.
func (s *registryServer) call(t *testing.T, method, path string, body any, wantStatus int, out any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatalf("marshal body: %v", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	req.Header.Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	resp, err := s.HTTPClient().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	if resp.StatusCode != wantStatus {
		t.Fatalf("%s %s: status %d, want %d; body %s", method, path, resp.StatusCode, wantStatus, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: decode %s: %v", method, path, raw, err)
		}
	}
}

// exchange is one recorded request and its response.
type exchange struct {
	method, url, reqBody string
	status               int
	respBody             string
	err                  error
}

// recorder is an http.RoundTripper that keeps every exchange.
type recorder struct {
	next http.RoundTripper

	mu  sync.Mutex
	log []exchange
}

const maxRecordedBody = 4 << 10

func clip(b []byte) string {
	if len(b) > maxRecordedBody {
		return string(b[:maxRecordedBody]) + fmt.Sprintf("…(%d bytes)", len(b))
	}
	return string(b)
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	ex := exchange{method: req.Method, url: req.URL.String()}
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		ex.reqBody = clip(b)
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	resp, err := r.next.RoundTrip(req)
	if err != nil {
		ex.err = err
		r.add(ex)
		return nil, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	ex.status = resp.StatusCode
	ex.respBody = clip(b)
	r.add(ex)
	return resp, nil
}

func (r *recorder) add(ex exchange) {
	r.mu.Lock()
	r.log = append(r.log, ex)
	r.mu.Unlock()
}

func (r *recorder) dump(t *testing.T) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP exchanges with charter (%d):\n", len(r.log))
	for i, ex := range r.log {
		fmt.Fprintf(&b, "#%d %s %s", i+1, ex.method, ex.url)
		if ex.reqBody != "" {
			fmt.Fprintf(&b, "\n    request:  %s", ex.reqBody)
		}
		if ex.err != nil {
			fmt.Fprintf(&b, "\n    error:    %v\n", ex.err)
			continue
		}
		fmt.Fprintf(&b, "\n    response: %d %s\n", ex.status, strings.TrimSpace(ex.respBody))
	}
	t.Log(b.String())
}

// requireRoute skips the test when charter has no route for method and
// path: it answers with the router's own 404 (error_code 404) rather than a
// registry error such as 40401 or 40403, which a route that exists would
// give for the unknown name or id in path.
func (s *registryServer) requireRoute(t *testing.T, method, path, feature string) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := s.HTTPClient().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var body struct {
		ErrorCode int `json:"error_code"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode == http.StatusNotFound && body.ErrorCode == http.StatusNotFound {
		t.Skipf("charter has no route for %s %s yet (router 404), so %s is not served; this test runs once the route exists", method, path, feature)
	}
}
