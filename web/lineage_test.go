package web

import (
	"strings"
	"testing"
)

func lineageDirectory() *fakeDirectory {
	return &fakeDirectory{
		topics: []Topic{
			{Name: "orders", Team: "checkout", Producers: []string{"checkout-api"}, Consumers: []string{"billing", "warehouse"}},
			{Name: "payments", Team: "billing", Producers: []string{"billing"}, Consumers: []string{"checkout", "ledger-<script>"}},
			{Name: "quiet", Team: "checkout"},
			{Name: "elsewhere", Team: "logistics", Producers: []string{"dispatch"}, Consumers: []string{"notifications"}},
		},
		teams: []Team{{Name: "checkout"}, {Name: "billing"}, {Name: "logistics"}},
	}
}

// TestTopicLineage: a topic page draws producers → topic → consumers as
// SVG with text labels, a title, a description in words, and links to
// the teams the catalogue knows.
func TestTopicLineage(t *testing.T) {
	h := newHarness(t, WithDirectory(lineageDirectory()))
	body := h.ok("/ui/topics/orders")
	contains(t, body,
		`<svg id="lineage-topic" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 790 120" width="790" height="120" role="group" aria-labelledby="lineage-topic-title" aria-describedby="lineage-topic-caption">`,
		`<title id="lineage-topic-title">Lineage of topic orders</title>`,
		`<desc>Topic orders is produced by checkout-api and consumed by billing and warehouse.</desc>`,
		`<figcaption id="lineage-topic-caption">Topic orders is produced by checkout-api and consumed by billing and warehouse.</figcaption>`,
		// checkout-api is no team: a box without a link.
		`<g class="node producer"><title>checkout-api</title><rect x="10" y="53" width="190" height="28" rx="5"></rect><text x="20" y="72">checkout-api</text></g>`,
		`<g class="node topic focus"><a href="/ui/topics/orders"><title>orders</title>`,
		`<g class="node consumer"><a href="/ui/teams/billing"><title>billing</title>`,
		`<path class="edge" d="M200 67C250 67 250 67 294 67" marker-end="url(#lineage-topic-arrow)"><title>checkout-api produces to orders</title></path>`,
		`<title>orders is consumed by warehouse</title>`,
	)
	if n := strings.Count(body, `<path class="edge"`); n != 3 {
		t.Errorf("%d edges, want 3", n)
	}
	// Names are escaped in labels, titles and the description.
	body = h.ok("/ui/topics/payments")
	contains(t, body, `<text x="600" y="`, `ledger-&lt;script&gt;</text>`, `consumed by checkout and ledger-&lt;script&gt;.`)
	lacks(t, body, "ledger-<script>")
	contains(t, h.ok("/ui/topics/quiet"), "No producers or consumers are recorded for this topic")
}

// TestTeamLineage: a team page draws every topic the team owns, consumes
// or produces to, and no other.
func TestTeamLineage(t *testing.T) {
	h := newHarness(t, WithDirectory(lineageDirectory()))
	body := h.ok("/ui/teams/checkout")
	contains(t, body,
		`<title id="lineage-team-title">Lineage of team checkout&#39;s topics</title>`,
		`Topic orders is produced by checkout-api and consumed by billing and warehouse. Topic payments is produced by billing and consumed by checkout and ledger-&lt;script&gt;. Topic quiet has no producer recorded and no consumer recorded.`,
		`<g class="node consumer focus"><a href="/ui/teams/checkout"><title>checkout</title>`,
	)
	lacks(t, body, "elsewhere", "dispatch")
	contains(t, h.ok("/ui/teams/logistics"), "Topic elsewhere is produced by dispatch and consumed by notifications.")
}

func TestShortenKeepsRunes(t *testing.T) {
	if got := shorten("ééééé", 4); got != "ééé…" {
		t.Errorf("shorten = %q", got)
	}
	if got := shorten("abc", 4); got != "abc" {
		t.Errorf("shorten = %q", got)
	}
}
