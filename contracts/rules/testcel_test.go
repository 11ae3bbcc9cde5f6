package rules_test

import (
	"context"
	"encoding/json"
	"errors"
	shared "github.com/charter-registry/charter/internal/testdata"
	"os"
	"strings"
	"testing"

	"github.com/charter-registry/charter/compat/avro"
	"github.com/charter-registry/charter/confluent"
	"github.com/charter-registry/charter/contracts/rules"
)

// sharedTestdata returns ../shared/testdata/confluent/<rel> from the repo
// root, skipping the test when the shared folder is absent.
func sharedTestdata(t *testing.T, rel string) string {
	return shared.Shared(t, "testdata/confluent/"+rel)
}

type celFixture struct {
	Schema  string            `json:"schema"`
	RuleSet confluent.RuleSet `json:"ruleSet"`
}

func loadTestCEL(t *testing.T) (celFixture, *confluent.Schema, rules.Fields) {
	t.Helper()
	b, err := os.ReadFile(sharedTestdata(t, "rules/test_cel.json"))
	if err != nil {
		t.Fatal(err)
	}
	var fx celFixture
	if err := json.Unmarshal(b, &fx); err != nil {
		t.Fatal(err)
	}
	parsed, err := avro.New().Parse(fx.Schema, nil)
	if err != nil {
		t.Fatal(err)
	}
	info := &confluent.Schema{ID: 1, Schema: fx.Schema, RuleSet: &fx.RuleSet}
	return fx, info, rules.AvroFields(parsed.(*avro.Schema).Avro(), nil)
}

// customer is a record that passes every rule of test_cel.json that RE2
// can evaluate.
func customer() map[string]any {
	return map[string]any{
		"ssn":     "123456789",
		"address": "#12 Main Street, CA 94105",
		"mail":    "bob@example.com",
		"user_id": "uid_42",
		"age":     30,
		"IBAN":    "GB82 WEST 1234 5698 7654 32",
		"active":  true,
		"balance": float32(10.5),
		"mode":    "ok",
	}
}

// TestConfluentTestCEL runs each rule of Confluent's test_cel.json alone on
// a valid and an invalid Customer, in the mode it declares and in the other
// mode, and checks the outcome Confluent's serdes give: ERROR or DLQ (with
// the rule's dlq.topic) on failure, nothing on success, the transform
// rewriting user_id, and rules of the other mode not running at all.
func TestConfluentTestCEL(t *testing.T) {
	fx, _, fields := loadTestCEL(t)
	eng, err := rules.New()
	if err != nil {
		t.Fatal(err)
	}
	type outcome struct {
		action   string // "" for success
		dlqTopic string
	}
	cases := []struct {
		rule    string
		invalid map[string]any // fields changed to make the record fail
		want    outcome        // outcome on the invalid record
	}{
		{"checkSSN", map[string]any{"ssn": "12345"}, outcome{action: rules.ActionError}},
		{"checkAddress", map[string]any{"address": "Main Street"}, outcome{action: rules.ActionError}},
		{"checkEmail", map[string]any{"mail": "bob.example.com"}, outcome{action: rules.ActionError}},
		{"checkUserId", map[string]any{"user_id": "42"}, outcome{action: rules.ActionError}},
		{"checkAge", map[string]any{"age": 18}, outcome{action: rules.ActionError}},
		{"checkActive", map[string]any{"active": false}, outcome{rules.ActionDLQ, "DLQ1"}},
		{"checkBalance", map[string]any{"balance": float32(-0.5)}, outcome{action: rules.ActionError}},
		{"checkModeWrite", map[string]any{"mode": "fail_write"}, outcome{rules.ActionDLQ, "DLQ2"}},
		{"checkModeRead", map[string]any{"mode": "fail_read"}, outcome{rules.ActionDLQ, "DLQ3"}},
	}
	for _, tc := range cases {
		t.Run(tc.rule, func(t *testing.T) {
			r := findRule(t, fx, tc.rule)
			p := compileOne(t, eng, fx, r, fields)
			own, other := rules.Write, rules.Read
			if r.Mode == "READ" {
				own, other = rules.Read, rules.Write
			}
			if _, err := p.Run(context.Background(), own, customer(), rules.Info{Subject: "s", Topic: "t"}); err != nil {
				t.Fatalf("valid record failed: %v", err)
			}
			bad := customer()
			for k, v := range tc.invalid {
				bad[k] = v
			}
			_, err := p.Run(context.Background(), own, bad, rules.Info{Subject: "s", Topic: "t"})
			var re *rules.Error
			if !errors.As(err, &re) {
				t.Fatalf("invalid record: err = %v, want a *rules.Error", err)
			}
			if re.Action != tc.want.action || re.DLQTopic != tc.want.dlqTopic || re.Rule.Name != tc.rule || re.Mode != own {
				t.Fatalf("invalid record: %+v, want action %s topic %q", re, tc.want.action, tc.want.dlqTopic)
			}
			if !errors.Is(err, rules.ErrConditionFailed) {
				t.Fatalf("cause = %v, want a failed condition", re.Err)
			}
			if !strings.HasPrefix(err.Error(), "Rule failed: "+tc.rule) {
				t.Fatalf("message %q does not start like Confluent's", err.Error())
			}
			// In the other mode the rule does not run.
			if _, err := p.Run(context.Background(), other, bad, rules.Info{}); err != nil {
				t.Fatalf("%s rule ran in %s mode: %v", r.Mode, other, err)
			}
		})
	}

	t.Run("checkIBAN", func(t *testing.T) {
		// The pattern uses a lookahead, which RE2 (cel-go, and so
		// confluent-kafka-go's CEL executor) refuses: the rule errors on
		// every record and takes its onFailure action, ERROR. Java's
		// executor, on java.util.regex, accepts it.
		p := compileOne(t, eng, fx, findRule(t, fx, "checkIBAN"), fields)
		_, err := p.Run(context.Background(), rules.Write, customer(), rules.Info{})
		var re *rules.Error
		if !errors.As(err, &re) || re.Action != rules.ActionError || errors.Is(err, rules.ErrConditionFailed) {
			t.Fatalf("err = %v, want an ERROR action for an evaluation failure", err)
		}
		if !strings.Contains(err.Error(), "invalid or unsupported Perl syntax") {
			t.Fatalf("err = %v, want RE2's complaint about the lookahead", err)
		}
	})

	t.Run("changeUserId", func(t *testing.T) {
		p := compileOne(t, eng, fx, findRule(t, fx, "changeUserId"), fields)
		in := customer()
		out, err := p.Run(context.Background(), rules.Write, in, rules.Info{})
		if err != nil {
			t.Fatal(err)
		}
		m := out.(map[string]any)
		if m["user_id"] != "Confluent" {
			t.Fatalf("user_id = %v, want Confluent", m["user_id"])
		}
		want := customer()
		for k, v := range want {
			if k != "user_id" && m[k] != v {
				t.Fatalf("the guard let the transform touch %s: %v, want %v", k, m[k], v)
			}
		}
		// A READ run does not transform.
		in2 := customer()
		out2, err := p.Run(context.Background(), rules.Read, in2, rules.Info{})
		if err != nil || out2.(map[string]any)["user_id"] != "uid_42" {
			t.Fatalf("READ run = %v, %v; want user_id untouched", out2, err)
		}
	})
}

// TestConfluentTestCELWholeSet runs the full rule set in order: a valid
// record passes every WRITE rule but the RE2-incompatible checkIBAN, which
// configuration disables here, and comes out with user_id rewritten; the
// first failing rule decides the outcome.
func TestConfluentTestCELWholeSet(t *testing.T) {
	_, info, fields := loadTestCEL(t)
	eng, err := rules.New(rules.Disable("checkIBAN"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := eng.Compile(info, fields)
	if err != nil {
		t.Fatal(err)
	}
	out, err := p.Run(context.Background(), rules.Write, customer(), rules.Info{})
	if err != nil {
		t.Fatal(err)
	}
	if out.(map[string]any)["user_id"] != "Confluent" {
		t.Fatalf("user_id = %v, want the transform's Confluent", out.(map[string]any)["user_id"])
	}
	// checkUserId runs before changeUserId, so it sees the original id.
	bad := customer()
	bad["user_id"] = "Confluent"
	_, err = p.Run(context.Background(), rules.Write, bad, rules.Info{})
	var re *rules.Error
	if !errors.As(err, &re) || re.Rule.Name != "checkUserId" {
		t.Fatalf("err = %v, want checkUserId to fail first", err)
	}
	// A record failing both checkActive (DLQ1) and checkModeWrite (DLQ2)
	// stops at the first.
	bad = customer()
	bad["active"], bad["mode"] = false, "fail_write"
	_, err = p.Run(context.Background(), rules.Write, bad, rules.Info{})
	if !errors.As(err, &re) || re.Rule.Name != "checkActive" || re.DLQTopic != "DLQ1" {
		t.Fatalf("err = %v, want checkActive to dead-letter to DLQ1", err)
	}
	// Without the disable, checkIBAN stops every record.
	eng2, _ := rules.New()
	p2, _ := eng2.Compile(info, fields)
	if _, err := p2.Run(context.Background(), rules.Write, customer(), rules.Info{}); !errors.As(err, &re) || re.Rule.Name != "checkIBAN" {
		t.Fatalf("err = %v, want checkIBAN to fail", err)
	}
}

func findRule(t *testing.T, fx celFixture, name string) confluent.Rule {
	t.Helper()
	for _, r := range fx.RuleSet.DomainRules {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("test_cel.json has no rule %s", name)
	return confluent.Rule{}
}

func compileOne(t *testing.T, eng *rules.Engine, fx celFixture, r confluent.Rule, fields rules.Fields) *rules.Program {
	t.Helper()
	p, err := eng.Compile(&confluent.Schema{ID: 1, Schema: fx.Schema, RuleSet: &confluent.RuleSet{DomainRules: []confluent.Rule{r}}}, fields)
	if err != nil || p == nil {
		t.Fatalf("compile %s: %v", r.Name, err)
	}
	return p
}
