package web

import (
	"context"
	"testing"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/governance"
	"github.com/charter-registry/charter/registry"
)

// TestGovernancePages reads teams, topics and the audit trail from the
// registry's own governance records, the default directory.
func TestGovernancePages(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	alice := registry.WithPrincipal(ctx, registry.Principal{Name: "alice", Teams: []string{"checkout"}})
	bob := registry.WithPrincipal(ctx, registry.Principal{Name: "bob", Teams: []string{"checkout"}})
	if _, err := gov(h.svc).CreateTeam(ctx, governance.Team{Name: "checkout", Description: "Basket and payment.",
		Contacts: []governance.Contact{{Name: "On call", Email: "oncall@example.com"}}}); err != nil {
		t.Fatal(err)
	}
	str := func(s string) *string { return &s }
	lc := func(l governance.Lifecycle) *governance.Lifecycle { return &l }
	if _, err := gov(h.svc).CreateTopic(ctx, "orders.v2", governance.TopicUpdate{
		Description: str("Every order placed, one event per state change."), Owner: str("checkout"),
		Tags: &[]string{"pii"}, Producers: &[]string{"checkout-api"}, Consumers: &[]string{"billing", "warehouse"},
		Docs:     &[]governance.Link{{Title: "Runbook", URL: "https://wiki.example.com/orders"}},
		Bindings: &governance.BindingsUpdate{Other: &[]string{"shop.Refund"}},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := gov(h.svc).CreateTopic(ctx, "orders", governance.TopicUpdate{
		Description: str("The first orders topic."), Owner: str("checkout"), Lifecycle: lc(governance.Deprecated), Successor: str("orders.v2"),
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.Register(alice, "orders.v2-value", registry.RegisterRequest{Schema: avroOrderV1}); err != nil {
		t.Fatal(err)
	}
	pr := registry.WithProvenance(alice, registry.Provenance{Reason: "add the note field", Link: "https://github.com/acme/schemas/pull/9"})
	if _, err := h.svc.Register(pr, "orders.v2-value", registry.RegisterRequest{Schema: avroOrderV2}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.Register(bob, "orders.v2-key", registry.RegisterRequest{Schema: `"string"`}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.DeleteVersion(bob, "orders.v2-value", 1, false); err != nil {
		t.Fatal(err)
	}
	h.register("orders-value", compat.Avro, avroOrderV1)

	body := h.ok("/ui/topics/orders.v2")
	contains(t, body,
		"Every order placed, one event per state change.",
		`<a href="/ui/teams/checkout">checkout</a> · contact <span class="contact">On call <a href="mailto:oncall@example.com">oncall@example.com</a></span>`,
		`<span class="badge life life-active">active</span>`,
		`succeeds <a href="/ui/topics/orders">orders</a>`,
		`<span class="badge app">checkout-api</span>`, `<span class="badge app">warehouse</span>`,
		`<span class="badge">pii</span>`,
		`<a href="https://wiki.example.com/orders" rel="noopener noreferrer">Runbook</a>`,
		`Value schema: <a href="/ui/subjects/orders.v2-value">orders.v2-value</a>`,
		`Key schema: <a href="/ui/subjects/orders.v2-key">orders.v2-key</a>`,
		"Bound but not registered yet: <code>shop.Refund</code>",
		"<dt>Write policy</dt><dd>single-writer</dd>",
	)
	lacks(t, body, "governance has no record")

	body = h.ok("/ui/topics/orders")
	contains(t, body, `<span class="badge life life-deprecated">deprecated</span>`, `succeeded by <a href="/ui/topics/orders.v2">orders.v2</a>`,
		`Value schema: <a href="/ui/subjects/orders-value">orders-value</a>`, "Bound but not registered yet: <code>orders-key</code>")

	body = h.ok("/ui/subjects/orders.v2-value")
	contains(t, body, "<td>alice</td>", `<td class="change">add the note field · <a href="https://github.com/acme/schemas/pull/9" rel="noopener noreferrer">https://github.com/acme/schemas/pull/9</a></td>`, `<span class="badge warn">deleted</span> <span class="muted">by bob, `, `href="/ui/topics/orders.v2"`, `href="/ui/teams/checkout"`)
	contains(t, h.ok("/ui/subjects/orders.v2-key"), "<td>bob</td>")

	body = h.ok("/ui/teams/checkout")
	contains(t, body, "Basket and payment.", `href="/ui/topics/orders.v2"`, `href="/ui/topics/orders"`, `href="/ui/subjects/orders.v2-value"`, `href="/ui/subjects/orders.v2-key"`)
	lacks(t, body, "inferred from the")

	body = h.ok("/ui/search?q=orders")
	contains(t, body, `href="/ui/topics/orders.v2"`, `href="/ui/topics/orders"`, "Every order placed, one event per state change.")
	contains(t, h.ok("/ui/search?q=check"), `href="/ui/teams/checkout"`)
}
