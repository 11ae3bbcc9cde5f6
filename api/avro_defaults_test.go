package api_test

import (
	"strings"
	"testing"

	"github.com/charter-registry/charter/internal/testdata"
)

// TestAvroDefaultsOfNewSchemasAreValidated pins Confluent's
// schema.validate.new.schemas, on by default: a new Avro schema whose field
// default does not fit the field's type (by Avro 1.12's Java rule) is
// refused with 42201, while validateNewSchemas false, an import with an
// id, a lookup and a schema the subject already holds take it, so schemas
// stored before still load and answer.
func TestAvroDefaultsOfNewSchemasAreValidated(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	// The cases are shared with charter check's test (cli/check), which
	// must give the same verdict.
	for _, tc := range testdata.InvalidAvroDefaults() {
		for _, path := range []string{"/subjects/av1-value/versions", "/compatibility/subjects/av1-value/versions"} {
			r := h.do("POST", path, map[string]any{"schema": tc.Schema})
			var e struct{ Message string }
			r.json(t, &e)
			if r.status != 422 || r.errorCode(t) != 42201 || !strings.HasPrefix(e.Message, "Invalid schema at line 1, column ") || !strings.Contains(e.Message, tc.Message) {
				t.Errorf("%s: POST %s: %d %s, want 422 42201 with %q", tc.Name, path, r.status, r.body, tc.Message)
			}
		}
	}
	// What Avro 1.12 takes, hamba notwithstanding: a union default fitting
	// any branch, any string for an enum.
	if r := h.do("PUT", "/config/av2-value", map[string]any{"compatibility": "NONE"}); r.status != 200 {
		t.Fatalf("config: %d %s", r.status, r.body)
	}
	for _, tc := range testdata.ValidAvroDefaults() {
		if r := h.do("POST", "/subjects/av2-value/versions", map[string]any{"schema": tc.Schema}); r.status != 200 {
			t.Errorf("register %s: %d %s, want 200", tc.Schema, r.status, r.body)
		}
	}

	bad := testdata.AvroRecord(`"int"`, `"x"`)
	// validateNewSchemas false takes it, for the subject that says so.
	if r := h.do("PUT", "/config/old-value", map[string]any{"validateNewSchemas": false}); r.status != 200 {
		t.Fatalf("config: %d %s", r.status, r.body)
	}
	id, _ := h.register("old-value", bad)
	// Turned back on, the subject still answers the schema it holds, by
	// registration and by lookup; another subject refuses it.
	if r := h.do("PUT", "/config/old-value", map[string]any{"validateNewSchemas": true}); r.status != 200 {
		t.Fatalf("config: %d %s", r.status, r.body)
	}
	if again, v := h.register("old-value", bad); again != id || v != 1 {
		t.Errorf("re-registered: id %d version %d, want id %d version 1", again, v, id)
	}
	if r := h.do("POST", "/subjects/old-value", map[string]any{"schema": bad}); r.status != 200 {
		t.Errorf("lookup: %d %s", r.status, r.body)
	}
	if r := h.do("POST", "/subjects/new-value/versions", map[string]any{"schema": bad}); r.status != 422 {
		t.Errorf("another subject: %d %s, want 422", r.status, r.body)
	}
	// An import with an id copies what another registry stored.
	if r := h.do("PUT", "/mode/imp-value?force=true", map[string]any{"mode": "IMPORT"}); r.status != 200 {
		t.Fatalf("mode: %d %s", r.status, r.body)
	}
	if r := h.do("POST", "/subjects/imp-value/versions", map[string]any{"schema": testdata.AvroRecord(`"long"`, `null`), "id": 700, "version": 1}); r.status != 200 {
		t.Errorf("import: %d %s, want 200", r.status, r.body)
	}
}
