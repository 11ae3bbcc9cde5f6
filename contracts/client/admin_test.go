package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/charter-registry/charter/confluent"
	"github.com/charter-registry/charter/contracts/client"
)

// seen is one request as a fake registry received it.
type seen struct {
	method, rawPath, query, auth, body, ctype, reason, link string
}

// recorder serves handle and records every request.
func recorder(t *testing.T, handle func(w http.ResponseWriter, r *http.Request)) (*httptest.Server, func() []seen) {
	t.Helper()
	var mu sync.Mutex
	var log []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		log = append(log, seen{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Get("Authorization"), string(b), r.Header.Get("Content-Type"),
			r.Header.Get("X-Charter-Change-Reason"), r.Header.Get("X-Charter-Change-Link")})
		mu.Unlock()
		handle(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []seen {
		mu.Lock()
		defer mu.Unlock()
		return append([]seen(nil), log...)
	}
}

func TestRequestsAreEscapedAndAuthenticated(t *testing.T) {
	srv, log := recorder(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/prefix/subjects" {
			_, _ = w.Write([]byte(`["orders"]`))
			return
		}
		_, _ = w.Write([]byte(`{"subject":"a/b","version":3,"id":7,"schema":"x"}`))
	})
	c, err := client.New(client.URLs(srv.URL+"/prefix/"), client.BasicAuth("key", "secret"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.Version(context.Background(), "a/b c", "latest", true)
	if err != nil {
		t.Fatal(err)
	}
	if s.ID != 7 || s.Type() != "AVRO" {
		t.Errorf("%+v", s)
	}
	got := log()[0]
	if got.rawPath != "/prefix/subjects/a%2Fb%20c/versions/latest" || got.query != "deleted=true" {
		t.Errorf("path %s query %s", got.rawPath, got.query)
	}
	if !strings.HasPrefix(got.auth, "Basic ") {
		t.Errorf("auth %q", got.auth)
	}

	c2, err := client.New(client.URLs(srv.URL+"/prefix"), client.BearerToken("tok"))
	if err != nil {
		t.Fatal(err)
	}
	if subjects, err := c2.Subjects(context.Background(), "ord", false); err != nil || len(subjects) != 1 {
		t.Fatal(subjects, err)
	}
	if got := log()[1]; got.auth != "Bearer tok" || got.query != "subjectPrefix=ord" {
		t.Errorf("%+v", got)
	}
	if _, err := c2.Subjects(context.Background(), "", true); err != nil {
		t.Fatal(err)
	}
	if got := log()[2]; got.query != "deleted=true" {
		t.Errorf("%+v", got)
	}
}

func TestErrorsKeepTheRegistryCode(t *testing.T) {
	srv, _ := recorder(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "proxy") {
			w.WriteHeader(502)
			_, _ = w.Write([]byte("<html>bad gateway</html>"))
			return
		}
		w.WriteHeader(404)
		_, _ = w.Write([]byte(`{"error_code":40401,"message":"Subject 'x' not found."}`))
	})
	c, err := client.New(client.URLs(srv.URL), client.Retries(0))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.AllVersions(context.Background(), "x")
	var e *client.ResponseError
	if !errors.As(err, &e) || e.ErrorCode != 40401 || e.StatusCode != 404 || !client.HasCode(err, confluent.CodeSubjectNotFound) {
		t.Fatalf("%#v", err)
	}
	if client.HasCode(err, confluent.CodeVersionNotFound) || client.HasCode(errors.New("x"), confluent.CodeSubjectNotFound) {
		t.Error("HasCode matched the wrong code")
	}
	// A body that is not Confluent's error JSON carries no registry code:
	// the status stands in for it and the message is the body.
	_, err = c.AllVersions(context.Background(), "proxy")
	if !errors.As(err, &e) || e.ErrorCode != 502 || e.StatusCode != 502 || !strings.Contains(err.Error(), "bad gateway") ||
		client.HasCode(err, confluent.CodeSubjectNotFound) {
		t.Errorf("non-JSON error: %v", err)
	}
}

func TestImportKeepsTheIDAndVersion(t *testing.T) {
	srv, log := recorder(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"id":5,"version":2}`))
	})
	c, err := client.New(client.URLs(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.Import(context.Background(), "s", client.Schema{Schema: "x", SchemaType: "JSON", ID: 5, Version: 2})
	if err != nil {
		t.Fatal(err)
	}
	if s.Version != 2 || s.ID != 5 || s.Subject != "s" {
		t.Errorf("%+v", s)
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(log()[0].body), &body); err != nil {
		t.Fatal(err)
	}
	if body["id"] != float64(5) || body["version"] != float64(2) || body["schemaType"] != "JSON" || body["schema"] != "x" {
		t.Errorf("body %v", body)
	}
	if got := log()[0]; got.method != "POST" || got.rawPath != "/subjects/s/versions" || got.query != "" || got.ctype != "application/vnd.schemaregistry.v1+json" {
		t.Errorf("%+v", got)
	}
}

func TestConfigsModesAndDeletes(t *testing.T) {
	srv, log := recorder(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/config"):
			_, _ = w.Write([]byte(`{"compatibilityLevel":"FULL","normalize":true}`))
		case strings.HasPrefix(r.URL.Path, "/mode") && r.Method == http.MethodGet:
			_, _ = w.Write([]byte(`{"mode":"IMPORT"}`))
		default:
			_, _ = w.Write([]byte(`{}`))
		}
	})
	c, err := client.New(client.URLs(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cfg, err := c.Config(ctx, "a/b", true)
	if err != nil || string(cfg) != `{"compatibilityLevel":"FULL","normalize":true}` {
		t.Fatalf("config %s, %v", cfg, err)
	}
	if _, err := c.Config(ctx, "", true); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SetConfig(ctx, "s", json.RawMessage(`{"compatibility":"FULL"}`)); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteConfig(ctx, "s"); err != nil {
		t.Fatal(err)
	}
	if m, err := c.Mode(ctx, "s", false); err != nil || m != "IMPORT" {
		t.Fatalf("mode %q, %v", m, err)
	}
	if err := c.SetMode(ctx, "", "IMPORT", true); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteMode(ctx, "s"); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteVersion(ctx, "s", 3, true); err != nil {
		t.Fatal(err)
	}
	want := []seen{
		{method: "GET", rawPath: "/config/a%2Fb", query: "defaultToGlobal=true"},
		{method: "GET", rawPath: "/config"},
		{method: "PUT", rawPath: "/config/s", body: `{"compatibility":"FULL"}`},
		{method: "DELETE", rawPath: "/config/s"},
		{method: "GET", rawPath: "/mode/s"},
		{method: "PUT", rawPath: "/mode", query: "force=true", body: `{"mode":"IMPORT"}`},
		{method: "DELETE", rawPath: "/mode/s"},
		{method: "DELETE", rawPath: "/subjects/s/versions/3", query: "permanent=true"},
	}
	got := log()
	if len(got) != len(want) {
		t.Fatalf("%d requests: %+v", len(got), got)
	}
	for i, w := range want {
		g := got[i]
		if g.method != w.method || g.rawPath != w.rawPath || g.query != w.query || g.body != w.body {
			t.Errorf("request %d: %s %s?%s %s, want %s %s?%s %s", i, g.method, g.rawPath, g.query, g.body, w.method, w.rawPath, w.query, w.body)
		}
	}
}

// TestChangeGoesWithWritesOnly: the change reason and link are sent with
// every write and never with a read.
func TestChangeGoesWithWritesOnly(t *testing.T) {
	srv, log := recorder(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			_, _ = w.Write([]byte(`[]`))
			return
		}
		_, _ = w.Write([]byte(`{"id":1}`))
	})
	c, err := client.New(client.URLs(srv.URL), client.Change("why", "https://example.com/pr/1"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.Subjects(ctx, "", false); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Register(ctx, "s", client.Schema{Schema: `"int"`}, false); err != nil {
		t.Fatal(err)
	}
	got := log()
	if len(got) < 2 || got[0].reason != "" || got[0].link != "" || got[0].method != "GET" || got[len(got)-1].method != "POST" ||
		got[len(got)-1].reason != "why" || got[len(got)-1].link != "https://example.com/pr/1" {
		t.Errorf("requests: %+v", got)
	}
}
