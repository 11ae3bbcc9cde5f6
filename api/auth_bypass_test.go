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
		{"context-qualified", "POST", "/subjects/:.staging:orders-value/versions", reg, 403},
		{"encoded context", "POST", "/subjects/%3A.staging%3Aorders-value/versions", reg, 403},
		{"default context", "POST", "/subjects/:.:orders-value/versions", reg, 403},
		{"context and case", "POST", "/subjects/:.prod:ORDERS-VALUE/versions", reg, 403},
		{"two contexts", "POST", "/subjects/:.ctx::.ctx2:orders-value/versions", reg, 403},
		{"three contexts, one default, and case", "POST", "/subjects/:.a::.::.b:Orders-Value/versions", reg, 403},
		{"encoded stacked contexts", "POST", "/subjects/%3A.a%3A%3A.b%3Aorders-value/versions", reg, 403},
		{"contexts around a slash", "POST", "/subjects/:.a:%2F:.b:orders-value/versions", reg, 403},
		{"config through stacked contexts", "PUT", "/config/:.a::.b:orders-value", map[string]any{"compatibility": "NONE"}, 403},
		{"mode through stacked contexts", "PUT", "/mode/:.a::.b:orders-value", map[string]any{"mode": "READONLY"}, 403},
		{"delete through stacked contexts", "DELETE", "/subjects/:.a::.b:orders-value", nil, 403},
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
		{"config through context", "PUT", "/config/:.staging:orders-value", map[string]any{"compatibility": "NONE"}, 403},
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
	h.must(asOwner, "POST", "/subjects/:.staging:orders-value/versions", reg)
	h.must(asOwner, "POST", "/subjects/Orders-Value/versions", reg)
	h.must(asOwner, "POST", "/subjects/:.ctx::.ctx2:orders-value/versions", reg)
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
