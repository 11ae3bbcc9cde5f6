package registry_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/charter-registry/charter/registry"
)

const commandNamed = `{"type":"record","name":"ShipOrder","doc":"x","fields":[{"name":"order_id","type":"string","doc":"x"}]}`

// TestLintPolicyIsStoredAndReplayed sets a subject's lint policy, restarts
// over the same log and finds it in force: it is a CONFIG record like the
// rest of the config.
func TestLintPolicyIsStoredAndReplayed(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	r := start(t, dir, false)
	policy := &registry.LintPolicy{Mode: registry.LintEnforce, Except: []string{"DOCS"}, Event: "delta"}
	if _, err := r.svc.SetConfig(ctx, "orders-value", registry.Config{Lint: policy}); err != nil {
		t.Fatal(err)
	}
	r.stop()

	for _, compact := range []bool{false, true} {
		r = start(t, dir, compact)
		got, err := r.svc.GetConfig("orders-value", false)
		if err != nil || !reflect.DeepEqual(got.Lint, policy) {
			t.Fatalf("compact=%v: config after replay %+v, %v", compact, got.Lint, err)
		}
		_, _, err = r.svc.RegisterLinted(ctx, "orders-value", registry.RegisterRequest{Schema: commandNamed})
		var le *registry.LintError
		if !errors.Is(err, &registry.Error{Code: registry.CodeLintViolations}) || !errors.As(err, &le) || len(le.Findings) != 1 || le.Findings[0].Rule != "EVENT_NAME_PAST_TENSE" {
			t.Fatalf("compact=%v: register under the replayed policy: %v", compact, err)
		}
		r.stop()
	}
}

// TestLintWarnRegistersAndReturnsFindings: warn registers, the findings
// come back; off (or no policy) lints nothing; IMPORT mode skips lint.
func TestLintWarnRegistersAndReturnsFindings(t *testing.T) {
	ctx := context.Background()
	r := start(t, t.TempDir(), false)
	defer r.stop()
	out, fs, err := r.svc.RegisterLinted(ctx, "plain-value", registry.RegisterRequest{Schema: commandNamed})
	if err != nil || fs != nil || out.Version != 1 {
		t.Fatalf("no policy: %+v %v %v", out, fs, err)
	}
	if _, err := r.svc.SetConfig(ctx, "warn-value", registry.Config{Lint: &registry.LintPolicy{Mode: "WARN"}}); err != nil {
		t.Fatal(err)
	}
	out, fs, err = r.svc.RegisterLinted(ctx, "warn-value", registry.RegisterRequest{Schema: commandNamed})
	if err != nil || out.Version != 1 || len(fs) != 1 || fs[0].Rule != "EVENT_NAME_PAST_TENSE" || fs[0].Line != 1 || fs[0].Column != 25 {
		t.Fatalf("warn: %+v %+v %v", out, fs, err)
	}
	if _, err := r.svc.SetConfig(ctx, "off-value", registry.Config{Lint: &registry.LintPolicy{Mode: registry.LintOff}}); err != nil {
		t.Fatal(err)
	}
	if _, fs, err := r.svc.RegisterLinted(ctx, "off-value", registry.RegisterRequest{Schema: commandNamed}); err != nil || fs != nil {
		t.Fatalf("off: %v %v", fs, err)
	}
	if _, err := r.svc.SetConfig(ctx, "imp-value", registry.Config{Lint: &registry.LintPolicy{Mode: registry.LintEnforce}}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.SetMode(ctx, "imp-value", registry.Import, false); err != nil {
		t.Fatal(err)
	}
	if _, fs, err := r.svc.RegisterLinted(ctx, "imp-value", registry.RegisterRequest{Schema: commandNamed, ID: 50, Version: 1}); err != nil || fs != nil {
		t.Fatalf("import mode: %v %v", fs, err)
	}
}
