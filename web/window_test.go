package web

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/charter-registry/charter/governance"
	"github.com/charter-registry/charter/registry"
)

// TestUpgradeWindowTimeline walks the upgrade-window story and reads the
// topic page at each step: deprecated with a deadline and two consumers,
// one migrates, retiring is refused, the second migrates, retired, then
// archived. The page shows the lifecycle steps, the dates, time left,
// the successor, each consumer's state and the history.
func TestUpgradeWindowTimeline(t *testing.T) {
	clk := &clock{now: time.Date(2027, 1, 1, 9, 0, 0, 0, time.UTC)}
	h := newHarnessWith(t, registry.ServiceConfig{Now: clk.Now})
	ctx := registry.WithPrincipal(context.Background(), registry.Principal{Name: "root", Admin: true})
	g := gov(h.svc)
	str := func(s string) *string { return &s }
	lc := func(l governance.Lifecycle) *governance.Lifecycle { return &l }
	for _, team := range []string{"checkout", "billing", "logistics"} {
		if _, err := g.CreateTeam(ctx, governance.Team{Name: team}); err != nil {
			t.Fatal(err)
		}
	}
	consumers := &[]string{"billing", "logistics", "reports-app"}
	if _, err := g.CreateTopic(ctx, "invoices-v2", governance.TopicUpdate{Owner: str("checkout"), Consumers: &[]string{"billing"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := g.CreateTopic(ctx, "invoices", governance.TopicUpdate{Owner: str("checkout"), Consumers: consumers}); err != nil {
		t.Fatal(err)
	}
	lacks(t, h.ok("/ui/topics/invoices"), "Upgrade window")

	pr := registry.WithProvenance(ctx, registry.Provenance{Reason: "amounts become decimals", Link: "https://git.example.com/pr/7"})
	if _, err := g.UpdateTopic(pr, "invoices", governance.TopicUpdate{Lifecycle: lc(governance.Deprecated), Successor: str("invoices-v2"),
		DeprecationDate: str("2027-01-01"), SunsetDate: str("2027-01-31")}); err != nil {
		t.Fatal(err)
	}
	body := h.ok("/ui/topics/invoices")
	contains(t, body,
		`<h2 id="h-window">Upgrade window</h2>`,
		`<li class="stage done">active</li><li class="stage current" aria-current="step">deprecated</li><li class="stage next">retired</li><li class="stage next">archived</li>`,
		`<dt>Successor</dt><dd><a href="/ui/topics/invoices-v2">invoices-v2</a></dd>`,
		`<dt>Deprecated</dt><dd>2027-01-01 00:00 UTC</dd>`, `<dt>Sunset</dt><dd>2027-01-31 00:00 UTC</dd>`,
		`<dd class="left">29 days left</dd>`,
		`<dd class="migrated">0 of 3 consumers · pending: billing, logistics, reports-app (retiring the topic is refused until they have migrated)</dd>`,
		`<th scope="row"><a href="/ui/teams/billing">billing</a></th>`, `<td>yes</td>`,
		`<th scope="row">reports-app</th>`,
		`<title id="window-title">Upgrade window of topic invoices</title>`,
		`<desc id="window-desc">From the deprecation on 2027-01-01 to the sunset on 2027-01-31; today is 2027-01-01; 0 migrations marked.</desc>`,
		`<strong>deprecated (was active)</strong> by root · amounts become decimals · <a href="https://git.example.com/pr/7" rel="noopener noreferrer">https://git.example.com/pr/7</a>`,
	)

	clk.set(time.Date(2027, 1, 16, 0, 0, 0, 0, time.UTC))
	for _, c := range []string{"billing", "reports-app"} {
		if _, err := g.SetMigration(ctx, "invoices", c, governance.Migrated); err != nil {
			t.Fatal(err)
		}
	}
	body = h.ok("/ui/topics/invoices")
	contains(t, body, `<dd class="left">15 days left</dd>`, `2 of 3 consumers · pending: logistics`,
		`<circle class="mark" cx="380" cy="44" r="5"><title>billing migrated 2027-01-16</title></circle>`,
		`<line class="now" x1="380"`, `<strong>billing migrated</strong> by root`)

	if _, err := g.UpdateTopic(ctx, "invoices", governance.TopicUpdate{Lifecycle: lc(governance.Retired)}); !errors.Is(err, &registry.Error{Code: registry.CodeConflict}) {
		t.Fatalf("retire with logistics pending: %v, want a conflict", err)
	}
	clk.set(time.Date(2027, 2, 3, 0, 0, 0, 0, time.UTC))
	contains(t, h.ok("/ui/topics/invoices"), `<dd class="left overdue">the sunset date passed 3 days ago</dd>`)
	if _, err := g.SetMigration(ctx, "invoices", "logistics", governance.Migrated); err != nil {
		t.Fatal(err)
	}
	for _, l := range []governance.Lifecycle{governance.Retired, governance.Archived} {
		if _, err := g.UpdateTopic(ctx, "invoices", governance.TopicUpdate{Lifecycle: lc(l)}); err != nil {
			t.Fatalf("to %s: %v", l, err)
		}
	}
	body = h.ok("/ui/topics/invoices")
	contains(t, body,
		`<li class="stage done">retired</li><li class="stage current" aria-current="step">archived</li>`,
		`<strong>retired (was deprecated)</strong>`, `<strong>archived (was retired)</strong>`,
		`<span class="badge ok">migrated</span>`)
	lacks(t, body, `<dd class="left`, `<line class="now"`, `<span class="badge warn">pending</span>`)
	// History is oldest first and links each step to its audit entry.
	i, j := strings.Index(body, "deprecated (was active)"), strings.Index(body, "archived (was retired)")
	if i < 0 || j < i {
		t.Errorf("history out of order")
	}
	if n := strings.Count(body, `">audit entry</a></li>`); n != 6 {
		t.Errorf("%d history entries link their audit entry, want 6", n)
	}
}

func TestHumanDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		29 * 24 * time.Hour: "29 days", 47 * time.Hour: "47 hours", 90 * time.Minute: "90 minutes", time.Minute: "less than two minutes",
	} {
		if got := humanDuration(d); got != want {
			t.Errorf("humanDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestTopicPageShowsSLAAndClassification: what the owner publishes about
// a topic is on its page.
func TestTopicPageShowsSLAAndClassification(t *testing.T) {
	h := newHarness(t)
	ctx := registry.WithPrincipal(context.Background(), registry.Principal{Name: "root", Admin: true})
	g := gov(h.svc)
	if _, err := g.CreateTeam(ctx, governance.Team{Name: "checkout"}); err != nil {
		t.Fatal(err)
	}
	owner, class := "checkout", "confidential"
	if _, err := g.CreateTopic(ctx, "orders", governance.TopicUpdate{Owner: &owner, Classification: &class,
		SLA: &governance.SLA{Freshness: "5m", Ordering: "per-key", Retention: "7d"}}); err != nil {
		t.Fatal(err)
	}
	contains(t, h.ok("/ui/topics/orders"),
		`<dt>SLA</dt><dd class="sla">freshness <strong>5m</strong> · ordering <strong>per-key</strong> · retention <strong>7d</strong></dd>`,
		`<dt>Classification</dt><dd><span class="badge class-confidential">confidential</span></dd>`)
	if _, err := g.CreateTopic(ctx, "plain", governance.TopicUpdate{Owner: &owner}); err != nil {
		t.Fatal(err)
	}
	lacks(t, h.ok("/ui/topics/plain"), "<dt>SLA</dt>", "<dt>Classification</dt>")
}
