package web

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/charter-registry/charter/exporter"
	"github.com/charter-registry/charter/internal/poll"
	"github.com/charter-registry/charter/internal/registrytest"
)

// TestExportersPage: the catalogue lists each exporter with its state,
// offset, lag, destination and what it exports, and a failing one with
// its trace.
func TestExportersPage(t *testing.T) {
	src := registrytest.Start(t, registrytest.WithExporters(exporter.Config{LeaseTTL: 900 * time.Millisecond, Poll: 200 * time.Millisecond}))
	dst := registrytest.Start(t)
	post := func(path string, body any) {
		t.Helper()
		b, _ := json.Marshal(body)
		res, err := http.Post(src.URL+path, "application/vnd.schemaregistry.v1+json", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("POST %s: %d", path, res.StatusCode)
		}
	}
	post("/subjects/orders-value/versions", map[string]string{"schema": avroOrderV1})
	post("/exporters", map[string]any{"name": "to-east", "contextType": "CUSTOM", "context": "east", "subjects": []string{"orders-*"},
		"config": map[string]string{"schema.registry.url": dst.URL}})
	post("/exporters", map[string]any{"name": "nowhere", "contextType": "NONE", "config": map[string]string{"schema.registry.url": "http://127.0.0.1:1"}})

	e := echo.New()
	if _, err := Mount(e, src.Service, WithExporters(src.Exporters)); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	page := func() string {
		res, err := http.Get(srv.URL + "/ui/exporters")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET /ui/exporters: %d", res.StatusCode)
		}
		return string(b)
	}
	var body string
	poll.Until(t, time.Minute, "the page showing one exporter RUNNING and one in ERROR", func() bool {
		body = page()
		return strings.Contains(body, "state-RUNNING") && strings.Contains(body, "state-ERROR")
	})
	for _, want := range []string{"<td>to-east</td>", "<code>" + dst.URL + "</code>", "<code>orders-*</code>", "CUSTOM <code>.east</code>", "<td>nowhere</td>", "connection refused", `href="/ui/exporters" aria-current="page"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the exporters page lacks %q", want)
		}
	}
}

func TestExportersPageWithoutExporters(t *testing.T) {
	h := newHarness(t)
	body := h.ok("/ui/exporters")
	if !strings.Contains(body, "Schema linking is not set up on this catalogue.") {
		t.Errorf("page without exporters:\n%s", body)
	}
}
