package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charter-registry/charter/api"
	"github.com/charter-registry/charter/governance"
	"github.com/charter-registry/charter/internal/registrytest"
	"github.com/charter-registry/charter/registry"
)

// windowKeys are the principals of the upgrade-window story.
var windowKeys = map[string]string{
	"admin":     "chk_window-admin-key-0123456789abcdef012345678",
	"payments":  "chk_window-payments-key-0123456789abcdef0123456",
	"billing":   "chk_window-billing-key-0123456789abcdef01234567",
	"analytics": "chk_window-analytics-key-0123456789abcdef012345",
}

// windowServer is the upgrade-window story's server, its clock fixed at
// 2026-12-01 09:00 UTC.
func windowServer(t *testing.T) *governedServer {
	t.Helper()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	return startGoverned(t, windowKeys, []keyedPrincipal{
		{name: "root", admin: true, key: windowKeys["admin"]},
		{name: "pay-ci", teams: []string{"payments"}, key: windowKeys["payments"]},
		{name: "bill-ci", teams: []string{"billing"}, key: windowKeys["billing"]},
		{name: "ana-ci", teams: []string{"analytics"}, key: windowKeys["analytics"]},
	}, registry.AccessConfig{Enforce: true}, api.AuthConfig{}, registrytest.WithNow(func() time.Time { return now }))
}

// TestUpgradeWindowStory is the dual-schema upgrade window end to end over
// HTTP: create orders-v2, deprecate orders-v1 with a deadline, two
// consumers, one migrates, retirement is refused, the second migrates, the
// topic is retired and archived; every step is in the window's history
// and the audit trail.
func TestUpgradeWindowStory(t *testing.T) {
	s := windowServer(t)
	call, must := s.call, s.must
	for _, team := range []string{"payments", "billing", "analytics"} {
		must("admin", "POST", "/v1/catalog/teams", map[string]any{"name": team})
	}
	must("payments", "POST", "/v1/catalog/topics", map[string]any{"name": "orders-v1", "consumers": []string{"billing", "analytics"}})
	must("payments", "POST", "/v1/catalog/topics", map[string]any{"name": "orders-v2", "consumers": []string{"billing"}})

	// Deprecate v1 with a deadline: both consumers are pending.
	must("payments", "PUT", "/v1/catalog/topics/orders-v1", map[string]any{"lifecycle": "deprecated", "successor": "orders-v2", "sunsetDate": "2027-01-31"})
	var w governance.Window
	must("analytics", "GET", "/v1/catalog/topics/orders-v1/window", nil).json(t, &w)
	if w.Lifecycle != governance.Deprecated || w.Successor != "orders-v2" || w.SunsetDate != "2027-01-31T00:00:00Z" || w.DeprecationDate != "2026-12-01T09:00:00Z" {
		t.Fatalf("window after deprecation: %+v", w)
	}
	if w.SecondsLeft == nil || *w.SecondsLeft != int64((61*24-9)*3600) {
		t.Errorf("time left %v, want %d s", w.SecondsLeft, (61*24-9)*3600)
	}
	if !slices.Equal(w.Pending, []string{"billing", "analytics"}) || len(w.Consumers) != 2 || !w.Consumers[0].OnSuccessor || w.Consumers[1].OnSuccessor || !w.Consumers[0].Team {
		t.Fatalf("consumers after deprecation: %+v pending %v", w.Consumers, w.Pending)
	}

	// Only a consumer's own team (or an admin) sets its state.
	if r := call("payments", "PUT", "/v1/catalog/topics/orders-v1/migrations/billing", map[string]any{"state": "migrated"}); r.status != http.StatusForbidden {
		t.Errorf("the owner sets billing's state: %d %s, want 403", r.status, r.body)
	}
	if r := call("analytics", "PUT", "/v1/catalog/topics/orders-v1/migrations/billing", map[string]any{"state": "migrated"}); r.status != http.StatusForbidden {
		t.Errorf("analytics sets billing's state: %d %s, want 403", r.status, r.body)
	}
	if r := call("billing", "PUT", "/v1/catalog/topics/orders-v1/migrations/nobody", map[string]any{"state": "migrated"}); r.status != http.StatusNotFound {
		t.Errorf("state of an unlisted consumer: %d %s, want 404", r.status, r.body)
	}
	if r := call("billing", "PUT", "/v1/catalog/topics/orders-v1/migrations/billing", map[string]any{"state": "done"}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("unknown state: %d %s, want 422", r.status, r.body)
	}
	must("billing", "PUT", "/v1/catalog/topics/orders-v1/migrations/billing", map[string]any{"state": "migrated"}).json(t, &w)
	if !slices.Equal(w.Pending, []string{"analytics"}) {
		t.Fatalf("pending after billing migrated: %v", w.Pending)
	}

	// Retiring is refused while analytics is pending, for the owner and
	// for an admin who does not force it; a non-admin cannot force.
	for _, who := range []string{"payments", "admin"} {
		r := call(who, "PUT", "/v1/catalog/topics/orders-v1", map[string]any{"lifecycle": "retired"})
		if r.status != http.StatusConflict || !strings.Contains(string(r.body), `"error_code":40902`) || !strings.Contains(string(r.body), "analytics") {
			t.Errorf("retire with analytics pending as %s: %d %s, want 409 naming analytics", who, r.status, r.body)
		}
	}
	if r := call("payments", "PUT", "/v1/catalog/topics/orders-v1?force=true", map[string]any{"lifecycle": "retired"}); r.status != http.StatusForbidden {
		t.Errorf("the owner forces retirement: %d %s, want 403", r.status, r.body)
	}
	// Archiving skips a step: refused.
	if r := call("payments", "PUT", "/v1/catalog/topics/orders-v1", map[string]any{"lifecycle": "archived"}); r.status != http.StatusConflict {
		t.Errorf("archive a deprecated topic: %d %s, want 409", r.status, r.body)
	}

	must("analytics", "PUT", "/v1/catalog/topics/orders-v1/migrations/analytics", map[string]any{"state": "migrated"})
	must("payments", "PUT", "/v1/catalog/topics/orders-v1", map[string]any{"lifecycle": "retired"})
	if r := call("payments", "POST", "/subjects/orders-v1-value/versions", map[string]any{"schema": `"string"`}); r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), "retired") {
		t.Errorf("register on the retired topic: %d %s", r.status, r.body)
	}
	if r := call("billing", "PUT", "/v1/catalog/topics/orders-v1/migrations/billing", map[string]any{"state": "pending"}); r.status != http.StatusConflict {
		t.Errorf("change a state after retirement: %d %s, want 409", r.status, r.body)
	}
	must("payments", "PUT", "/v1/catalog/topics/orders-v1", map[string]any{"lifecycle": "archived"})
	if r := call("payments", "PUT", "/v1/catalog/topics/orders-v1", map[string]any{"lifecycle": "active"}); r.status != http.StatusConflict {
		t.Errorf("reactivate an archived topic: %d %s, want 409", r.status, r.body)
	}

	w = governance.Window{}
	must("billing", "GET", "/v1/catalog/topics/orders-v1/window", nil).json(t, &w)
	var steps []string
	for _, h := range w.History {
		if h.Consumer != "" {
			steps = append(steps, h.Principal+":"+h.Consumer+"="+string(h.State))
		} else {
			steps = append(steps, fmt.Sprintf("%s:%s>%s", h.Principal, h.From, h.To))
		}
	}
	want := []string{"pay-ci:active>deprecated", "bill-ci:billing=migrated", "ana-ci:analytics=migrated", "pay-ci:deprecated>retired", "pay-ci:retired>archived"}
	if !slices.Equal(steps, want) {
		t.Errorf("history %v, want %v", steps, want)
	}
	if w.Lifecycle != governance.Archived || w.SecondsLeft != nil || len(w.Pending) != 0 {
		t.Errorf("final window %+v", w)
	}
	// Every transition is an audited change event.
	var b governance.ChangeBatch
	must("admin", "GET", "/v1/changes?topic=orders-v1", nil).json(t, &b)
	var ops []string
	for _, e := range b.Events {
		ops = append(ops, string(e.Type))
	}
	if want := []string{"topic.created", "topic.updated", "topic.migration.changed", "topic.migration.changed", "topic.updated", "topic.updated"}; !slices.Equal(ops, want) {
		t.Errorf("change events %v, want %v", ops, want)
	}
}

// TestForcedRetirementIsAudited: an admin may retire past pending
// consumers; the entry says it was forced.
func TestForcedRetirementIsAudited(t *testing.T) {
	call := windowServer(t).call
	for _, team := range []string{"payments", "billing"} {
		send := call("admin", "POST", "/v1/catalog/teams", map[string]any{"name": team})
		if send.status != 200 {
			t.Fatal(string(send.body))
		}
	}
	for _, step := range []struct {
		who, method, path string
		body              any
	}{
		{"payments", "POST", "/v1/catalog/topics", map[string]any{"name": "orders-v1", "consumers": []string{"billing"}}},
		{"payments", "PUT", "/v1/catalog/topics/orders-v1", map[string]any{"lifecycle": "deprecated"}},
		{"admin", "PUT", "/v1/catalog/topics/orders-v1?force=true", map[string]any{"lifecycle": "retired"}},
	} {
		if r := call(step.who, step.method, step.path, step.body); r.status != http.StatusOK {
			t.Fatalf("%s %s: %d %s", step.method, step.path, r.status, r.body)
		}
	}
	var entries []registry.AuditEntry
	call("admin", "GET", "/v1/audit?topic=orders-v1&limit=1", nil).json(t, &entries)
	if len(entries) != 1 || !entries[0].Forced || entries[0].Principal != "root" {
		t.Errorf("forced retirement entry: %+v", entries)
	}
	var w governance.Window
	call("admin", "GET", "/v1/catalog/topics/orders-v1/window", nil).json(t, &w)
	if n := len(w.History); n == 0 || !w.History[n-1].Forced || !slices.Equal(w.Pending, []string{"billing"}) {
		t.Errorf("window after a forced retirement: %+v", w)
	}
}
