package remote

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

type seen struct {
	method, rawPath, query, auth, body, ctype string
}

func server(t *testing.T, handle func(w http.ResponseWriter, r *http.Request)) (*httptest.Server, *[]seen) {
	t.Helper()
	var log []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		log = append(log, seen{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Get("Authorization"), string(b), r.Header.Get("Content-Type")})
		handle(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &log
}

func TestNewRejectsBadURLsAndAuth(t *testing.T) {
	for _, u := range []string{"", "localhost:8081", "ftp://x", "http://", "http://user:pw@host"} {
		if _, err := New(u); err == nil {
			t.Errorf("New(%q) accepted", u)
		}
	}
	if _, err := New("http://h", BasicAuth("u", "p"), BearerToken("t")); err == nil {
		t.Error("basic auth and a token together were accepted")
	}
}

func TestRequestsAreEscapedAndAuthenticated(t *testing.T) {
	srv, log := server(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/subjects" {
			_, _ = w.Write([]byte(`["orders"]`))
			return
		}
		_, _ = w.Write([]byte(`{"subject":"a/b","version":3,"id":7,"schema":"x"}`))
	})
	c, err := New(srv.URL+"/prefix/", BasicAuth("key", "secret"))
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
	got := (*log)[0]
	if got.rawPath != "/prefix/subjects/a%2Fb%20c/versions/latest" || got.query != "deleted=true" {
		t.Errorf("path %s query %s", got.rawPath, got.query)
	}
	if !strings.HasPrefix(got.auth, "Basic ") {
		t.Errorf("auth %q", got.auth)
	}

	c2, _ := New(srv.URL, BearerToken("tok"))
	if _, err := c2.Subjects(context.Background(), "ord", false); err != nil {
		t.Fatal(err)
	}
	if got := (*log)[1]; got.auth != "Bearer tok" || got.query != "subjectPrefix=ord" {
		t.Errorf("%+v", got)
	}
}

func TestErrorsKeepTheRegistryCode(t *testing.T) {
	srv, _ := server(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "proxy") {
			w.WriteHeader(502)
			_, _ = w.Write([]byte("<html>bad gateway</html>"))
			return
		}
		w.WriteHeader(404)
		_, _ = w.Write([]byte(`{"error_code":40401,"message":"Subject 'x' not found."}`))
	})
	c, _ := New(srv.URL)
	_, err := c.Versions(context.Background(), "x", false)
	var e *Error
	if !errors.As(err, &e) || e.Code != 40401 || e.StatusCode != 404 || !HasCode(err, CodeSubjectNotFound) {
		t.Fatalf("%#v", err)
	}
	if HasCode(err, CodeVersionNotFound) || HasCode(errors.New("x"), CodeSubjectNotFound) {
		t.Error("HasCode matched the wrong code")
	}
	_, err = c.Versions(context.Background(), "proxy", false)
	if !errors.As(err, &e) || e.Code != 0 || e.StatusCode != 502 || !strings.Contains(err.Error(), "bad gateway") {
		t.Errorf("non-JSON error: %v", err)
	}
}

func TestRegisterLooksUpTheVersionWhenOnlyAnIDComesBack(t *testing.T) {
	srv, log := server(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/versions") {
			_, _ = w.Write([]byte(`{"id":5}`))
			return
		}
		_, _ = w.Write([]byte(`{"subject":"s","version":2,"id":5,"schema":"x"}`))
	})
	c, _ := New(srv.URL)
	s, err := c.Register(context.Background(), "s", RegisterRequest{Schema: "x", SchemaType: "JSON"}, true)
	if err != nil {
		t.Fatal(err)
	}
	if s.Version != 2 || s.ID != 5 || s.Subject != "s" {
		t.Errorf("%+v", s)
	}
	if (*log)[0].query != "normalize=true" || (*log)[0].ctype != "application/vnd.schemaregistry.v1+json" || (*log)[1].method != "POST" || (*log)[1].rawPath != "/subjects/s" {
		t.Errorf("%+v", *log)
	}
}

func TestSetConfigRenamesTheLevel(t *testing.T) {
	srv, log := server(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"compatibility":"FULL"}`))
	})
	c, _ := New(srv.URL)
	out, err := c.SetConfig(context.Background(), "s", Config(`{"compatibilityLevel":"FULL","normalize":true}`))
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	if err := json.Unmarshal([]byte((*log)[0].body), &body); err != nil {
		t.Fatal(err)
	}
	if body["compatibility"] != "FULL" || body["compatibilityLevel"] != nil || body["normalize"] != true {
		t.Errorf("body %v", body)
	}
	if out.Level() != "FULL" || (*log)[0].method != "PUT" || (*log)[0].rawPath != "/config/s" {
		t.Errorf("%s %+v", out.Level(), (*log)[0])
	}
	if err := c.SetMode(context.Background(), "", "IMPORT", true); err != nil {
		t.Fatal(err)
	}
	if got := (*log)[1]; got.rawPath != "/mode" || got.query != "force=true" || got.body != `{"mode":"IMPORT"}` {
		t.Errorf("%+v", got)
	}
}

// TestChangeGoesWithWritesOnly: the change reason and link are sent with
// every write and never with a read.
func TestChangeGoesWithWritesOnly(t *testing.T) {
	type got struct{ method, reason, link string }
	var log []got
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log = append(log, got{r.Method, r.Header.Get("X-Charter-Change-Reason"), r.Header.Get("X-Charter-Change-Link")})
		if r.Method == http.MethodGet {
			_, _ = w.Write([]byte(`[]`))
			return
		}
		_, _ = w.Write([]byte(`{"id":1}`))
	}))
	t.Cleanup(srv.Close)
	c, err := New(srv.URL, Change("why", "https://example.com/pr/1"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.Subjects(ctx, "", false); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Register(ctx, "s", RegisterRequest{Schema: `"int"`}, false); err != nil {
		t.Fatal(err)
	}
	if len(log) < 2 || log[0] != (got{"GET", "", ""}) || log[len(log)-1].method != "POST" ||
		log[len(log)-1].reason != "why" || log[len(log)-1].link != "https://example.com/pr/1" {
		t.Errorf("requests: %+v", log)
	}
}
