package jsonschema

import (
	"errors"
	"strings"
	"testing"

	"github.com/charter-registry/charter/compat"
)

func mustParse(t testing.TB, f *Format, text string, deps ...compat.Dependency) *Schema {
	t.Helper()
	s, err := f.parse(text, deps)
	if err != nil {
		t.Fatalf("Parse(%s): %v", text, err)
	}
	return s
}

func parseError(t *testing.T, f *Format, text string, deps ...compat.Dependency) *compat.ParseError {
	t.Helper()
	_, err := f.Parse(text, deps)
	if err == nil {
		t.Fatalf("Parse(%.80s) succeeded, want an error", text)
	}
	var pe *compat.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %T %v is not a *compat.ParseError", err, err)
	}
	return pe
}

func TestParseDrafts(t *testing.T) {
	f := New()
	tests := []struct {
		name   string
		schema string
		draft  int
	}{
		{"draft-04", `{"$schema":"http://json-schema.org/draft-04/schema#","type":"number","maximum":3,"exclusiveMaximum":true}`, 4},
		{"draft-06", `{"$schema":"http://json-schema.org/draft-06/schema#","const":1}`, 6},
		{"draft-07", `{"$schema":"http://json-schema.org/draft-07/schema#","if":{"type":"string"},"then":{"minLength":1}}`, 7},
		{"2019-09", `{"$schema":"https://json-schema.org/draft/2019-09/schema","dependentRequired":{"a":["b"]},"unevaluatedProperties":false}`, 2019},
		{"2020-12", `{"$schema":"https://json-schema.org/draft/2020-12/schema","prefixItems":[{"type":"string"}],"items":false}`, 2020},
		{"no $schema is draft-07", `{"type":"string"}`, 7},
		{"boolean schema", `true`, 7},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := mustParse(t, f, tc.schema).Draft(); got != tc.draft {
				t.Errorf("Draft() = %d, want %d", got, tc.draft)
			}
		})
	}
}

func TestMissingSchemaIsDraft07(t *testing.T) {
	f := New()
	// Draft-07's exclusiveMaximum is a number; draft-04's boolean form is
	// invalid without "$schema".
	pe := parseError(t, f, `{"type":"number","maximum":3,"exclusiveMaximum":true}`)
	if !strings.Contains(pe.Message, "/exclusiveMaximum") {
		t.Errorf("message %q does not name /exclusiveMaximum", pe.Message)
	}
	// 2020-12 forbids the array form of items; draft-07 has it.
	s := mustParse(t, f, `{"type":"array","items":[{"type":"string"}],"additionalItems":false}`)
	if err := s.Validate([]any{"a", "b"}); err == nil {
		t.Error("draft-07 additionalItems:false was not enforced")
	}
	// const exists from draft-06 on.
	s = mustParse(t, f, `{"const":"x"}`)
	if err := s.Validate("y"); err == nil {
		t.Error("const was not enforced, so the schema was not read as draft-07")
	}
}

func TestURLReferencesAreRefused(t *testing.T) {
	f := New()
	for _, ref := range []string{
		"file:///etc/passwd",
		"file:///etc/passwd#/x",
		"https://example.com/schemas/address.json",
		"http://127.0.0.1:1/x.json",
	} {
		t.Run(ref, func(t *testing.T) {
			text := "{\n  \"type\": \"object\",\n  \"properties\": {\n    \"a\": {\"$ref\": \"" + ref + "\"}\n  }\n}"
			pe := parseError(t, f, text)
			if !strings.Contains(pe.Message, "disabled") {
				t.Errorf("message %q does not say URL loading is disabled", pe.Message)
			}
			if pe.Line != 4 {
				t.Errorf("error at line %d, want 4 (the $ref)", pe.Line)
			}
		})
	}
}

func TestCrossDependencyReferences(t *testing.T) {
	f := New()
	address := `{"type":"object","properties":{"street":{"type":"string"}},"required":["street"]}`
	tests := []struct {
		name string
		main string
		deps []compat.Dependency
	}{
		{
			name: "relative name, no $id",
			main: `{"type":"object","properties":{"home":{"$ref":"address.json"}}}`,
			deps: []compat.Dependency{{Name: "address.json", Schema: address}},
		},
		{
			name: "relative name resolved against the root $id",
			main: `{"$id":"https://example.com/customer.schema.json","type":"object","properties":{"home":{"$ref":"address.schema.json"}}}`,
			deps: []compat.Dependency{{Name: "address.schema.json", Schema: address}},
		},
		{
			name: "absolute name",
			main: `{"$id":"https://example.com/customer.schema.json","type":"object","properties":{"home":{"$ref":"https://example.com/address.schema.json"}}}`,
			deps: []compat.Dependency{{Name: "https://example.com/address.schema.json", Schema: address}},
		},
		{
			name: "absolute name referred to relatively",
			main: `{"$id":"https://example.com/customer.schema.json","type":"object","properties":{"home":{"$ref":"address.schema.json"}}}`,
			deps: []compat.Dependency{{Name: "https://example.com/address.schema.json", Schema: address}},
		},
		{
			name: "fragment into a dependency",
			main: `{"type":"object","properties":{"home":{"$ref":"defs.json#/definitions/address"}}}`,
			deps: []compat.Dependency{{Name: "defs.json", Schema: `{"definitions":{"address":` + address + `}}`}},
		},
		{
			name: "dependency of a dependency",
			main: `{"type":"object","properties":{"home":{"$ref":"wrapper.json"}}}`,
			deps: []compat.Dependency{
				{Name: "address.json", Schema: address},
				{Name: "wrapper.json", Schema: `{"$ref":"address.json"}`},
			},
		},
		{
			name: "2020-12 dependency from a draft-07 schema",
			main: `{"type":"object","properties":{"home":{"$ref":"address.json"}}}`,
			deps: []compat.Dependency{{Name: "address.json", Schema: `{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","properties":{"street":{"type":"string"}},"required":["street"]}`}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := mustParse(t, f, tc.main, tc.deps...)
			if err := s.Validate(map[string]any{"home": map[string]any{"street": "Main St"}}); err != nil {
				t.Errorf("valid document rejected: %v", err)
			}
			if err := s.Validate(map[string]any{"home": map[string]any{}}); err == nil {
				t.Error("document without the dependency's required street accepted: the $ref did not resolve to it")
			}
			if got := s.FieldNames(); !equalStrings2(got, []string{"home", "street"}) {
				t.Errorf("FieldNames() = %v, want [home street]", got)
			}
			// The diff sees through the reference into the dependency.
			changed := make([]compat.Dependency, len(tc.deps))
			copy(changed, tc.deps)
			for i := range changed {
				changed[i].Schema = strings.Replace(changed[i].Schema, `"street":{"type":"string"}`, `"street":{"type":"integer"}`, 1)
			}
			u := mustParse(t, f, tc.main, changed...)
			d := f.Diff(s, u, compat.Options{})
			if len(d) != 1 || d[0].Kind != "TYPE_CHANGED" || d[0].Path != "#/properties/home/properties/street" {
				t.Errorf("Diff = %+v, want TYPE_CHANGED at #/properties/home/properties/street", d)
			}
		})
	}
}

func equalStrings2(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestMissingDependencyIsAnError(t *testing.T) {
	pe := parseError(t, New(), `{"properties":{"a":{"$ref":"address.json"}}}`)
	if !strings.Contains(pe.Message, "address.json") {
		t.Errorf("message %q does not name the missing reference", pe.Message)
	}
}

func TestDependenciesDoNotLeakBetweenParses(t *testing.T) {
	f := New()
	mustParse(t, f, `{"$ref":"a.json"}`, compat.Dependency{Name: "a.json", Schema: `{"type":"string"}`})
	parseError(t, f, `{"$ref":"a.json"}`)
}

func TestParseErrorPositions(t *testing.T) {
	f := New()
	tests := []struct {
		name       string
		text       string
		line, col  int
		msgContain string
	}{
		{"missing value", "{\n  \"type\": \"string\",\n  \"x\": }", 3, 8, "expected a value"},
		{"trailing comma", "{\"type\": \"string\",}", 1, 19, "member name"},
		{"unterminated", "{\"type\": \"str", 1, 14, "end of input"},
		{"garbage after", "{} x", 1, 4, "after the top-level value"},
		{"bad escape", `{"a\q": 1}`, 1, 4, "escape"},
		{"not a schema", "42", 1, 1, "object or a boolean"},
		{"metaschema", "{\n  \"type\": \"object\",\n  \"properties\": {\n    \"a\": {\"minLength\": -1}\n  }\n}", 4, 11, "/properties/a/minLength"},
		{"bad type", `{"type": "strin"}`, 1, 2, "/type"},
		{"unknown metaschema", "{\n \"$schema\": \"http://example.com/meta#\"}", 2, 2, "unsupported $schema"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pe := parseError(t, f, tc.text)
			if pe.Line != tc.line || pe.Column != tc.col {
				t.Errorf("position %d:%d, want %d:%d (%s)", pe.Line, pe.Column, tc.line, tc.col, pe.Message)
			}
			if !strings.Contains(pe.Message, tc.msgContain) {
				t.Errorf("message %q does not contain %q", pe.Message, tc.msgContain)
			}
		})
	}
}

func TestDependencyErrorsNameTheDependency(t *testing.T) {
	pe := parseError(t, New(), `{"$ref":"a.json"}`, compat.Dependency{Name: "a.json", Schema: `{"type": 5}`})
	if !strings.Contains(pe.Message, `reference "a.json"`) {
		t.Errorf("message %q does not name the dependency", pe.Message)
	}
	pe = parseError(t, New(), `{"$ref":"a.json"}`, compat.Dependency{Name: "a.json", Schema: `{"type": }`})
	if !strings.Contains(pe.Message, `reference "a.json"`) || pe.Line != 0 {
		t.Errorf("dependency syntax error %+v: want its name and no position in the main text", pe)
	}
}

func TestDeepNestingIsRejected(t *testing.T) {
	f := New()
	deep := func(n int, open, close string) string {
		return strings.Repeat(open, n) + strings.Repeat(close, n)
	}
	for _, text := range []string{
		deep(100000, "[", "]"),
		`{"a":` + deep(200, `{"a":`, "}") + "1}",
		strings.Repeat(`{"properties":{"x":`, 5000) + "{}" + strings.Repeat("}}", 5000),
		strings.Repeat(`{"items":`, 100000),
	} {
		pe := parseError(t, f, text)
		if !strings.Contains(pe.Message, "deeper than") && !strings.Contains(pe.Message, "end of input") {
			t.Errorf("unexpected message %q", pe.Message)
		}
	}
	// Within the limit is fine.
	text := strings.Repeat(`{"properties":{"x":`, 60) + "{}" + strings.Repeat("}}", 60)
	mustParse(t, f, text)
	// The limit is configurable.
	parseError(t, New(MaxDepth(10)), text)
}

func TestHugeInputIsRejected(t *testing.T) {
	f := New(MaxBytes(1 << 10))
	text := `{"description":"` + strings.Repeat("x", 2000) + `"}`
	pe := parseError(t, f, text)
	if !strings.Contains(pe.Message, "limit") {
		t.Errorf("message %q does not mention the limit", pe.Message)
	}
	pe = parseError(t, New(), `{"maximum": 1e999999999}`)
	if !strings.Contains(pe.Message, "exponent") {
		t.Errorf("message %q does not mention the exponent", pe.Message)
	}
}

func TestCanonicalAndNormalized(t *testing.T) {
	f := New()
	a := mustParse(t, f, "{\n  \"type\": \"object\",\n  \"properties\": {\"b\": {\"type\": \"string\"}, \"a\": {\"type\": \"integer\"}}\n}")
	b := mustParse(t, f, `{"properties":{"a":{"type":"integer"},"b":{"type":"string"}},"type":"object"}`)
	if got, want := a.Canonical(), `{"type":"object","properties":{"b":{"type":"string"},"a":{"type":"integer"}}}`; got != want {
		t.Errorf("Canonical() = %s, want %s", got, want)
	}
	if a.Canonical() == b.Canonical() {
		t.Error("Canonical() ignores member order; it should keep it")
	}
	if a.Normalized() != b.Normalized() {
		t.Errorf("Normalized() differs:\n %s\n %s", a.Normalized(), b.Normalized())
	}
	// Escapes survive the round trip.
	c := mustParse(t, f, `{"description":"quote \" back \\ tab \t nl \n ctl \u0001 é \u00e9 \ud83d\ude00"}`)
	if got, want := c.Canonical(), `{"description":"quote \" back \\ tab \t nl \n ctl \u0001 é é 😀"}`; got != want {
		t.Errorf("Canonical() = %s, want %s", got, want)
	}
	again := mustParse(t, f, c.Canonical())
	if again.Canonical() != c.Canonical() {
		t.Errorf("Canonical() is not stable: %s vs %s", again.Canonical(), c.Canonical())
	}
}

func TestFieldNames(t *testing.T) {
	s := mustParse(t, New(), `{
		"properties": {"id": {"type":"string"}, "lines": {"type":"array","items":{"$ref":"#/definitions/line"}}},
		"definitions": {"line": {"properties": {"sku": {}, "qty": {"type":"integer"}, "id": {}}}},
		"oneOf": [{"properties": {"coupon": true}}]
	}`)
	want := []string{"coupon", "id", "lines", "qty", "sku"}
	if got := s.FieldNames(); !equalStrings2(got, want) {
		t.Errorf("FieldNames() = %v, want %v", got, want)
	}
}

func TestValidate(t *testing.T) {
	s := mustParse(t, New(), `{"type":"object","properties":{"amount":{"type":"number","minimum":0}},"required":["amount"]}`)
	if err := s.Validate(map[string]any{"amount": 5.0}); err != nil {
		t.Errorf("valid value rejected: %v", err)
	}
	if err := s.Validate(map[string]any{"amount": -1.0}); err == nil {
		t.Error("amount -1 accepted")
	}
	if err := s.Validate(map[string]any{}); err == nil {
		t.Error("missing amount accepted")
	}
}

func TestUnsupportedPatterns(t *testing.T) {
	text := `{"type":"string","pattern":"^(?!forbidden)"}`
	mustParse(t, New(), text)
	pe := parseError(t, New(StrictPatterns()), text)
	if !strings.Contains(pe.Message, "pattern") {
		t.Errorf("message %q does not name the pattern", pe.Message)
	}
}

func TestFormatType(t *testing.T) {
	if New().Type() != compat.JSON {
		t.Errorf("Type() = %s", New().Type())
	}
}
