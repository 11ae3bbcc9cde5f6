package rules

import (
	"context"
	"errors"
	"testing"

	"github.com/charter-registry/charter/confluent"
)

func migrationSchema(rs ...confluent.Rule) *confluent.Schema {
	return &confluent.Schema{Schema: `"string"`, RuleSet: &confluent.RuleSet{MigrationRules: rs}}
}

// TestMigrateOrderAndModes: UPGRADE rules run in ruleSet order, DOWNGRADE
// rules in reverse, UPDOWN in both, and a false CONDITION fails.
func TestMigrateOrderAndModes(t *testing.T) {
	ctx := context.Background()
	e, err := New()
	if err != nil {
		t.Fatal(err)
	}
	s := migrationSchema(
		confluent.Rule{Name: "a", Kind: KindTransform, Mode: ModeUpDown, Type: TypeJSONata, Expr: `$merge([$, {"trail": $.trail & "a"}])`},
		confluent.Rule{Name: "b", Kind: KindTransform, Mode: ModeUpDown, Type: TypeJSONata, Expr: `$merge([$, {"trail": $.trail & "b"}])`},
		confluent.Rule{Name: "up", Kind: KindTransform, Mode: ModeUpgrade, Type: TypeJSONata, Expr: `$merge([$, {"up": true}])`},
		confluent.Rule{Name: "down", Kind: KindTransform, Mode: ModeDowngrade, Type: TypeCEL, Expr: `{"trail": message.trail, "down": true}`},
	)
	up, err := e.Migrate(ctx, Upgrade, s, map[string]any{"trail": ""}, Info{})
	if err != nil {
		t.Fatal(err)
	}
	if m := up.(map[string]any); m["trail"] != "ab" || m["up"] != true || m["down"] != nil {
		t.Fatalf("upgrade = %v", m)
	}
	down, err := e.Migrate(ctx, Downgrade, s, map[string]any{"trail": ""}, Info{})
	if err != nil {
		t.Fatal(err)
	}
	if m := down.(map[string]any); m["trail"] != "ba" || m["down"] != true || m["up"] != nil {
		t.Fatalf("downgrade = %v", m)
	}
	if !e.Migrates(s, Upgrade) || e.Migrates(migrationSchema(), Upgrade) {
		t.Fatal("Migrates")
	}
	if _, err := e.Migrate(ctx, Read, s, map[string]any{}, Info{}); err == nil {
		t.Fatal("Migrate in READ mode must fail")
	}
	cond := migrationSchema(confluent.Rule{Name: "positive", Kind: KindCondition, Mode: ModeUpgrade, Type: TypeJSONata, Expr: `n > 0`})
	if _, err := e.Migrate(ctx, Upgrade, cond, map[string]any{"n": 1.0}, Info{}); err != nil {
		t.Fatal(err)
	}
	_, err = e.Migrate(ctx, Upgrade, cond, map[string]any{"n": -1.0}, Info{Subject: "s"})
	var re *Error
	if !errors.As(err, &re) || !errors.Is(err, ErrConditionFailed) || re.Mode != Upgrade || re.Action != ActionError {
		t.Fatalf("false condition: %v", err)
	}
	off, _ := New(Disable("positive"))
	if off.Migrates(cond, Upgrade) {
		t.Fatal("a disabled rule still migrates")
	}
	if _, err := off.Migrate(ctx, Upgrade, cond, map[string]any{"n": -1.0}, Info{}); err != nil {
		t.Fatalf("disabled condition ran: %v", err)
	}
}

// TestMigrateMalformed: an expression that does not compile, or yields
// nothing, fails with the rule's error, not a panic.
func TestMigrateMalformed(t *testing.T) {
	e, _ := New()
	for _, expr := range []string{"$merge([", "(", "missing.field", "$sift($, function($v) {"} {
		s := migrationSchema(confluent.Rule{Name: "bad", Kind: KindTransform, Mode: ModeUpgrade, Type: TypeJSONata, Expr: expr})
		_, err := e.Migrate(context.Background(), Upgrade, s, map[string]any{"a": 1.0}, Info{})
		var re *Error
		if !errors.As(err, &re) || re.Rule.Name != "bad" {
			t.Fatalf("%q: err = %v", expr, err)
		}
	}
}

// FuzzJSONataMigrate: any expression on a fixed message gives a value or
// an error, never a panic.
func FuzzJSONataMigrate(f *testing.F) {
	f.Add(`$merge([$sift($, function($v, $k) {$k != 'size'}), {'height': $.'size'}])`)
	f.Add(`$merge([`)
	f.Add(`$.a.b[0]`)
	f.Add(`$sum(items.(price*qty))`)
	e, err := New()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		if len(expr) > 256 {
			return
		}
		s := migrationSchema(confluent.Rule{Name: "f", Kind: KindTransform, Mode: ModeUpgrade, Type: TypeJSONata, Expr: expr})
		msg := map[string]any{"size": 1.0, "name": "x", "items": []any{map[string]any{"price": 2.0, "qty": 3.0}}}
		_, _ = e.Migrate(context.Background(), Upgrade, s, msg, Info{})
	})
}
