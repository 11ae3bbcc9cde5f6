package api_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestAcceptHeaderChoosesTheResponseType pins Confluent's content
// negotiation: its resources produce the v1 type, the unversioned type
// (qs=0.9) and application/json (qs=0.5); Jersey picks by the client's q,
// then the server's qs; nothing acceptable is 406 with rest-utils' body
// {"error_code":406,"message":"HTTP 406 Not Acceptable"}.
func TestAcceptHeaderChoosesTheResponseType(t *testing.T) {
	h := newHarness(t)
	h.register("orders-value", recordV1)
	const (
		v1   = "application/vnd.schemaregistry.v1+json"
		dflt = "application/vnd.schemaregistry+json"
		js   = "application/json"
	)
	cases := []struct {
		accept string
		want   string // "" for 406
	}{
		{"", v1},
		{"*/*", v1},
		{"application/*", v1},
		{js, js},
		{"application/json; charset=utf-8", js},
		{dflt, dflt},
		{v1, v1},
		{js + ", " + v1, v1},
		{js + ", " + dflt, dflt},
		{js + ";q=0.9, " + dflt + ";q=0.1", js},
		{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", v1},
		{"APPLICATION/JSON", js},
		{"application/vnd.schemaregistry.v2+json", ""},
		{"text/plain", ""},
		{"application/xml", ""},
		{js + ";q=0", ""},
		{"text/*", ""},
	}
	for _, path := range []string{"/subjects", "/subjects/orders-value/versions/1", "/subjects/orders-value/versions/1/schema", "/config", "/subjects/nobody/versions/1"} {
		for _, c := range cases {
			req := httptest.NewRequest("GET", path, nil)
			if c.accept != "" {
				req.Header.Set("Accept", c.accept)
			}
			rec := httptest.NewRecorder()
			h.srvHandler().ServeHTTP(rec, req)
			if c.want == "" {
				if rec.Code != http.StatusNotAcceptable || strings.TrimSpace(rec.Body.String()) != `{"error_code":406,"message":"HTTP 406 Not Acceptable"}` {
					t.Errorf("GET %s Accept %q: %d %s, want 406 with Confluent's body", path, c.accept, rec.Code, rec.Body)
				}
				continue
			}
			if got := rec.Header().Get("Content-Type"); got != c.want {
				t.Errorf("GET %s Accept %q: Content-Type %q (status %d), want %q", path, c.accept, got, rec.Code, c.want)
			}
		}
	}
	// A refused Accept writes nothing either.
	before := h.end()
	req := httptest.NewRequest("POST", "/subjects/x/versions", strings.NewReader(`{"schema":"\"int\""}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/vnd.schemaregistry.v2+json")
	rec := httptest.NewRecorder()
	h.srvHandler().ServeHTTP(rec, req)
	if rec.Code != http.StatusNotAcceptable || h.end() != before {
		t.Errorf("POST with an unacceptable Accept: %d %s, log moved %v", rec.Code, rec.Body, h.end() != before)
	}
	// Operations routes serve their own types whatever Accept says.
	for _, p := range []string{"/healthz", "/metrics", "/openapi.yaml"} {
		req := httptest.NewRequest("GET", p, nil)
		req.Header.Set("Accept", "text/plain")
		rec := httptest.NewRecorder()
		h.srvHandler().ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Errorf("GET %s Accept text/plain: %d", p, rec.Code)
		}
	}
}
