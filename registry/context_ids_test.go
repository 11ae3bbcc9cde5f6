package registry_test

import (
	"context"
	"testing"

	"github.com/charter-registry/charter/registry"
)

// TestIDsAreScopedPerContext pins Confluent's id spaces: a subject written
// ":.ctx:name" is in context ".ctx", any other in the default context ".",
// and each context allocates its ids, remembers its identities and looks
// ids up on its own.
func TestIDsAreScopedPerContext(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	r := start(t, dir, false)
	const (
		a = `{"type":"record","name":"A","namespace":"ctx","fields":[{"name":"x","type":"int"}]}`
		b = `{"type":"record","name":"B","namespace":"ctx","fields":[{"name":"y","type":"int"}]}`
	)
	register := func(svc *registry.Service, subject, schema string) registry.Schema {
		t.Helper()
		out, err := svc.Register(ctx, subject, registry.RegisterRequest{Schema: schema})
		if err != nil {
			t.Fatalf("register %s: %v", subject, err)
		}
		return out
	}
	// b first in .staging, a first in the default context: each gets 1.
	if got := register(r.svc, ":.staging:b-value", b).ID; got != 1 {
		t.Errorf(":.staging:b-value got id %d, want 1 (the first in .staging)", got)
	}
	if got := register(r.svc, "a-value", a).ID; got != 1 {
		t.Errorf("a-value got id %d, want 1 (the first in the default context)", got)
	}
	// The same schema in another context gets that context's next id.
	if got := register(r.svc, ":.staging:a-value", a).ID; got != 2 {
		t.Errorf(":.staging:a-value got id %d, want 2", got)
	}
	// ":.:name" is the default context.
	if got := register(r.svc, ":.:a2-value", a).ID; got != 1 {
		t.Errorf(":.:a2-value got id %d, want 1 (the default context's a)", got)
	}
	if got := register(r.svc, "b-value", b).ID; got != 2 {
		t.Errorf("b-value got id %d, want 2", got)
	}

	check := func(svc *registry.Service) {
		t.Helper()
		for _, c := range []struct {
			ctx    string
			id     int
			schema string
		}{{".", 1, a}, {".", 2, b}, {".staging", 1, b}, {".staging", 2, a}} {
			got, err := svc.SchemaByIDIn(c.ctx, c.id)
			if err != nil {
				t.Fatalf("SchemaByIDIn(%q, %d): %v", c.ctx, c.id, err)
			}
			if got.Schema != c.schema {
				t.Errorf("SchemaByIDIn(%q, %d) = %s, want %s", c.ctx, c.id, got.Schema, c.schema)
			}
		}
		if got, _ := svc.SchemaByID(1); got.Schema != a {
			t.Errorf("SchemaByID(1) = %s, want the default context's %s", got.Schema, a)
		}
		if _, err := svc.SchemaByIDIn(".other", 1); err == nil {
			t.Error("id 1 found in a context that holds nothing")
		}
		subjects, err := svc.SubjectsOfIDIn(".staging", 2, false)
		if err != nil || len(subjects) != 1 || subjects[0] != ":.staging:a-value" {
			t.Errorf("SubjectsOfIDIn(.staging, 2) = %v, %v; want [:.staging:a-value]", subjects, err)
		}
		subjects, err = svc.SubjectsOfID(1, false)
		if err != nil || len(subjects) != 2 || subjects[0] != ":.:a2-value" || subjects[1] != "a-value" {
			t.Errorf("SubjectsOfID(1) = %v, %v; want [:.:a2-value a-value]", subjects, err)
		}
		if got := svc.MaxIDIn(".staging"); got != 2 {
			t.Errorf("MaxIDIn(.staging) = %d, want 2", got)
		}
		if got := svc.MaxID(); got != 2 {
			t.Errorf("MaxID() = %d, want 2", got)
		}
		guid := register(svc, ":.staging:a-value", a).GUID
		if got, err := svc.SchemaByGUIDIn(".staging", guid); err != nil || got.ID != 2 {
			t.Errorf("SchemaByGUIDIn(.staging) = id %d, %v; want 2", got.ID, err)
		}
		if got, err := svc.SchemaByGUID(guid); err != nil || got.ID != 1 {
			t.Errorf("SchemaByGUID = id %d, %v; want 1", got.ID, err)
		}
	}
	check(r.svc)

	// A hard delete in .staging keeps that context's floor and id: a new
	// schema there never gets 2 again, the same schema does, and the
	// default context is untouched.
	for _, permanent := range []bool{false, true} {
		if _, err := r.svc.DeleteSubject(ctx, ":.staging:a-value", permanent); err != nil {
			t.Fatal(err)
		}
	}
	digest := r.svc.State().Digest()
	r.stop()
	for _, compact := range []bool{false, true} {
		r2 := start(t, dir, compact)
		if got := r2.svc.State().Digest(); got != digest {
			t.Errorf("compacted=%v: digest %s after restart, want %s", compact, got, digest)
		}
		if got := r2.svc.MaxIDIn(".staging"); got != 2 {
			t.Errorf("compacted=%v: MaxIDIn(.staging) = %d after the hard delete, want 2", compact, got)
		}
		if got := register(r2.svc, ":.staging:a-value", a).ID; got != 2 {
			t.Errorf("compacted=%v: a again in .staging got id %d, want its old 2", compact, got)
		}
		check(r2.svc)
		for _, permanent := range []bool{false, true} {
			if _, err := r2.svc.DeleteSubject(ctx, ":.staging:a-value", permanent); err != nil {
				t.Fatal(err)
			}
		}
		digest = r2.svc.State().Digest()
		r2.stop()
	}
	r3 := start(t, dir, true)
	defer r3.stop()
	const c = `{"type":"enum","name":"C","namespace":"ctx","symbols":["ONE"]}`
	if got := register(r3.svc, ":.staging:c-value", c).ID; got != 3 {
		t.Errorf("a new schema in .staging got id %d, want 3 (2 stays a's)", got)
	}
}
