package registry_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/compat/avro"
	"github.com/charter-registry/charter/internal/registrytest"
	"github.com/charter-registry/charter/registry"
)

// countingAvro is Avro counting its parses.
type countingAvro struct {
	*avro.Format
	parses *atomic.Int64
}

func (f countingAvro) Parse(text string, deps []compat.Dependency) (compat.Schema, error) {
	f.parses.Add(1)
	return f.Format.Parse(text, deps)
}

// TestSchemaSentAgainIsNotParsed: a schema its subject already holds,
// registered or looked up again with the same text, is answered from the
// text it was parsed from (no parse); anything that needs the parsed form
// (another subject, a version deleted meanwhile, other options) parses.
func TestSchemaSentAgainIsNotParsed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var parses atomic.Int64
	svc := registrytest.Run(t, registrytest.WithFormats(countingAvro{avro.New(), &parses}))
	text := `{"type":"record","name":"R","namespace":"again","fields":[{"name":"f","type":"int"}]}`
	req := registry.RegisterRequest{Schema: text}
	first, err := svc.Register(ctx, "a-value", req)
	if err != nil {
		t.Fatal(err)
	}
	step := func(what string, wantParses int64, f func() (registry.Schema, error), wantID, wantVersion int) {
		t.Helper()
		before := parses.Load()
		got, err := f()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if got.ID != wantID || got.Version != wantVersion || got.Schema != first.Schema {
			t.Errorf("%s: id %d version %d schema %s, want id %d version %d schema %s", what, got.ID, got.Version, got.Schema, wantID, wantVersion, first.Schema)
		}
		if n := parses.Load() - before; n != wantParses {
			t.Errorf("%s: %d parses, want %d", what, n, wantParses)
		}
	}
	register := func(subject string, req registry.RegisterRequest) func() (registry.Schema, error) {
		return func() (registry.Schema, error) { return svc.Register(ctx, subject, req) }
	}
	step("registered again", 0, register("a-value", req), first.ID, 1)
	lookup := func() (registry.Schema, error) { return svc.Lookup("a-value", req, false) }
	// A lookup parses as stored schemas are (without validateNewSchemas'
	// checks), which the text cache tells from a registration's parse.
	step("looked up", 1, lookup, first.ID, 1)
	step("looked up again", 0, lookup, first.ID, 1)
	step("under another subject", 1, register("b-value", req), first.ID, 1)
	if _, err := svc.DeleteVersion(ctx, "a-value", 1, false); err != nil {
		t.Fatal(err)
	}
	step("after its version was deleted", 1, register("a-value", req), first.ID, 2)
	norm := req
	norm.Normalize = true
	step("normalized", 1, register("a-value", norm), first.ID, 2)
	step("normalized again", 0, register("a-value", norm), first.ID, 2)
}
