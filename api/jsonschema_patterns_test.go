package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/charter-registry/charter"
	"github.com/charter-registry/charter/api"
	"github.com/charter-registry/charter/compat/jsonschema"
	"github.com/charter-registry/charter/internal/registrytest"
	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/storage/memory"
)

const lookaheadSchema = `{"type":"object","properties":{"zip":{"type":"string","pattern":"^(?!0000)[0-9]{4}$"}}}`

func registerJSON(h *harness, subject, schema string) response {
	h.t.Helper()
	return h.do("POST", "/subjects/"+subject+"/versions", map[string]any{"schemaType": "JSON", "schema": schema})
}

// TestJSONSchemaPatternsRE2CannotCompileAreRefused: by default a JSON
// schema whose pattern RE2 cannot compile is refused with 422/42201 and a
// message that names the pattern's path; with the lenient switch it is
// accepted as Confluent accepts it.
func TestJSONSchemaPatternsRE2CannotCompileAreRefused(t *testing.T) {
	h := newHarness(t)
	r := registerJSON(h, "zips-value", lookaheadSchema)
	if r.status != http.StatusUnprocessableEntity || r.errorCode(t) != int(registry.CodeInvalidSchema) ||
		!strings.Contains(string(r.body), "#/properties/zip/pattern") || !strings.Contains(string(r.body), "line 1, column 55") {
		t.Errorf("lookahead pattern: %d %s; want 422 42201 naming #/properties/zip/pattern at line 1, column 55", r.status, r.body)
	}
	r = registerJSON(h, "zips-value", `{"type":"object","patternProperties":{"[":{}}}`)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), "#/patternProperties/[") {
		t.Errorf("invalid patternProperties name: %d %s", r.status, r.body)
	}
	if r := h.do("GET", "/subjects", nil); string(r.body) != "[]" {
		t.Errorf("a refused schema was stored: subjects %s", r.body)
	}

	lenient := newHarnessWith(t, registrytest.WithFormats(charter.Formats(jsonschema.LenientPatterns())...))
	if r := registerJSON(lenient, "zips-value", lookaheadSchema); r.status != http.StatusOK {
		t.Errorf("lenient: %d %s", r.status, r.body)
	}
}

// TestStoredPatternsStillLoad: a schema stored while patterns were
// accepted (by a lenient charter, or by Confluent on a shared topic) is
// still served and compared with, once the registry refuses new ones.
func TestStoredPatternsStillLoad(t *testing.T) {
	log := memory.New(memory.WithKeyFunc(registry.LogicalKey))
	lenient := newHarnessWith(t, registrytest.WithLog(log), registrytest.WithFormats(charter.Formats(jsonschema.LenientPatterns())...))
	if r := registerJSON(lenient, "zips-value", lookaheadSchema); r.status != http.StatusOK {
		t.Fatalf("lenient: %d %s", r.status, r.body)
	}
	strict := newHarnessWith(t, registrytest.WithLog(log))
	if r := strict.do("GET", "/subjects/zips-value/versions/1", nil); r.status != http.StatusOK {
		t.Errorf("reading the stored schema: %d %s", r.status, r.body)
	}
	// Registering it again answers with its id; a compatible successor
	// without the pattern is checked against it and registered.
	if r := registerJSON(strict, "zips-value", lookaheadSchema); r.status != http.StatusOK {
		t.Errorf("the stored schema again: %d %s", r.status, r.body)
	}
	v2 := `{"type":"object","properties":{"zip":{"type":"string","pattern":"^(?!0000)[0-9]{4}$"},"city":{"type":"string"}}}`
	if r := registerJSON(strict, "zips-value", v2); r.status != http.StatusUnprocessableEntity {
		t.Errorf("a new version that keeps the pattern: %d %s, want 422", r.status, r.body)
	}
	v2 = `{"type":"object","properties":{"zip":{"type":"string"}}}`
	r := registerJSON(strict, "zips-value", v2)
	if r.status != http.StatusOK {
		t.Errorf("a successor without the pattern: %d %s", r.status, r.body)
	}
}

func newHarnessWith(t testing.TB, opts ...registrytest.Opt) *harness {
	t.Helper()
	opts = append([]registrytest.Opt{registrytest.WithAPIConfig(api.Config{OpenAPI: charter.OpenAPI(), MaxBodyBytes: 4 << 20})}, opts...)
	r := registrytest.Start(t, opts...)
	return &harness{t: t, srv: r, svc: r.Service, log: r.Log}
}
