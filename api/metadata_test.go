package api_test

import (
	"strings"
	"testing"
)

// TestServerMetadataRoutes pins Confluent's ServerMetadataResource answers
// beside /v1/metadata/id, and the 404 of its associations API, which
// charter does not serve: Confluent's status and code, with a message
// saying so instead of the bare "HTTP 404 Not Found".
func TestServerMetadataRoutes(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	var v struct {
		Version  *string `json:"version"`
		CommitID *string `json:"commitId"`
	}
	r := h.do("GET", "/v1/metadata/version", nil)
	r.json(t, &v)
	if r.status != 200 || v.Version == nil || *v.Version == "" || v.CommitID == nil || *v.CommitID == "" {
		t.Errorf("version: %d %s", r.status, r.body)
	}
	if r := h.do("GET", "/v1/metadata/deployment", nil); r.status != 200 || string(r.body) != `{"attributes":[]}` {
		t.Errorf("deployment: %d %s", r.status, r.body)
	}
	for _, c := range []struct{ method, path string }{
		{"GET", "/associations/resources/lkc-1/orders?resourceType=topic"},
		{"GET", "/associations/subjects/orders-value"},
		{"POST", "/associations"},
		{"POST", "/associations:batchGet"},
		{"DELETE", "/associations/resources/r1"},
	} {
		r := h.do(c.method, c.path, nil)
		var e struct {
			ErrorCode int    `json:"error_code"`
			Message   string `json:"message"`
		}
		r.json(t, &e)
		if r.status != 404 || e.ErrorCode != 404 || !strings.HasPrefix(e.Message, "HTTP 404 Not Found: charter does not implement Confluent's associations API") {
			t.Errorf("%s %s: %d %s", c.method, c.path, r.status, r.body)
		}
	}
}
