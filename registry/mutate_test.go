package registry_test

import (
	"context"
	"errors"
	"testing"

	"github.com/charter-registry/charter/governance"
	"github.com/charter-registry/charter/internal/registrytest"
	"github.com/charter-registry/charter/registry"
)

// TestMutateAloneAndSystem: the domains built on the registry write
// through MutateAlone, which finds the principal first, runs the
// request's check once, decides alone on the applied snapshot and
// audits with the principal; MutateSystem writes for no request.
func TestMutateAloneAndSystem(t *testing.T) {
	t.Parallel()
	svc := registrytest.Run(t, registrytest.WithAccess(registry.AccessConfig{Enforce: true}))
	ctx := context.Background()
	admin := registry.WithPrincipal(ctx, registry.Principal{Name: "ops", Admin: true})
	dev := registry.WithPrincipal(ctx, registry.Principal{Name: "dev", Teams: []string{"payments"}})
	const op registry.Operation = "test.mutated"

	// No principal: refused before the check or the decision run.
	checked, decided := 0, 0
	check := func() error { checked++; return nil }
	decide := func(m *registry.Mutation) error { decided++; return nil }
	err := svc.MutateAlone(ctx, check, decide)
	var re *registry.Error
	if !errors.As(err, &re) || re.Code != registry.CodeUnauthorized || checked+decided != 0 {
		t.Fatalf("without a principal: %v (checked %d, decided %d), want 40101 before either", err, checked, decided)
	}
	if got := registry.WriteError(err, "test write", "test write of x"); got.Error() != "test write: "+re.Error() {
		t.Errorf("WriteError of a missing principal: %q", got)
	}
	// The check's error goes back as it is, before any decision.
	bad := registry.Errorf(registry.CodeInvalidRequest, "bad request")
	err = svc.MutateAlone(admin, func() error { return bad }, decide)
	if got := registry.WriteError(err, "test write", "test write of x"); got.Error() != "bad request" || decided != 0 {
		t.Errorf("a failed check: %q (decided %d)", got, decided)
	}
	// The decision's refusal is worded with what.
	err = svc.MutateAlone(dev, nil, func(m *registry.Mutation) error { return m.RequireAdmin("test things") })
	if !errors.As(err, &re) || re.Code != registry.CodeForbidden {
		t.Errorf("a non-admin's admin-only write: %v, want 40301", err)
	} else if got := registry.WriteError(err, "test write", "test write of x"); got.Error() != "test write of x: "+re.Error() {
		t.Errorf("WriteError of a refusal: %q", got)
	}

	// A decision runs on the applied snapshot, caught up with the log, and
	// its audit entry names its principal.
	if _, err := svc.Register(admin, "s", registry.RegisterRequest{Schema: `"int"`}); err != nil {
		t.Fatal(err)
	}
	err = svc.MutateAlone(admin, check, func(m *registry.Mutation) error {
		if m.Snapshot() != svc.Snapshot() || m.Principal().Name != "ops" {
			t.Errorf("decided on %p for %q, want the applied snapshot %p for ops", m.Snapshot(), m.Principal().Name, svc.Snapshot())
		}
		if _, err := m.Snapshot().Version("s", 1, false); err != nil {
			t.Errorf("the decision's snapshot lacks the registration before it: %v", err)
		}
		return m.Audit(registry.AuditEntry{Operation: op, Subject: "s"})
	})
	if err != nil || checked != 1 {
		t.Fatalf("MutateAlone: %v (checked %d times)", err, checked)
	}
	trail := gov(svc).Audit(governance.AuditFilter{Operation: op, Limit: 10})
	if len(trail) != 1 || trail[0].Principal != "ops" || trail[0].Subject != "s" {
		t.Fatalf("audit trail %+v, want one entry by ops", trail)
	}

	// MutateSystem needs no principal and takes no audit entry.
	err = svc.MutateSystem(ctx, func(m *registry.Mutation) error {
		if m.Principal().Name != "" {
			t.Errorf("a system write's principal: %+v", m.Principal())
		}
		return m.Audit(registry.AuditEntry{Operation: op})
	})
	if err == nil {
		t.Error("a system write took an audit entry")
	}
	if err := svc.MutateSystem(ctx, func(m *registry.Mutation) error { return nil }); err != nil {
		t.Errorf("a system write without a principal: %v", err)
	}
}
