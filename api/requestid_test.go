package api_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/charter-registry/charter"
	"github.com/charter-registry/charter/api"
	"github.com/charter-registry/charter/internal/registrytest"
)

// lockedBuffer is a log sink the handler's goroutines may share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// TestEveryRequestIsLoggedWithItsRequestID pins the request log: one JSON
// line per request naming its request id, which is the client's
// X-Request-Id when it sends one and otherwise one the server makes (16
// hex digits, a new one per request), sent back in X-Request-Id either way.
func TestEveryRequestIsLoggedWithItsRequestID(t *testing.T) {
	svc, keys, _ := registrytest.RunStoppable(t)
	var logs lockedBuffer
	h := api.New(svc, api.Config{OpenAPI: charter.OpenAPI(), Keys: keys, Logger: slog.New(slog.NewJSONHandler(&logs, nil))}).Handler()

	get := func(id string) string {
		req := httptest.NewRequest(http.MethodGet, "/schemas/ids/1", nil)
		if id != "" {
			req.Header.Set("X-Request-Id", id)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Header().Get("X-Request-Id")
	}
	if got := get("client-chosen-42"); got != "client-chosen-42" {
		t.Errorf("X-Request-Id %q, want the client's", got)
	}
	made := map[string]bool{}
	hex16 := regexp.MustCompile(`^[0-9a-f]{16}$`)
	for range 100 {
		id := get("")
		if !hex16.MatchString(id) || made[id] {
			t.Fatalf("made request id %q: not 16 hex digits, or repeated", id)
		}
		made[id] = true
	}
	if got := get(strings.Repeat("x", 129)); !hex16.MatchString(got) {
		t.Errorf("a 129-character X-Request-Id was kept: %q", got)
	}

	logs.mu.Lock()
	lines := strings.Split(strings.TrimSpace(logs.b.String()), "\n")
	logs.mu.Unlock()
	var logged []string
	for _, l := range lines {
		var e struct {
			Msg       string `json:"msg"`
			RequestID string `json:"request_id"`
			Route     string `json:"route"`
			Status    int    `json:"status"`
		}
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("log line %q is not JSON: %v", l, err)
		}
		if e.Msg == "request" {
			if e.Route != "/schemas/ids/:id" || e.Status != http.StatusNotFound {
				t.Errorf("request line %q", l)
			}
			logged = append(logged, e.RequestID)
		}
	}
	if len(logged) != 102 || logged[0] != "client-chosen-42" || !made[logged[1]] {
		t.Fatalf("%d request lines, first ids %q", len(logged), logged[:min(3, len(logged))])
	}
}
