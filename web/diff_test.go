package web_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestDiffPageNamesWhatIsMissing: on a served registry, the diff page of
// a subject says which version does not exist (from, to or both, a
// version deleted for good being one), with 404; a soft-deleted version
// is compared, marked deleted, as the API shows it with ?deleted=true; a
// version that is not a number is 400 naming the parameter; a subject
// that does not exist is named, and a missing one asked for (400).
func TestDiffPageNamesWhatIsMissing(t *testing.T) {
	hs := newAuthServer(t, true) // orders-value v1
	api := func(method, path, body string) {
		t.Helper()
		req, err := http.NewRequest(method, hs.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/vnd.schemaregistry.v1+json")
		req.SetBasicAuth("alice", aliceKey)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, b)
		}
	}
	for _, f := range []string{"note", "channel"} {
		api(http.MethodPost, "/subjects/orders-value/versions", `{"schema":"{\"type\":\"record\",\"name\":\"Order\",\"fields\":[{\"name\":\"order_id\",\"type\":\"string\"},{\"name\":\"`+f+`\",\"type\":\"string\",\"default\":\"\"}]}"}`)
	}
	api(http.MethodDelete, "/subjects/orders-value/versions/2", "")
	api(http.MethodDelete, "/subjects/orders-value/versions/3", "")
	api(http.MethodDelete, "/subjects/orders-value/versions/3?permanent=true", "")
	// Left: v1 live, v2 soft-deleted.

	for _, c := range []struct {
		query  string
		status int
		want   string
	}{
		{"subject=orders-value&from=9&to=1", 404, `Subject &#34;orders-value&#34; has no version 9 (from); its versions are 1 and 2.`},
		{"subject=orders-value&from=1&to=9", 404, `Subject &#34;orders-value&#34; has no version 9 (to); its versions are 1 and 2.`},
		{"subject=orders-value&from=8&to=9", 404, `Subject &#34;orders-value&#34; has no version 8 (from) and no version 9 (to); its versions are 1 and 2.`},
		{"subject=orders-value&from=9&to=9", 404, `Subject &#34;orders-value&#34; has no version 9 (from and to); its versions are 1 and 2.`},
		{"subject=orders-value&from=1&to=3", 404, `Subject &#34;orders-value&#34; has no version 3 (to); its versions are 1 and 2.`},
		{"subject=orders-value&from=x&to=1", 400, `from=&#34;x&#34; is not a version: a version is a number from 1 to 2147483647 or &#34;latest&#34;, such as from=1&amp;to=2.`},
		{"subject=orders-value&from=1&to=0", 400, `to=&#34;0&#34; is not a version`},
		{"subject=orders-value&from=-2&to=99999999999", 400, `from=&#34;-2&#34; and to=&#34;99999999999&#34; are not versions`},
		{"subject=nope&from=1&to=2", 404, `There is no subject &#34;nope&#34; to compare versions of.`},
		{"from=1&to=2", 400, `Name the subject whose versions to compare, such as subject=orders-value&amp;from=1&amp;to=2.`},
		{"subject=orders-value&from=2&to=1", 200, `orders-value: v2 → v1`},
		{"subject=orders-value&from=2&to=latest", 200, `orders-value: v2 → v1`},
	} {
		req, err := http.NewRequest(http.MethodGet, hs.URL+"/ui/diff?"+c.query, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Accept", "text/html")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		body := string(b)
		if res.StatusCode != c.status || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d, want %d with %q:\n%s", c.query, res.StatusCode, c.status, c.want, body)
			continue
		}
		if c.status == http.StatusOK && !strings.Contains(body, `<span class="badge warn">deleted</span>`) {
			t.Errorf("%s: the soft-deleted v2 is not marked deleted:\n%s", c.query, body)
		}
	}
}
