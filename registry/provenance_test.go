package registry_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/governance"
	"github.com/charter-registry/charter/registry"
)

// TestProvenanceIsAuditedAndReplayed: a write's reason and link land in
// its audit entry and its change event, survive a restart (the entry is a
// log record), and are never inherited by the next write.
func TestProvenanceIsAuditedAndReplayed(t *testing.T) {
	dir := t.TempDir()
	r := start(t, dir, false)
	link := "https://github.com/acme/schemas/pull/42"
	ctx := registry.WithProvenance(context.Background(), registry.Provenance{Reason: "add the total (#42)", Link: link})
	if _, err := r.svc.Register(ctx, "orders-value", registry.RegisterRequest{Schema: `{"type":"record","name":"O","fields":[]}`}); err != nil {
		t.Fatal(err)
	}
	full := compat.Full
	if _, err := r.svc.SetConfig(ctx, "orders-value", registry.Config{Compatibility: &full}); err != nil {
		t.Fatal(err)
	}
	// The next version, registered without provenance, has none.
	if _, err := r.svc.Register(context.Background(), "orders-value", registry.RegisterRequest{Schema: `{"type":"record","name":"O","fields":[{"name":"a","type":"int","default":0}]}`}); err != nil {
		t.Fatal(err)
	}
	check := func(svc *registry.Service, when string) {
		t.Helper()
		entries := gov(svc).Audit(governance.AuditFilter{Subject: "orders-value"})
		if len(entries) != 3 {
			t.Fatalf("%s: %d audit entries", when, len(entries))
		}
		// Newest first: v2 (none), config (given), v1 (given).
		if e := entries[0]; e.Reason != "" || e.Link != "" || e.Version != 2 {
			t.Errorf("%s: the next version inherited provenance: %+v", when, e)
		}
		for _, e := range entries[1:] {
			if e.Reason != "add the total (#42)" || e.Link != link {
				t.Errorf("%s: %s lost its provenance: %+v", when, e.Operation, e)
			}
		}
		b, err := gov(svc).Changes(context.Background(), governance.ChangeQuery{Subject: "orders-value"})
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Events) != 3 || b.Events[0].Link != link || b.Events[0].Reason == "" || b.Events[2].Link != "" {
			t.Errorf("%s: change events: %+v", when, b.Events)
		}
	}
	check(r.svc, "before the restart")
	r.stop()
	r = start(t, dir, true)
	defer r.stop()
	check(r.svc, "after a compacting restart")
}

// TestBadProvenanceRefusesTheWrite: nothing is written when the reason or
// link is unusable.
func TestBadProvenanceRefusesTheWrite(t *testing.T) {
	r := start(t, t.TempDir(), false)
	defer r.stop()
	for _, p := range []registry.Provenance{
		{Link: "not a url"},
		{Link: "ftp://example.com/x"},
		{Link: "https://user:pw@example.com/pr/1"},
		{Reason: "two\nlines"},
		{Reason: strings.Repeat("x", registry.MaxReasonLength+1)},
		{Link: "https://example.com/" + strings.Repeat("x", registry.MaxLinkLength)},
	} {
		ctx := registry.WithProvenance(context.Background(), p)
		_, err := r.svc.Register(ctx, "s", registry.RegisterRequest{Schema: `"int"`})
		var re *registry.Error
		if !errors.As(err, &re) || re.Code != registry.CodeInvalidRequest {
			t.Errorf("%+.60v: want 42212, got %v", p, err)
		}
	}
	if got := r.svc.Subjects("", true, false); len(got) != 0 {
		t.Errorf("a refused write left subjects behind: %v", got)
	}
}
