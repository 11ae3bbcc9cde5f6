package web_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestTrailingSlashRedirects: on a served registry, a page's address with
// a trailing slash answers 308 to the page (query kept), for GET and
// HEAD, and the page answers there.
func TestTrailingSlashRedirects(t *testing.T) {
	hs := newAuthServer(t, true)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, page := range []string{"search", "subjects", "diff", "topics", "teams", "audit", "exporters"} {
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			req, err := http.NewRequest(method, hs.URL+"/ui/"+page+"/?q=orders", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Accept", "text/html")
			res, err := noFollow.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if want := "/ui/" + page + "?q=orders"; res.StatusCode != http.StatusPermanentRedirect || res.Header.Get("Location") != want {
				t.Errorf("%s /ui/%s/?q=orders: %d %q, want 308 to %s", method, page, res.StatusCode, res.Header.Get("Location"), want)
			}
		}
	}
	res, err := http.Get(hs.URL + "/ui/subjects/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Request.URL.Path != "/ui/subjects" || !strings.Contains(string(b), `href="/ui/subjects/orders-value"`) {
		t.Errorf("GET /ui/subjects/ followed: %d at %s", res.StatusCode, res.Request.URL)
	}
}
