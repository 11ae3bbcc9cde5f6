package web

import (
	"context"
	"strings"
	"testing"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/registry"
)

const (
	lintCommand = `{"type":"record","name":"ShipOrder","namespace":"shop","doc":"Ship it.","fields":[{"name":"order_id","type":"string","doc":"The order."},{"name":"placed_at","type":"long","doc":"When."}]}`
	lintClean   = `{"type":"record","name":"Order","namespace":"shop","doc":"An order's state.","fields":[{"name":"order_id","type":"string","doc":"The order."}]}`
)

// TestSubjectPageShowsLintFindings: the subject page lists the latest
// version's findings under the subject's policy, every rule without one.
func TestSubjectPageShowsLintFindings(t *testing.T) {
	h := newHarness(t)
	h.register("ship-value", compat.Avro, lintCommand)
	body := h.ok("/ui/subjects/ship-value")
	contains(t, body, `<h2 id="h-lint">Event design <span class="count">2</span></h2>`,
		"with every rule (the subject has no lint policy)",
		"<code>EVENT_NAME_PAST_TENSE</code>", "<code>/</code>", "<code>TIMESTAMP_WITHOUT_LOGICAL_TYPE</code>")

	if _, err := h.svc.SetConfig(context.Background(), "ship-value", registry.Config{Lint: &registry.LintPolicy{Mode: registry.LintWarn, Use: []string{"TYPES"}}}); err != nil {
		t.Fatal(err)
	}
	body = h.ok("/ui/subjects/ship-value")
	contains(t, body, `Event design <span class="count">1</span>`, "under its lint policy (warn: the subject's, its topic's or the global one)", "<code>TIMESTAMP_WITHOUT_LOGICAL_TYPE</code>")
	if strings.Contains(body, "EVENT_NAME_PAST_TENSE") {
		t.Errorf("a rule the policy does not use is shown")
	}

	h.register("order-value", compat.Avro, lintClean)
	contains(t, h.ok("/ui/subjects/order-value"), `Event design <span class="count">0</span>`, "No lint findings.")
}

// TestTeamPageShowsLintScore: a team's score is the share of its subjects
// without findings.
func TestTeamPageShowsLintScore(t *testing.T) {
	h := newHarness(t)
	h.register("ship-value", compat.Avro, lintCommand, owned("Shipping", ""))
	h.register("order-value", compat.Avro, lintClean, owned("Shipping", ""))
	body := h.ok("/ui/teams/Shipping")
	contains(t, body, `<p class="lint-score" data-score="50">Event-design score: <strong>50%</strong>`, "(2 findings in all",
		`<a class="badge warn" href="/ui/subjects/ship-value#lint">2 findings</a>`, `<span class="badge ok">clean</span>`)
}
