package client_test

import (
	"context"
	"testing"

	"github.com/charter-registry/charter/contracts/client"
	"github.com/charter-registry/charter/internal/registrytest"
)

// The client's codes and model are the server's: an incompatible
// registration carries CodeIncompatible, and a rule set's enableAt makes
// the round trip.
func TestClientAgreesWithTheServer(t *testing.T) {
	r := registrytest.Start(t)
	c := r.Client(t)
	ctx := context.Background()
	enableAt := int64(1767225600000)
	v1 := client.Schema{
		Schema:  `{"type":"record","name":"Order","fields":[{"name":"id","type":"string"}]}`,
		RuleSet: &client.RuleSet{DomainRules: []client.Rule{{Name: "hasId", Kind: "CONDITION", Mode: "WRITE", Type: "CEL", Expr: "message.id != ''"}}, EnableAt: &enableAt},
	}
	if _, err := c.Register(ctx, "orders-value", v1, false); err != nil {
		t.Fatal(err)
	}
	got, err := c.Latest(ctx, "orders-value")
	if err != nil {
		t.Fatal(err)
	}
	if got.RuleSet == nil || got.RuleSet.EnableAt == nil || *got.RuleSet.EnableAt != enableAt {
		t.Errorf("ruleSet.enableAt did not round-trip: %+v", got.RuleSet)
	}
	broken := client.Schema{Schema: `{"type":"record","name":"Order","fields":[{"name":"id","type":"long"}]}`}
	_, err = c.Register(ctx, "orders-value", broken, false)
	if code := client.Code(err); code != client.CodeIncompatible {
		t.Errorf("incompatible registration: code %d (%v), want CodeIncompatible %d", code, err, client.CodeIncompatible)
	}
}
