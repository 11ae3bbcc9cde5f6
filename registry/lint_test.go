package registry_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/charter-registry/charter/governance"
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

// TestLintComparesAFirstSchemaWithThePredecessorTopic: a topic's first
// value schema is compared with the value schema of the topic that names
// it as successor, so a breaking successor must carry a versioned name.
func TestLintComparesAFirstSchemaWithThePredecessorTopic(t *testing.T) {
	ctx := context.Background()
	r := start(t, t.TempDir(), false)
	defer r.stop()
	str := func(s string) *string { return &s }
	if _, err := gov(r.svc).CreateTeam(ctx, governance.Team{Name: "checkout"}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"orders-next", "orders.v2", "orders"} {
		u := governance.TopicUpdate{Owner: str("checkout")}
		if name == "orders" {
			u.Successor = str("orders-next")
		}
		if _, err := gov(r.svc).CreateTopic(ctx, name, u); err != nil {
			t.Fatal(err)
		}
	}
	old := `{"type":"record","name":"OrderPlaced","doc":"x","fields":[{"name":"order_id","type":"string","doc":"x"}]}`
	breaking := `{"type":"record","name":"OrderPlaced","doc":"x","fields":[{"name":"order_id","type":"long","doc":"x"}]}`
	if _, err := r.svc.Register(ctx, "orders-value", registry.RegisterRequest{Schema: old}); err != nil {
		t.Fatal(err)
	}
	enforce := registry.Config{Lint: &registry.LintPolicy{Mode: registry.LintEnforce, Use: []string{"TOPIC_NAME_VERSIONED"}}}
	for _, subject := range []string{"orders-next-value", "orders.v2-value"} {
		if _, err := r.svc.SetConfig(ctx, subject, enforce); err != nil {
			t.Fatal(err)
		}
	}
	_, _, err := r.svc.RegisterLinted(ctx, "orders-next-value", registry.RegisterRequest{Schema: breaking})
	var le *registry.LintError
	if !errors.As(err, &le) || len(le.Findings) != 1 || le.Findings[0].Rule != "TOPIC_NAME_VERSIONED" {
		t.Fatalf("breaking successor orders-next: %v", err)
	}
	// A compatible first schema on the successor passes.
	if _, _, err := r.svc.RegisterLinted(ctx, "orders-next-value", registry.RegisterRequest{Schema: old}); err != nil {
		t.Fatalf("compatible successor: %v", err)
	}
	// orders.v2 is not orders' successor, so nothing is compared.
	if _, _, err := r.svc.RegisterLinted(ctx, "orders.v2-value", registry.RegisterRequest{Schema: breaking}); err != nil {
		t.Fatalf("orders.v2: %v", err)
	}
	// Make orders.v2 the successor: now the breaking schema is welcome there.
	if _, err := gov(r.svc).UpdateTopic(ctx, "orders", governance.TopicUpdate{Successor: str("orders.v2")}); err != nil {
		t.Fatal(err)
	}
	fs, err := r.svc.LintLatest("orders.v2-value")
	if err != nil || len(fs) != 0 {
		t.Errorf("orders.v2 as successor: %v %v", fs, err)
	}
}

// TestTopicLintPolicy: a topic's lint policy applies to its subjects that
// set none of their own, and a subject's own policy wins over it; the
// topic's audit entry names the change.
func TestTopicLintPolicy(t *testing.T) {
	ctx := context.Background()
	r := start(t, t.TempDir(), false)
	defer r.stop()
	str := func(s string) *string { return &s }
	if _, err := gov(r.svc).CreateTeam(ctx, governance.Team{Name: "shipping"}); err != nil {
		t.Fatal(err)
	}
	if _, err := gov(r.svc).CreateTopic(ctx, "parcels", governance.TopicUpdate{Owner: str("shipping"), Lint: &registry.LintPolicy{Mode: "ENFORCE", Use: []string{"NAMING"}}}); err != nil {
		t.Fatal(err)
	}
	if p := r.svc.LintPolicy("parcels-value"); p.Mode != registry.LintEnforce {
		t.Fatalf("policy of a bound subject: %+v", p)
	}
	_, _, err := r.svc.RegisterLinted(ctx, "parcels-value", registry.RegisterRequest{Schema: commandNamed})
	if !errors.Is(err, &registry.Error{Code: registry.CodeLintViolations}) {
		t.Fatalf("topic policy enforce: %v", err)
	}
	// An unbound subject is not under the topic's policy.
	if _, fs, err := r.svc.RegisterLinted(ctx, "other-value", registry.RegisterRequest{Schema: commandNamed}); err != nil || fs != nil {
		t.Fatalf("unbound subject: %v %v", fs, err)
	}
	if _, err := r.svc.SetConfig(ctx, "parcels-value", registry.Config{Lint: &registry.LintPolicy{Mode: registry.LintWarn}}); err != nil {
		t.Fatal(err)
	}
	if _, fs, err := r.svc.RegisterLinted(ctx, "parcels-value", registry.RegisterRequest{Schema: commandNamed}); err != nil || len(fs) != 1 {
		t.Fatalf("the subject's own warn over the topic's enforce: %v %v", fs, err)
	}
	if _, err := gov(r.svc).UpdateTopic(ctx, "parcels", governance.TopicUpdate{Lint: &registry.LintPolicy{Mode: "loud"}}); !errors.Is(err, &registry.Error{Code: registry.CodeInvalidRequest}) {
		t.Errorf("bad topic policy: %v", err)
	}
	if _, err := gov(r.svc).UpdateTopic(ctx, "parcels", governance.TopicUpdate{Lint: &registry.LintPolicy{Mode: registry.LintOff}}); err != nil {
		t.Fatal(err)
	}
	audit := gov(r.svc).Audit(governance.AuditFilter{Topic: "parcels", Operation: governance.OpTopicUpdated})
	if len(audit) != 1 || len(audit[0].Changed) != 1 || audit[0].Changed[0] != "lint" {
		t.Fatalf("audit %+v", audit)
	}
	if p := r.svc.LintPolicy("parcels-key"); p.Mode != registry.LintOff {
		t.Errorf("after turning the topic's policy off: %+v", p)
	}
}
