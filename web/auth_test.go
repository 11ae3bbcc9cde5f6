package web_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/charter-registry/charter"
	"github.com/charter-registry/charter/api"
	"github.com/charter-registry/charter/internal/registrytest"
	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/web"
)

// The API keys of the principals the tests use. They sign in with HTTP
// basic auth (name and key), as a browser prompt would send it.
const (
	catalogueKey = "chk_test-catalogue-reader-0123456789abcdef0123"
	aliceKey     = "chk_test-catalogue-alice-0123456789abcdef01234"
)

// newServer serves the API with authentication required and the catalogue
// mounted on the same router, as charter serve does. reader may only read;
// alice is an admin, so she may also record teams.
func newServer(t testing.TB, anonymousRead bool) *registrytest.Registry {
	t.Helper()
	creds, err := api.ParseCredentials(fmt.Appendf(nil, "principals:\n  - name: reader\n    teams: [checkout]\n    keys: [%s]\n  - name: alice\n    admin: true\n    teams: [checkout]\n    keys: [%s]\n",
		api.HashAPIKey(catalogueKey), api.HashAPIKey(aliceKey)))
	if err != nil {
		t.Fatal(err)
	}
	return registrytest.Start(t,
		registrytest.WithAPIConfig(api.Config{OpenAPI: charter.OpenAPI(), Auth: api.AuthConfig{Required: true, AnonymousRead: anonymousRead, Credentials: creds}}),
		registrytest.WithMount(func(srv *api.Server, svc *registry.Service) error {
			_, err := web.Mount(srv.Echo(), svc)
			return err
		}))
}

// newAuthServer is newServer holding one subject.
func newAuthServer(t testing.TB, anonymousRead bool) *registrytest.Registry {
	t.Helper()
	hs := newServer(t, anonymousRead)
	req, err := http.NewRequest(http.MethodPost, hs.URL+"/subjects/orders-value/versions",
		strings.NewReader(`{"schema":"{\"type\":\"record\",\"name\":\"Order\",\"fields\":[{\"name\":\"order_id\",\"type\":\"string\"}]}"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	req.SetBasicAuth("alice", aliceKey)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("register as alice: %d", res.StatusCode)
	}
	return hs
}

func TestCatalogueAsksForTheAPICredentials(t *testing.T) {
	hs := newAuthServer(t, false)
	get := func(path, user, pass string) *http.Response {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, hs.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Accept", "text/html")
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	for _, path := range []string{"/ui/", "/ui/search?q=order_id", "/ui/subjects/orders-value", "/ui/topics/orders", "/ui/diff?subject=orders-value", "/ui/static/app.css"} {
		res := get(path, "", "")
		if res.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s without credentials: %d, want 401", path, res.StatusCode)
		}
		if !strings.Contains(res.Header.Get("WWW-Authenticate"), "Basic") {
			t.Errorf("%s: WWW-Authenticate %q does not offer Basic, so a browser would not prompt", path, res.Header.Get("WWW-Authenticate"))
		}
		if res := get(path, "reader", "wrong"); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s with a wrong key: %d, want 401", path, res.StatusCode)
		}
		if res := get(path, "reader", catalogueKey); res.StatusCode != http.StatusOK {
			t.Errorf("%s signed in: %d, want 200", path, res.StatusCode)
		}
	}
}

func TestCatalogueWithAnonymousRead(t *testing.T) {
	hs := newAuthServer(t, true)
	res, err := http.Get(hs.URL + "/ui/subjects/orders-value")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("anonymous read: %d, want 200", res.StatusCode)
	}
}

// The catalogue sends browsers that open / to /ui/, before the API's
// authentication, while API clients keep the API's JSON answer.
func TestRootRedirectsBrowsersToTheCatalogue(t *testing.T) {
	hs := newServer(t, false)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(accept string, auth bool) *http.Response {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, hs.URL+"/", nil)
		if err != nil {
			t.Fatal(err)
		}
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		if auth {
			req.SetBasicAuth("reader", catalogueKey)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	if res := get("text/html,application/xhtml+xml", false); res.StatusCode != http.StatusFound || res.Header.Get("Location") != "/ui/" {
		t.Errorf("browser GET /: %d Location %q, want 302 to /ui/", res.StatusCode, res.Header.Get("Location"))
	}
	if res := get("", true); res.StatusCode != http.StatusOK || res.Header.Get("Location") != "" {
		t.Errorf("API GET /: %d Location %q, want 200 without a redirect", res.StatusCode, res.Header.Get("Location"))
	}
}

// TestBrowsersGetASignInPage: with auth on, a browser that opens a
// catalogue page without credentials (or with refused ones) gets an HTML
// page that says how to sign in, still 401 with the Basic challenge so it
// prompts; API clients and the catalogue's assets keep the API's JSON.
func TestBrowsersGetASignInPage(t *testing.T) {
	hs := newAuthServer(t, false)
	get := func(path, accept, user, pass string) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, hs.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		if user != "" {
			req.SetBasicAuth(user, pass)
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
		return res, string(b)
	}
	const browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	for _, path := range []string{"/ui/", "/ui", "/ui/subjects/orders-value", "/ui/search?q=%3Cscript%3E"} {
		res, body := get(path, browser, "", "")
		if res.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			t.Errorf("%s from a browser: %d %s, want a 401 HTML page", path, res.StatusCode, res.Header.Get("Content-Type"))
		}
		if !strings.Contains(res.Header.Get("WWW-Authenticate"), "Basic") {
			t.Errorf("%s: WWW-Authenticate %q lost", path, res.Header.Get("WWW-Authenticate"))
		}
		if !strings.Contains(body, "<h1>Sign in to the charter catalogue</h1>") || !strings.Contains(body, "API key") {
			t.Errorf("%s: the page does not say how to sign in:\n%s", path, body)
		}
		if strings.Contains(body, "<script>") {
			t.Errorf("%s: the retry link is not escaped:\n%s", path, body)
		}
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "style-src 'sha256-") {
			t.Errorf("%s: Content-Security-Policy %q", path, csp)
		}
	}
	res, body := get("/ui/subjects/orders-value", browser, "reader", "wrong")
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, `role="alert"`) || !strings.Contains(body, "were not accepted") {
		t.Errorf("refused credentials: %d\n%s", res.StatusCode, body)
	}
	// An API client asking for the catalogue, and a browser's stylesheet
	// fetch, get the API's JSON error.
	for _, c := range []struct{ path, accept string }{{"/ui/", ""}, {"/ui/", "application/json"}, {"/ui/static/app.css", "text/css,*/*;q=0.1"}, {"/subjects", browser}} {
		res, body := get(c.path, c.accept, "", "")
		if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, `"error_code":40101`) {
			t.Errorf("%s Accept %q: %d %s, want the API's JSON 401", c.path, c.accept, res.StatusCode, body)
		}
	}
	if res, _ := get("/ui/", browser, "reader", catalogueKey); res.StatusCode != http.StatusOK {
		t.Errorf("signed in: %d", res.StatusCode)
	}
}
