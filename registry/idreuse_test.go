package registry_test

import (
	"context"
	"testing"

	"github.com/charter-registry/charter/registry"
)

// TestHardDeletedSchemaGetsItsIDBack pins Confluent's id reuse: it keeps a
// schema's content hash to id mapping when the schema's versions are
// soft- and then hard-deleted, so registering the same schema again gives
// back the old id. charter keeps the mapping in its state and, through the
// SCHEMA_ID record of the hard delete, across replay and compaction. New
// schemas still never get a used id.
func TestHardDeletedSchemaGetsItsIDBack(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	r := start(t, dir, false)
	const (
		a = `{"type":"record","name":"A","namespace":"reuse","fields":[{"name":"x","type":"int"}]}`
		b = `{"type":"record","name":"B","namespace":"reuse","fields":[{"name":"y","type":"int"}]}`
		c = `{"type":"enum","name":"C","namespace":"reuse","symbols":["ONE"]}`
	)
	register := func(svc *registry.Service, subject, schema string) registry.Schema {
		t.Helper()
		out, err := svc.Register(ctx, subject, registry.RegisterRequest{Schema: schema})
		if err != nil {
			t.Fatalf("register %s: %v", subject, err)
		}
		return out
	}
	purge := func(svc *registry.Service, subject string) {
		t.Helper()
		for _, permanent := range []bool{false, true} {
			if _, err := svc.DeleteSubject(ctx, subject, permanent); err != nil {
				t.Fatalf("delete %s permanent=%v: %v", subject, permanent, err)
			}
		}
	}
	first := register(r.svc, "a-value", a)
	bID := register(r.svc, "b-value", b).ID
	purge(r.svc, "a-value")
	if _, err := r.svc.SchemaByID(first.ID); err == nil {
		t.Fatalf("id %d still serves after the hard delete", first.ID)
	}
	again := register(r.svc, "a-value", a)
	if again.ID != first.ID || again.Version != 1 {
		t.Errorf("re-registered as id %d version %d, want the old id %d, version 1", again.ID, again.Version, first.ID)
	}
	// One version hard-deleted on its own keeps its id too.
	if _, err := r.svc.DeleteVersion(ctx, "b-value", 1, false); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.DeleteVersion(ctx, "b-value", 1, true); err != nil {
		t.Fatal(err)
	}
	if got := register(r.svc, "other-value", b).ID; got != bID {
		t.Errorf("b re-registered under another subject as id %d, want %d", got, bID)
	}
	purge(r.svc, "a-value")
	purge(r.svc, "other-value")
	digest := r.svc.State().Digest()
	r.stop()

	for _, compact := range []bool{false, true} {
		r2 := start(t, dir, compact)
		if got := r2.svc.State().Digest(); got != digest {
			t.Errorf("compacted=%v: digest %s after restart, want %s", compact, got, digest)
		}
		if got := register(r2.svc, "back-value", a).ID; got != first.ID {
			t.Errorf("compacted=%v: a after restart got id %d, want %d", compact, got, first.ID)
		}
		if got := register(r2.svc, "b-again-value", b).ID; got != bID {
			t.Errorf("compacted=%v: b after restart got id %d, want %d", compact, got, bID)
		}
		// c is new the first time, and has its own id to come back to
		// the second.
		if got := register(r2.svc, "c-value", c).ID; got != bID+1 {
			t.Errorf("compacted=%v: c got id %d, want the next unused %d", compact, got, bID+1)
		}
		purge(r2.svc, "back-value")
		purge(r2.svc, "b-again-value")
		purge(r2.svc, "c-value")
		digest = r2.svc.State().Digest()
		r2.stop()
	}
}
