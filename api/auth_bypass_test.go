package api_test

import (
	"net/http"
	"testing"

	"github.com/charter-registry/charter/registry"
)

// TestBypassAttemptsAreRefused tries to write payments' subject
// orders-value as team shipping through every other spelling of it and of
// its routes. The unowned-subject policy is open, so a spelling that
// escaped the ownership check would be allowed: each must be refused
// (403, or 404/405 where no route matches), and nothing may be written.
func TestBypassAttemptsAreRefused(t *testing.T) {
	reg := map[string]any{"schema": recordV2Default}
	cases := []struct {
		name   string
		method string
		path   string
		body   any
		status int
	}{
		{"plain", "POST", "/subjects/orders-value/versions", reg, 403},
		{"percent-encoded hyphen", "POST", "/subjects/orders%2Dvalue/versions", reg, 403},
		{"percent-encoded letters", "POST", "/subjects/%6Frders-%76alue/versions", reg, 403},
		{"encoded trailing slash", "POST", "/subjects/orders-value%2F/versions", reg, 403},
		{"encoded leading slash", "POST", "/subjects/%2Forders-value/versions", reg, 403},
		{"encoded trailing dot", "POST", "/subjects/orders-value%2e/versions", reg, 403},
		{"encoded dot segment", "POST", "/subjects/%2e%2Forders-value/versions", reg, 403},
		{"encoded dot-dot segment", "POST", "/subjects/%2e%2e%2Forders-value/versions", reg, 403},
		{"raw dot-dot route", "POST", "/subjects/x/../orders-value/versions", reg, 404},
		{"encoded dot-dot route", "POST", "/subjects/%2e%2e/orders-value/versions", reg, 404},
		{"default context", "POST", "/subjects/:.:orders-value/versions", reg, 403},
		{"encoded default context", "POST", "/subjects/%3A.%3Aorders-value/versions", reg, 403},
		{"default context stacked before a slash", "POST", "/subjects/:.:%2Forders-value/versions", reg, 403},
		{"config through the default context", "PUT", "/config/:.:orders-value", map[string]any{"compatibility": "NONE"}, 403},
		{"upper case", "POST", "/subjects/ORDERS-VALUE/versions", reg, 403},
		{"mixed case", "POST", "/subjects/Orders-Value/versions", reg, 403},
		{"upper-case route", "POST", "/SUBJECTS/orders-value/versions", reg, 404},
		{"padded with spaces", "POST", "/subjects/%20orders-value%20/versions", reg, 403},
		{"trailing slash on register", "POST", "/subjects/orders-value/versions/", reg, 403},
		{"trailing slash on delete subject", "DELETE", "/subjects/orders-value/", nil, 403},
		{"trailing slash on delete version", "DELETE", "/subjects/orders-value/versions/1/", nil, 403},
		{"trailing slash on config", "PUT", "/config/orders-value/", map[string]any{"compatibility": "NONE"}, 403},
		{"trailing slash on mode", "PUT", "/mode/orders-value/", map[string]any{"mode": "READONLY"}, 403},
		{"encoded trailing slash on config", "DELETE", "/config/orders-value%2F", nil, 403},
		{"delete with encoded slash", "DELETE", "/subjects/orders-value%2F", nil, 403},
		{"mode through case", "PUT", "/mode/ORDERS-VALUE", map[string]any{"mode": "READONLY"}, 403},
		{"rebind the subject to an own topic", "POST", "/v1/catalog/topics", map[string]any{"name": "orders2", "owner": "shipping", "bindings": map[string]any{"value": "Orders-Value"}}, 409},
		{"take the topic over", "PUT", "/v1/catalog/topics/orders", map[string]any{"owner": "shipping"}, 403},
		{"unbind the subject", "PUT", "/v1/catalog/topics/orders/bindings", map[string]any{"value": ""}, 403},
		{"delete the topic", "DELETE", "/v1/catalog/topics/orders", nil, 403},
		{"topic name in another case", "PUT", "/v1/catalog/topics/ORDERS", map[string]any{"owner": "shipping"}, 403},
	}
	h := newAuthHarness(t, authOptions{unowned: registry.UnownedOpen})
	h.seedGovernance()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := h.end()
			r := h.call(asOther, c.method, c.path, c.body)
			if r.status != c.status {
				t.Fatalf("%s %s: %d, want %d: %s", c.method, c.path, r.status, c.status, r.body)
			}
			if after := h.end(); after != before {
				t.Errorf("%s %s wrote %d records", c.method, c.path, after-before)
			}
		})
	}
	// The owner is not locked out by the folding: it may write every
	// spelling of its own subject.
	h.must(asOwner, "POST", "/subjects/:.:orders-value/versions", reg)
	h.must(asOwner, "POST", "/subjects/Orders-Value/versions", reg)
}

// TestOwnershipIsPerContext: a context is a registry of its own, so
// ":.staging:orders-value" is another subject than "orders-value", owned by
// whoever binds it. Within the context every look-alike spelling of a
// bound subject (case, stacked prefixes, slashes) is refused to others,
// and an unbound one falls to the unowned-subject policy.
func TestOwnershipIsPerContext(t *testing.T) {
	reg := map[string]any{"schema": recordV2Default}
	h := newAuthHarness(t, authOptions{unowned: registry.UnownedOpen})
	h.seedGovernance()
	// payments owns orders-value, not its staging copy: shipping, under the
	// open policy, may write the unbound staging subject.
	h.must(asOther, "POST", "/subjects/:.staging:orders-value/versions", reg)
	// Bound to a topic of shipping's, the staging subject is shipping's.
	h.must(asAdmin, "POST", "/v1/catalog/topics", map[string]any{"name": "orders-staging", "owner": "shipping",
		"bindings": map[string]any{"value": ":.staging:orders-value"}})
	for _, c := range []struct{ method, path string }{
		{"POST", "/subjects/:.staging:orders-value/versions"},
		{"POST", "/subjects/%3A.staging%3Aorders-value/versions"},
		{"POST", "/subjects/:.Staging:ORDERS-VALUE/versions"},
		{"POST", "/subjects/:.staging::.b:orders-value/versions"},
		{"POST", "/subjects/:.staging:%2F:.b:orders-value/versions"},
		{"POST", "/contexts/.staging/subjects/orders-value/versions"},
		{"POST", "/contexts/staging/subjects/Orders-Value/versions"},
	} {
		before := h.end()
		if r := h.call(asOwner, c.method, c.path, reg); r.status != 403 {
			t.Fatalf("payments %s %s: %d, want 403: %s", c.method, c.path, r.status, r.body)
		}
		if after := h.end(); after != before {
			t.Errorf("%s %s wrote %d records", c.method, c.path, after-before)
		}
	}
	h.wantAs(asOwner, "PUT", "/config/:.staging:orders-value", map[string]any{"compatibility": "NONE"}, 403)
	h.wantAs(asOwner, "DELETE", "/subjects/:.staging:orders-value", nil, 403)
	h.must(asOther, "POST", "/contexts/.staging/subjects/orders-value/versions", reg)
	// The default context's subject stays payments'.
	h.wantAs(asOther, "POST", "/subjects/orders-value/versions", reg, 403)
	h.must(asOwner, "POST", "/subjects/orders-value/versions", reg)
	// A second topic cannot bind a look-alike of the staging subject, and
	// may bind the same name in another context.
	h.wantAs(asAdmin, "POST", "/v1/catalog/topics", map[string]any{"name": "orders-staging2", "owner": "payments",
		"bindings": map[string]any{"value": ":.Staging:Orders-Value"}}, 409)
	h.must(asAdmin, "POST", "/v1/catalog/topics", map[string]any{"name": "orders-prod", "owner": "payments",
		"bindings": map[string]any{"value": ":.prod:orders-value"}})
}

func (h *authHarness) wantAs(who, method, path string, body any, status int) {
	h.t.Helper()
	if r := h.call(who, method, path, body); r.status != status {
		h.t.Fatalf("%s %s as %s: %d, want %d: %s", method, path, who, r.status, status, r.body)
	}
}

// TestContextConfigAndModeAreForAdminsOnly: a context's config and mode
// (":.staging:", the default context ":.:") govern every subject in it, as
// the global ones do, and a Confluent registry sharing the log obeys them;
// no team owns a context, so only admins may change them.
func TestContextConfigAndModeAreForAdminsOnly(t *testing.T) {
	h := newAuthHarness(t, authOptions{unowned: registry.UnownedOpen})
	h.seedGovernance()
	writes := []struct {
		method, path string
		body         any
	}{
		{"PUT", "/config/:.staging:", map[string]any{"compatibility": "NONE"}},
		{"PUT", "/config/:.:", map[string]any{"compatibility": "NONE"}},
		{"PUT", "/config/:.a::.b:", map[string]any{"compatibility": "NONE"}},
		{"PUT", "/config/%3A.staging%3A", map[string]any{"compatibility": "NONE"}},
		{"PUT", "/mode/:.:", map[string]any{"mode": "READONLY"}},
		{"PUT", "/mode/:.staging:", map[string]any{"mode": "READONLY"}},
		{"PUT", "/mode/:.staging:/", map[string]any{"mode": "READONLY"}},
	}
	for _, who := range []string{asOwner, asOther} {
		for _, w := range writes {
			before := h.end()
			r := h.call(who, w.method, w.path, w.body)
			if r.status != http.StatusForbidden || r.errorCode(t) != int(registry.CodeForbidden) {
				t.Errorf("%s %s as %s: %d %s, want 403/40301", w.method, w.path, who, r.status, r.body)
			}
			if h.end() != before {
				t.Errorf("%s %s as %s wrote records", w.method, w.path, who)
			}
		}
	}
	for _, w := range writes {
		h.must(asAdmin, w.method, w.path, w.body)
	}
	// Once set, deleting them is for admins as well. The context's
	// READONLY mode goes first: a read-only scope refuses config writes.
	for _, path := range []string{"/mode/:.staging:", "/config/:.staging:", "/mode/:.:"} {
		if r := h.call(asOwner, "DELETE", path, nil); r.status != http.StatusForbidden {
			t.Errorf("DELETE %s as the owner: %d %s, want 403", path, r.status, r.body)
		}
		h.must(asAdmin, "DELETE", path, nil)
	}
}

// TestImportModeWritesAreForAdminsOnly covers IMPORT mode: only admins may
// put a subject or the registry in IMPORT mode, leave it, or write while
// it is on, even on a subject the caller's team owns.
func TestImportModeWritesAreForAdminsOnly(t *testing.T) {
	h := newAuthHarness(t, authOptions{})
	h.seedGovernance()
	imp := map[string]any{"mode": "IMPORT"}
	refuse := func(method, path string, body any) {
		t.Helper()
		before := h.end()
		r := h.call(asOwner, method, path, body)
		if r.status != http.StatusForbidden || r.errorCode(t) != int(registry.CodeForbidden) {
			t.Errorf("%s %s by the owner: %d %s, want 403/40301", method, path, r.status, r.body)
		}
		if h.end() != before {
			t.Errorf("%s %s by the owner wrote records", method, path)
		}
	}
	refuse("PUT", "/mode/orders-value?force=true", imp)
	refuse("PUT", "/mode/orders-value", map[string]any{"mode": "import"})
	refuse("PUT", "/mode?force=true", imp)
	h.must(asAdmin, "PUT", "/mode/orders-value?force=true", imp)
	withID := map[string]any{"schema": recordV2Default, "id": 500, "version": 7}
	refuse("POST", "/subjects/orders-value/versions", withID)
	refuse("POST", "/subjects/orders-value/versions", map[string]any{"schema": recordV2Default})
	refuse("DELETE", "/mode/orders-value", nil)
	refuse("PUT", "/mode/orders-value", map[string]any{"mode": "READWRITE"})
	refuse("DELETE", "/subjects/orders-value", nil)
	refuse("PUT", "/config/orders-value", map[string]any{"compatibility": "NONE"})
	r := h.must(asAdmin, "POST", "/subjects/orders-value/versions", withID)
	var out struct{ ID, Version int }
	r.json(t, &out)
	if out.ID != 500 || out.Version != 7 {
		t.Errorf("import by admin: id %d version %d", out.ID, out.Version)
	}
	// The global mode too.
	h.must(asAdmin, "DELETE", "/mode/orders-value", nil)
	h.must(asAdmin, "PUT", "/mode?force=true", imp)
	refuse("POST", "/subjects/orders-value/versions", map[string]any{"schema": recordV2Default})
	refuse("PUT", "/mode/orders-value", map[string]any{"mode": "READWRITE"})
	// Binding a subject claims it, so it is refused in IMPORT mode too.
	refuse("PUT", "/v1/catalog/topics/orders/bindings", map[string]any{"other": []string{"orders-new"}})
	refuse("POST", "/v1/catalog/topics", map[string]any{"name": "refunds", "owner": "payments"})
}
