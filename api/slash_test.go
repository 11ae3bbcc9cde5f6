package api_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v5"
)

// TestEveryRouteTakesATrailingSlash pins Confluent's optional trailing
// slash: every REST route answers the same with one appended (GET /config/
// is what python-schema-registry-client sends). A route that did not match
// would answer 404 with error_code 404.
func TestEveryRouteTakesATrailingSlash(t *testing.T) {
	h := newHarness(t)
	h.register("orders-value", recordV1)
	fill := strings.NewReplacer("{subject}", "orders-value", "{version}", "1", "{id}", "1",
		"{guid}", "00000000-0000-0000-0000-000000000000", "{team}", "payments", "{topic}", "orders")
	for _, rt := range h.srv.API.Routes() {
		if rt.Method == echo.RouteNotFound || rt.Method == echo.RouteAny || rt.Path == "/" || strings.HasPrefix(rt.Path, "/ui") {
			continue
		}
		if rt.Method == http.MethodDelete || rt.Path == "/v1/changes" {
			continue // deletes are checked below, after the rest; changes long-polls
		}
		path := fill.Replace(rt.Path) + "/"
		req := httptest.NewRequest(rt.Method, path, strings.NewReader(`{}`))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.srvHandler().ServeHTTP(rec, req)
		if rec.Code == http.StatusNotFound && strings.Contains(rec.Body.String(), `"error_code":404,`) ||
			rec.Code == http.StatusMethodNotAllowed {
			t.Errorf("%s %s: %d %s: the route does not take a trailing slash", rt.Method, path, rec.Code, rec.Body)
		}
	}

	same := []string{"/config", "/mode", "/subjects", "/subjects/orders-value/versions", "/subjects/orders-value/versions/1", "/schemas/ids/1", "/schemas/types"}
	for _, p := range same {
		a, b := h.do("GET", p, nil), h.do("GET", p+"/", nil)
		if a.status != 200 || b.status != a.status || string(a.body) != string(b.body) {
			t.Errorf("GET %s/: %d %s, want what GET %s gives: %d %s", p, b.status, b.body, p, a.status, a.body)
		}
	}
	if r := h.do("DELETE", "/subjects/orders-value/versions/1/", nil); r.status != 200 {
		t.Errorf("DELETE with a trailing slash: %d %s", r.status, r.body)
	}

	// A subject whose name ends in an encoded slash keeps it.
	h.register("team%2F", recordV1)
	var subjects []string
	h.do("GET", "/subjects/", nil).json(t, &subjects)
	found := false
	for _, s := range subjects {
		found = found || s == "team/"
	}
	if !found {
		t.Errorf("subjects %v, want team/ among them", subjects)
	}
	if r := h.do("GET", "/subjects/team%2F/versions/1/", nil); r.status != 200 {
		t.Errorf("GET /subjects/team%%2F/versions/1/: %d %s", r.status, r.body)
	}
}
