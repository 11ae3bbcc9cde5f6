package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/governance"
	"github.com/charter-registry/charter/registry"
)

// clock is a settable time source for the service, so entries get known
// times.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// TestAuditPage: the audit page lists every write newest first, each with
// who, when, what, a link to the change and its provenance, and filters by
// subject, principal, operation and time; each entry has its own page.
func TestAuditPage(t *testing.T) {
	clk := &clock{now: time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)}
	h := newHarnessWith(t, registry.ServiceConfig{Now: clk.Now})
	ctx := context.Background()
	alice := registry.WithPrincipal(ctx, registry.Principal{Name: "alice"})
	bob := registry.WithPrincipal(ctx, registry.Principal{Name: "bob"})
	pr := registry.WithProvenance(alice, registry.Provenance{Reason: "first <b>orders</b> contract", Link: "https://github.com/acme/schemas/pull/7"})
	if _, err := h.svc.Register(pr, "orders-value", registry.RegisterRequest{Schema: avroOrderV1}); err != nil {
		t.Fatal(err)
	}
	clk.set(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	if _, err := h.svc.Register(bob, "orders-value", registry.RegisterRequest{Schema: avroOrderV2}); err != nil {
		t.Fatal(err)
	}
	clk.set(time.Date(2026, 3, 3, 11, 0, 0, 0, time.UTC))
	full := compat.Full
	if _, err := h.svc.SetConfig(bob, "", registry.Config{Compatibility: &full}); err != nil {
		t.Fatal(err)
	}

	body := h.ok("/ui/audit")
	contains(t, body,
		`<a href="/ui/audit" aria-current="page">Audit</a>`,
		`<td class="when">2026-03-01 09:30:00 UTC</td>`,
		`<td><a href="/ui/audit?principal=alice" title="Only entries by alice">alice</a></td>`,
		`<td><code>schema.registered</code></td>`,
		`<td><a href="/ui/subjects/orders-value#v1">orders-value v1</a></td>`,
		`<td class="change">first &lt;b&gt;orders&lt;/b&gt; contract · <a href="https://github.com/acme/schemas/pull/7" rel="noopener noreferrer">https://github.com/acme/schemas/pull/7</a></td>`,
		`<a href="/ui/subjects/orders-value#v2">orders-value v2</a>`,
		`<td><code>config.changed</code></td>`, `<span class="muted">global</span>`)
	lacks(t, body, "<b>orders</b>")
	// Newest first.
	if i, j := strings.Index(body, "config.changed"), strings.Index(body, "orders-value v1"); i < 0 || j < 0 || i > j {
		t.Errorf("entries are not newest first")
	}

	body = h.ok("/ui/audit?principal=alice")
	contains(t, body, "orders-value v1", `<input name="principal" value="alice"`, `<a href="/ui/audit">Clear filters</a>`)
	lacks(t, body, "orders-value v2", "<td><code>config.changed</code></td>")

	body = h.ok("/ui/audit?operation=config.changed")
	contains(t, body, "config.changed", `<option value="config.changed" selected>`)
	lacks(t, body, "orders-value v1")

	body = h.ok("/ui/audit?subject=orders-value&from=2026-03-02T00:00")
	contains(t, body, "orders-value v2")
	lacks(t, body, "orders-value v1", "<td><code>config.changed</code></td>")
	body = h.ok("/ui/audit?to=2026-03-01")
	contains(t, body, "orders-value v1")
	lacks(t, body, "orders-value v2")
	contains(t, h.ok("/ui/audit?principal=carol"), "No audit entries match these filters.")

	res := h.get("/ui/audit?from=yesterday")
	if res.status != http.StatusBadRequest || !strings.Contains(res.body, "is not a time") {
		t.Errorf("bad time: %d %s", res.status, res.body)
	}

	// The entry's own page: provenance, and the values a config change
	// replaced and set.
	entries := gov(h.svc).Audit(governance.AuditFilter{})
	cfgEntry := entries[0]
	body = h.ok(fmt.Sprintf("/ui/audit/%d", cfgEntry.Position))
	contains(t, body, "<code class=\"badge\">config.changed</code>", "<h2>After</h2>", `&#34;compatibilityLevel&#34;: &#34;FULL&#34;`, "the writer gave no reason or link")
	reg := entries[2]
	body = h.ok(fmt.Sprintf("/ui/audit/%d", reg.Position))
	contains(t, body, `<a href="/ui/subjects/orders-value#v1">orders-value v1</a>`, `<a href="https://github.com/acme/schemas/pull/7" rel="noopener noreferrer">`, "<code>"+reg.ID+"</code>")
	contains(t, h.ok("/ui/audit"), fmt.Sprintf(`<a href="/ui/audit/%d" aria-label="Audit entry %d">#%d</a>`, reg.Position, reg.Position, reg.Position))
	for _, bad := range []string{"/ui/audit/x", "/ui/audit/-1", "/ui/audit/99999"} {
		if res := h.get(bad); res.status != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", bad, res.status)
		}
	}
}

// TestAuditPagePages: a long trail is read a page at a time, the filters
// kept on the link to older entries.
func TestAuditPagePages(t *testing.T) {
	h := newHarness(t)
	bob := registry.WithPrincipal(context.Background(), registry.Principal{Name: "bob"})
	levels := []compat.Level{compat.Full, compat.Backward}
	for i := range auditPageSize + 5 {
		l := levels[i%2]
		if _, err := h.svc.SetConfig(bob, "s", registry.Config{Compatibility: &l}); err != nil {
			t.Fatal(err)
		}
	}
	body := h.ok("/ui/audit?principal=bob")
	if n := strings.Count(body, `<td class="when">`); n != auditPageSize {
		t.Fatalf("first page lists %d entries, want %d", n, auditPageSize)
	}
	entries := gov(h.svc).Audit(governance.AuditFilter{Limit: auditPageSize})
	older := fmt.Sprintf(`<a href="/ui/audit?before=%d&amp;principal=bob" rel="next">Older entries →</a>`, entries[len(entries)-1].Position)
	contains(t, body, older)
	body = h.ok(fmt.Sprintf("/ui/audit?before=%d&principal=bob", entries[len(entries)-1].Position))
	if n := strings.Count(body, `<td class="when">`); n != 5 {
		t.Errorf("second page lists %d entries, want 5", n)
	}
	contains(t, body, `<a href="/ui/audit?principal=bob">← Newest entries</a>`)
	lacks(t, body, "Older entries")
	if res := h.get("/ui/audit?before=abc"); res.status != http.StatusBadRequest {
		t.Errorf("before=abc: %d", res.status)
	}
}

// auditingDirectory is a fakeDirectory that records the filter the audit
// page asks for.
type auditingDirectory struct {
	fakeDirectory
	mu   sync.Mutex
	last governance.AuditFilter
}

func (d *auditingDirectory) auditTrail(f governance.AuditFilter) []registry.AuditEntry {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.last = f
	return []registry.AuditEntry{{Position: 4, Time: time.Unix(0, 0), Principal: "carol", Operation: "topic.updated", Topic: "orders", Team: "checkout"}}
}

// TestAuditPageTeamAndTopicFilters: the team and topic filters reach the
// audit trail, and a topic change links to the topic.
func TestAuditPageTeamAndTopicFilters(t *testing.T) {
	dir := &auditingDirectory{}
	h := newHarness(t, WithDirectory(dir))
	body := h.ok("/ui/audit?team=checkout&topic=orders")
	if dir.last.Team != "checkout" || dir.last.Topic != "orders" || dir.last.Limit != auditPageSize {
		t.Errorf("filter %+v", dir.last)
	}
	contains(t, body, `<td><a href="/ui/topics/orders">topic orders</a></td>`, `<td><a href="/ui/teams/checkout">checkout</a></td>`)

	// A directory without an audit trail says so.
	h = newHarness(t, WithDirectory(&fakeDirectory{}))
	contains(t, h.ok("/ui/audit"), "keeps no audit trail")
	if res := h.get("/ui/audit/1"); res.status != http.StatusNotFound {
		t.Errorf("entry without a trail: %d", res.status)
	}
}
