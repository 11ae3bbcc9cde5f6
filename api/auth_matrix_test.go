package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/charter-registry/charter/api"
	"github.com/charter-registry/charter/governance"
	"github.com/charter-registry/charter/registry"
)

// subjectWrite is one write endpoint on a subject: how to prepare the
// subject (as an admin) so that the write succeeds when allowed, and the
// request itself.
type subjectWrite struct {
	name    string
	prepare func(h *authHarness, subject string)
	method  string
	path    func(subject string) string
	body    any
}

var subjectWrites = []subjectWrite{
	{name: "register", method: "POST", path: func(s string) string { return "/subjects/" + s + "/versions" }, body: map[string]any{"schema": recordV2Default}},
	{name: "delete subject", method: "DELETE", path: func(s string) string { return "/subjects/" + s }},
	{name: "delete subject permanently", method: "DELETE", path: func(s string) string { return "/subjects/" + s + "?permanent=true" },
		prepare: func(h *authHarness, s string) { h.must(asAdmin, "DELETE", "/subjects/"+s, nil) }},
	{name: "delete version", method: "DELETE", path: func(s string) string { return "/subjects/" + s + "/versions/1" }},
	{name: "delete version permanently", method: "DELETE", path: func(s string) string { return "/subjects/" + s + "/versions/1?permanent=true" },
		prepare: func(h *authHarness, s string) { h.must(asAdmin, "DELETE", "/subjects/"+s+"/versions/1", nil) }},
	{name: "set config", method: "PUT", path: func(s string) string { return "/config/" + s }, body: map[string]any{"compatibility": "FULL"}},
	{name: "delete config", method: "DELETE", path: func(s string) string { return "/config/" + s },
		prepare: func(h *authHarness, s string) {
			h.must(asAdmin, "PUT", "/config/"+s, map[string]any{"compatibility": "NONE"})
		}},
	{name: "set mode", method: "PUT", path: func(s string) string { return "/mode/" + s }, body: map[string]any{"mode": "READONLY"}},
	{name: "delete mode", method: "DELETE", path: func(s string) string { return "/mode/" + s },
		prepare: func(h *authHarness, s string) { h.must(asAdmin, "PUT", "/mode/"+s, map[string]any{"mode": "READONLY"}) }},
}

// The subject kinds of the matrix, from the owner team's point of view.
var subjectKinds = []struct {
	kind    string
	subject string
}{
	{"owned", "orders-value"},         // bound to payments' topic orders
	{"unowned", "loose-value"},        // bound to no topic
	{"other team's", "parcels-value"}, // bound to shipping's topic parcels
}

// wantSubjectWrite is the rule under test: admins may write anything; a
// team writes its own topics' subjects; unowned subjects follow the
// policy; anonymous writes need credentials.
func wantSubjectWrite(who, kind string, policy registry.UnownedPolicy) int {
	switch {
	case who == asAnonymous:
		return http.StatusUnauthorized
	case who == asAdmin:
		return http.StatusOK
	case kind == "unowned":
		if policy == registry.UnownedAdminOnly {
			return http.StatusForbidden
		}
		return http.StatusOK
	case kind == "owned" && who == asOwner, kind == "other team's" && who == asOther:
		return http.StatusOK
	}
	return http.StatusForbidden
}

// TestAuthorizationMatrix runs every write endpoint on a subject, as every
// kind of principal, on every kind of subject, under both unowned-subject
// policies, with and without anonymous reads, each on a fresh registry,
// and checks the exact status and error code, that a refused write leaves
// the log untouched, and that an allowed one is audited under the caller's
// name.
func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel() // a registry of its own
	principals := []string{asAdmin, asOwner, asOther, asAnonymous}
	names := map[string]string{asAdmin: "root", asOwner: "pay-ci", asOther: "ship-ci"}
	cases := 0
	for _, policy := range []registry.UnownedPolicy{registry.UnownedOpen, registry.UnownedAdminOnly} {
		for _, anon := range []bool{false, true} {
			for _, w := range subjectWrites {
				for _, sk := range subjectKinds {
					for _, who := range principals {
						name := fmt.Sprintf("%s/anonymous-read=%v/%s/%s/%s", policy, anon, w.name, sk.kind, who)
						t.Run(name, func(t *testing.T) {
							h := newAuthHarness(t, authOptions{unowned: policy, anonymousRead: anon})
							h.seedGovernance()
							if w.prepare != nil {
								w.prepare(h, sk.subject)
							}
							before := h.end()
							r := h.call(who, w.method, w.path(sk.subject), w.body)
							want := wantSubjectWrite(who, sk.kind, policy)
							checkDecision(t, h, r, want, before, names[who])
						})
						cases++
					}
				}
			}
		}
	}
	t.Logf("%d cases", cases)
}

// checkDecision asserts the status; for refusals, the Confluent-style code
// and that nothing was written; for successes, the audit entry.
func checkDecision(t *testing.T, h *authHarness, r response, want int, before int64, principal string) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d: %s", r.status, want, r.body)
	}
	switch want {
	case http.StatusUnauthorized:
		if code := r.errorCode(t); code != int(registry.CodeUnauthorized) {
			t.Errorf("error_code %d, want 40101", code)
		}
	case http.StatusForbidden:
		if code := r.errorCode(t); code != int(registry.CodeForbidden) {
			t.Errorf("error_code %d, want 40301", code)
		}
	}
	after := h.end()
	if want != http.StatusOK {
		if after != before {
			t.Errorf("a refused write appended %d records", after-before)
		}
		return
	}
	if after == before {
		t.Fatalf("an allowed write appended nothing")
	}
	last := gov(h.svc).Audit(governance.AuditFilter{Limit: 1})
	if len(last) != 1 || last[0].Principal != principal {
		t.Errorf("last audit entry %+v, want one by %s", last, principal)
	}
}

// globalWrite is a write that is not about one subject: global config and
// mode, teams and topics.
type globalWrite struct {
	name         string
	method, path string
	body         any
	// allowed lists who may make it, besides admins.
	allowed []string
}

var globalWrites = []globalWrite{
	{"set global config", "PUT", "/config", map[string]any{"compatibility": "FULL"}, nil},
	{"delete global config", "DELETE", "/config", nil, nil},
	{"set global mode", "PUT", "/mode", map[string]any{"mode": "READWRITE"}, nil},
	{"delete global mode", "DELETE", "/mode", nil, nil},
	{"set a context's config", "PUT", "/config/:.staging:", map[string]any{"compatibility": "FULL"}, nil},
	{"set the default context's config", "PUT", "/config/:.:", map[string]any{"compatibility": "FULL"}, nil},
	{"set a context's mode", "PUT", "/mode/:.staging:", map[string]any{"mode": "READONLY"}, nil},
	{"set the default context's mode", "PUT", "/mode/:.:", map[string]any{"mode": "READONLY"}, nil},
	{"create team", "POST", "/v1/catalog/teams", map[string]any{"name": "analytics"}, nil},
	{"update own team", "PUT", "/v1/catalog/teams/payments", map[string]any{"description": "Takes payments"}, []string{asOwner}},
	{"delete team", "DELETE", "/v1/catalog/teams/idle", nil, nil},
	{"create topic for own team", "POST", "/v1/catalog/topics", map[string]any{"name": "invoices", "owner": "payments"}, []string{asOwner}},
	{"update topic", "PUT", "/v1/catalog/topics/orders", map[string]any{"description": "Orders placed", "lifecycle": "deprecated"}, []string{asOwner}},
	{"hand topic over", "PUT", "/v1/catalog/topics/orders", map[string]any{"owner": "shipping"}, []string{asOwner}},
	{"bind subjects", "PUT", "/v1/catalog/topics/orders/bindings", map[string]any{"other": []string{"orders-audit"}}, []string{asOwner}},
	{"delete topic", "DELETE", "/v1/catalog/topics/orders", nil, []string{asOwner}},
}

func TestAuthorizationMatrixForGlobalAndCatalogWrites(t *testing.T) {
	t.Parallel() // a registry of its own
	names := map[string]string{asAdmin: "root", asOwner: "pay-ci", asOther: "ship-ci"}
	for _, policy := range []registry.UnownedPolicy{registry.UnownedOpen, registry.UnownedAdminOnly} {
		for _, w := range globalWrites {
			for _, who := range []string{asAdmin, asOwner, asOther, asAnonymous} {
				t.Run(fmt.Sprintf("%s/%s/%s", policy, w.name, who), func(t *testing.T) {
					h := newAuthHarness(t, authOptions{unowned: policy, anonymousRead: true})
					h.seedGovernance()
					want := http.StatusForbidden
					switch {
					case who == asAnonymous:
						want = http.StatusUnauthorized
					case who == asAdmin:
						want = http.StatusOK
					default:
						for _, a := range w.allowed {
							if a == who {
								want = http.StatusOK
							}
						}
					}
					before := h.end()
					r := h.call(who, w.method, w.path, w.body)
					checkDecision(t, h, r, want, before, names[who])
				})
			}
		}
	}
}

// TestReadsNeedAuthenticationUnlessAnonymousReadIsOn checks every kind of
// read: anonymous callers get 401 unless anonymous reads are on; bad
// credentials get 401 either way; probes never need credentials.
func TestReadsNeedAuthenticationUnlessAnonymousReadIsOn(t *testing.T) {
	reads := []struct{ method, path string }{
		{"GET", "/"},
		{"GET", "/subjects"},
		{"GET", "/subjects/orders-value/versions/latest"},
		{"POST", "/subjects/orders-value"},
		{"POST", "/compatibility/subjects/orders-value/versions/latest"},
		{"GET", "/schemas/ids/1"},
		{"GET", "/config/orders-value?defaultToGlobal=true"},
		{"GET", "/v1/catalog/teams"},
		{"GET", "/v1/catalog/topics/orders"},
		{"GET", "/v1/catalog/subjects/orders-value"},
		{"GET", "/v1/catalog/search?q=order"},
		{"GET", "/v1/audit"},
		{"GET", "/v1/changes"},
		{"GET", "/v1/auth/whoami"},
	}
	badKey := "Bearer chk_not-a-key"
	badBasic := basic("pay-ci", "wrong")
	for _, anon := range []bool{false, true} {
		// Every read is tried with a wrong password: more than the
		// failure limit allows by default.
		h := newAuthHarness(t, authOptions{anonymousRead: anon, maxFailures: 10 * len(reads)})
		h.seedGovernance()
		for _, rd := range reads {
			var body any
			if rd.method == "POST" {
				body = map[string]any{"schema": recordV1}
			}
			for _, who := range []string{asOther, asAnonymous, badKey, badBasic, "Digest abc", "Basic !!!"} {
				want := http.StatusOK
				if who == asAnonymous && !anon || who != asOther && who != asAnonymous {
					want = http.StatusUnauthorized
				}
				r := h.call(who, rd.method, rd.path, body)
				if r.status != want {
					t.Errorf("anonymous-read=%v %s %s as %q: %d, want %d: %s", anon, rd.method, rd.path, who, r.status, want, r.body)
					continue
				}
				if want == http.StatusUnauthorized {
					if code := r.errorCode(t); code != int(registry.CodeUnauthorized) {
						t.Errorf("%s %s as %q: error_code %d", rd.method, rd.path, who, code)
					}
					if r.header.Get("WWW-Authenticate") == "" {
						t.Errorf("%s %s as %q: 401 without WWW-Authenticate", rd.method, rd.path, who)
					}
				}
			}
		}
		for _, probe := range []string{"/healthz", "/readyz", "/metrics", "/openapi.yaml"} {
			if r := h.call(asAnonymous, "GET", probe, nil); r.status != http.StatusOK {
				t.Errorf("probe %s without credentials: %d", probe, r.status)
			}
		}
	}
}

func TestBasicAuthWithAPIKeyOrPasswordAndWhoami(t *testing.T) {
	t.Parallel() // a registry of its own
	h := newAuthHarness(t, authOptions{})
	pw, err := api.HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	creds := fmt.Sprintf("principals:\n  - name: pay-ci\n    teams: [payments]\n    keys: [%s]\n    password: %s\n", api.HashAPIKey(testKeys[asOwner]), pw)
	h.api.SetCredentials(mustCredentials(t, creds))
	for _, auth := range []string{
		basic("pay-ci", testKeys[asOwner]),
		basic("pay-ci", "correct horse battery staple"),
		basic("pay-ci", "correct horse battery staple"), // cached
		"Bearer " + testKeys[asOwner],
		"bearer " + testKeys[asOwner],
	} {
		r := h.call(auth, "GET", "/v1/auth/whoami", nil)
		var who struct {
			Name          string
			Teams         []string
			Authenticated bool
		}
		if r.status != 200 {
			t.Fatalf("whoami with %q: %d %s", auth, r.status, r.body)
		}
		r.json(t, &who)
		if who.Name != "pay-ci" || !who.Authenticated || len(who.Teams) != 1 || who.Teams[0] != "payments" {
			t.Errorf("whoami with %q: %+v", auth, who)
		}
	}
	// Rotation: the old admin key stopped working when the credentials
	// were replaced.
	if r := h.call(asAdmin, "GET", "/subjects", nil); r.status != http.StatusUnauthorized {
		t.Errorf("a key removed by rotation still works: %d", r.status)
	}
	for _, bad := range []string{basic("pay-ci", "correct horse"), basic("root", testKeys[asAdmin]), basic("pay-ci", ""), "Bearer " + url.QueryEscape(testKeys[asOwner]) + "x"} {
		if r := h.call(bad, "GET", "/subjects", nil); r.status != http.StatusUnauthorized {
			t.Errorf("credentials %q: %d, want 401", bad, r.status)
		}
	}
}
