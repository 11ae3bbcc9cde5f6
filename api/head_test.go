package api_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestEveryGetRouteAnswersHead pins Jersey's HEAD: wherever GET works,
// HEAD answers the same status and content type, with no body.
func TestEveryGetRouteAnswersHead(t *testing.T) {
	h := newHarness(t)
	h.register("orders-value", recordV1)
	fill := strings.NewReplacer("{subject}", "orders-value", "{version}", "1", "{id}", "1",
		"{guid}", "00000000-0000-0000-0000-000000000000", "{team}", "payments", "{topic}", "orders",
		"{name}", "k1")
	n := 0
	for _, rt := range h.srv.API.Routes() {
		if rt.Method != http.MethodGet || rt.Path == "/v1/changes" {
			continue // changes long-polls
		}
		n++
		path := fill.Replace(rt.Path)
		get := headDo(t, http.MethodGet, h.srv.URL+path)
		head := headDo(t, http.MethodHead, h.srv.URL+path)
		if head.status != get.status {
			t.Errorf("HEAD %s: %d, GET gives %d", path, head.status, get.status)
		}
		if a, b := head.header.Get("Content-Type"), get.header.Get("Content-Type"); a != b {
			t.Errorf("HEAD %s: Content-Type %q, GET gives %q", path, a, b)
		}
		if len(head.body) != 0 {
			t.Errorf("HEAD %s sent a body: %q", path, head.body)
		}
	}
	if n < 20 {
		t.Fatalf("only %d GET routes checked", n)
	}

	// HEAD is among the methods a 405 allows.
	r := headDo(t, http.MethodPatch, h.srv.URL+"/subjects")
	if r.status != http.StatusMethodNotAllowed || !strings.Contains(r.header.Get("Allow"), http.MethodHead) {
		t.Errorf("PATCH /subjects: %d Allow %q, want 405 allowing HEAD", r.status, r.header.Get("Allow"))
	}
	// A HEAD on a missing subject is the GET's 404, without the body.
	r = headDo(t, http.MethodHead, h.srv.URL+"/subjects/nope/versions")
	if r.status != http.StatusNotFound || len(r.body) != 0 {
		t.Errorf("HEAD missing subject: %d %q", r.status, r.body)
	}
}

func headDo(t *testing.T, method, url string) response {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: res.StatusCode, body: b, header: res.Header}
}
