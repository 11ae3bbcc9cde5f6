package rules_test

import (
	"context"
	"errors"
	"testing"

	"github.com/charter-registry/charter/compat/avro"
	"github.com/charter-registry/charter/confluent"
	"github.com/charter-registry/charter/contracts/rules"
)

const orderAvro = `{"type":"record","name":"Order","namespace":"acme","fields":[{"name":"amount","type":"double"},{"name":"email","type":"string"}]}`

func orderFields(t *testing.T) rules.Fields {
	t.Helper()
	s, err := avro.New().Parse(orderAvro, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rules.AvroFields(s.(*avro.Schema).Avro(), &confluent.Metadata{Tags: map[string][]string{"acme.Order.e*": {"PII"}}})
}

// run compiles rule alone (with schema metadata md) on eng and runs it on
// an order with the given amount in mode.
func run(t *testing.T, eng *rules.Engine, md *confluent.Metadata, rule confluent.Rule, mode rules.Mode, amount float64) (map[string]any, error) {
	t.Helper()
	p, err := eng.Compile(&confluent.Schema{ID: 1, Schema: orderAvro, Metadata: md, RuleSet: &confluent.RuleSet{DomainRules: []confluent.Rule{rule}}}, orderFields(t))
	if err != nil {
		t.Fatal(err)
	}
	out, err := p.Run(context.Background(), mode, map[string]any{"amount": amount, "email": "a@b.c"}, rules.Info{Subject: "orders-value", Topic: "orders"})
	if out == nil {
		return nil, err
	}
	return out.(map[string]any), err
}

func TestActionsAndTopics(t *testing.T) {
	plain, _ := rules.New()
	positive := confluent.Rule{Name: "positive", Kind: "CONDITION", Mode: "WRITE", Type: "CEL", Expr: "message.amount > 0"}
	withAction := func(r confluent.Rule, onSuccess, onFailure string, params map[string]string) confluent.Rule {
		r.OnSuccess, r.OnFailure, r.Params = onSuccess, onFailure, params
		return r
	}
	metaTopic := &confluent.Metadata{Properties: map[string]string{"dlq.topic": "from-metadata"}}
	cases := []struct {
		name       string
		eng        *rules.Engine
		md         *confluent.Metadata
		rule       confluent.Rule
		mode       rules.Mode
		amount     float64
		wantAction string // "" when the value passes
		wantTopic  string
	}{
		{"default failure action is ERROR", plain, nil, positive, rules.Write, -1, rules.ActionError, ""},
		{"NONE lets a failure through", plain, nil, withAction(positive, "", "NONE", nil), rules.Write, -1, "", ""},
		{"success passes", plain, nil, withAction(positive, "", "DLQ", nil), rules.Write, 1, "", ""},
		{"onSuccess ERROR stops a success", plain, nil, withAction(positive, "ERROR", "", nil), rules.Write, 1, rules.ActionError, ""},
		{"DLQ topic from params", plain, metaTopic, withAction(positive, "", "DLQ", map[string]string{"dlq.topic": "from-params"}), rules.Write, -1, rules.ActionDLQ, "from-params"},
		{"DLQ topic from metadata", plain, metaTopic, withAction(positive, "", "DLQ", nil), rules.Write, -1, rules.ActionDLQ, "from-metadata"},
		{"DLQ topic from the action config", mustEngine(t, rules.DLQTopic("from-config")), metaTopic, withAction(positive, "", "DLQ", map[string]string{"dlq.topic": "from-params"}), rules.Write, -1, rules.ActionDLQ, "from-config"},
		{"WRITEREAD pair on write", plain, nil, func() confluent.Rule {
			r := withAction(positive, "", "DLQ,ERROR", map[string]string{"dlq.topic": "d"})
			r.Mode = "WRITEREAD"
			return r
		}(), rules.Write, -1, rules.ActionDLQ, "d"},
		{"WRITEREAD pair on read", plain, nil, func() confluent.Rule { r := withAction(positive, "", "DLQ,ERROR", nil); r.Mode = "WRITEREAD"; return r }(), rules.Read, -1, rules.ActionError, ""},
		{"disabled flag", plain, nil, func() confluent.Rule { r := positive; r.Disabled = true; return r }(), rules.Write, -1, "", ""},
		{"disabled by name", mustEngine(t, rules.Disable("positive")), nil, positive, rules.Write, -1, "", ""},
		{"disabled by type", mustEngine(t, rules.DisableTypes("CEL")), nil, positive, rules.Write, -1, "", ""},
		{"action override", mustEngine(t, rules.OverrideActions("CEL", "", "NONE")), nil, positive, rules.Write, -1, "", ""},
		{"JSONATA condition holds", plain, nil, confluent.Rule{Name: "js", Kind: "CONDITION", Mode: "WRITE", Type: "JSONATA", Expr: "amount > 0"}, rules.Write, 1, "", ""},
		{"JSONATA condition fails", plain, nil, confluent.Rule{Name: "js", Kind: "CONDITION", Mode: "WRITE", Type: "JSONATA", Expr: "amount > 0"}, rules.Write, -1, rules.ActionError, ""},
		{"JSONATA that does not parse fails", plain, nil, confluent.Rule{Name: "js", Kind: "CONDITION", Mode: "WRITE", Type: "JSONATA", Expr: "amount >"}, rules.Write, 1, rules.ActionError, ""},
		{"unknown type fails", plain, nil, confluent.Rule{Name: "wasm", Kind: "CONDITION", Mode: "WRITE", Type: "WASM", Expr: "true"}, rules.Write, 1, rules.ActionError, ""},
		{"bad expression fails", plain, nil, confluent.Rule{Name: "bad", Kind: "CONDITION", Mode: "WRITE", Type: "CEL", Expr: "message.amount >"}, rules.Write, 1, rules.ActionError, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := run(t, tc.eng, tc.md, tc.rule, tc.mode, tc.amount)
			if tc.wantAction == "" {
				if err != nil {
					t.Fatalf("err = %v, want the value to pass", err)
				}
				return
			}
			var re *rules.Error
			if !errors.As(err, &re) || re.Action != tc.wantAction || re.DLQTopic != tc.wantTopic {
				t.Fatalf("err = %v (%+v), want action %s topic %q", err, re, tc.wantAction, tc.wantTopic)
			}
			if re.Subject != "orders-value" || re.Topic != "orders" || re.Mode != tc.mode {
				t.Fatalf("error context %+v", re)
			}
		})
	}
}

func TestFieldRulesByTag(t *testing.T) {
	eng := mustEngine(t)
	mask := confluent.Rule{Name: "mask", Kind: "TRANSFORM", Mode: "WRITE", Type: "CEL_FIELD", Tags: []string{"PII"}, Expr: "'***'"}
	out, err := run(t, eng, &confluent.Metadata{Tags: map[string][]string{"acme.Order.e*": {"PII"}}}, mask, rules.Write, 5)
	if err != nil || out["email"] != "***" || out["amount"] != 5.0 {
		t.Fatalf("mask = %v, %v; want only the PII-tagged email masked", out, err)
	}
	check := confluent.Rule{Name: "emails", Kind: "CONDITION", Mode: "WRITE", Type: "CEL_FIELD", Tags: []string{"PII"}, Expr: "value.isEmail()"}
	if _, err := run(t, eng, nil, check, rules.Write, 5); err != nil {
		t.Fatalf("isEmail on a@b.c: %v", err)
	}
	typed := confluent.Rule{Name: "typed", Kind: "CONDITION", Mode: "WRITE", Type: "CEL_FIELD", Expr: "typeName == 'DOUBLE' ; value > 10.0"}
	if _, err := run(t, eng, nil, typed, rules.Write, 5); err == nil {
		t.Fatal("a field condition that fails on amount passed")
	}
	bad := confluent.Rule{Name: "bad", Kind: "TRANSFORM", Mode: "WRITE", Type: "CEL_FIELD", Expr: "name == 'amount' ; 'text'"}
	if _, err := run(t, eng, nil, bad, rules.Write, 5); err == nil {
		t.Fatal("a transform that puts a string in a double passed")
	}
}

func mustEngine(t *testing.T, opts ...rules.Opt) *rules.Engine {
	t.Helper()
	e, err := rules.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return e
}
