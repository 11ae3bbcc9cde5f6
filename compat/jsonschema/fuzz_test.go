package jsonschema

import (
	"testing"

	"github.com/charter-registry/charter/compat"
)

var fuzzSeeds = []string{
	`{}`,
	`true`,
	`false`,
	`{"type":"object","properties":{"a":{"type":"string","maxLength":3}},"required":["a"],"additionalProperties":false}`,
	`{"type":["string","null"],"enum":["a",null]}`,
	`{"oneOf":[{"type":"string"},{"type":"integer","minimum":1}],"not":{"const":3}}`,
	`{"type":"array","items":[{"type":"string"}],"additionalItems":{"type":"number"},"uniqueItems":true}`,
	`{"definitions":{"n":{"properties":{"next":{"$ref":"#/definitions/n"}}}},"$ref":"#/definitions/n"}`,
	`{"$schema":"http://json-schema.org/draft-04/schema#","id":"x","maximum":3,"exclusiveMaximum":true,"dependencies":{"a":["b"],"c":{"required":["d"]}}}`,
	`{"$schema":"https://json-schema.org/draft/2020-12/schema","$defs":{"s":{"type":"string"}},"prefixItems":[{"$ref":"#/$defs/s"}],"items":false,"contains":{"type":"number"},"minContains":2,"unevaluatedProperties":{"type":"boolean"},"dependentSchemas":{"a":{"minProperties":1}}}`,
	`{"$schema":"https://json-schema.org/draft/2019-09/schema","items":[true,false],"additionalItems":false,"if":{"type":"string"},"then":{"minLength":1},"else":{"type":"null"}}`,
	`{"patternProperties":{"^S_":{"type":"string"}},"additionalProperties":false,"allOf":[{"title":"a"},{"description":"b"}],"anyOf":[{"type":"object"}]}`,
	`{"$ref":"file:///etc/passwd"}`,
	"{\"a\":\"\\ud800\\u0041\\uDFFF\"}",
	`[`,
}

// FuzzParse runs arbitrary text through the whole Parse path (reading,
// metaschema validation, reference resolution, model building) and checks
// that what parses is stable and diffs cleanly against itself and others.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	format := New(DiffSteps(20000))
	var seeds []*Schema
	for _, s := range fuzzSeeds {
		if p, err := format.parse(s, nil); err == nil {
			seeds = append(seeds, p)
		}
	}
	f.Fuzz(func(t *testing.T, text string) {
		s, err := format.parse(text, nil)
		if err != nil {
			if _, ok := err.(*compat.ParseError); !ok {
				t.Fatalf("error %T is not a *compat.ParseError", err)
			}
			return
		}
		again, err := format.parse(s.Canonical(), nil)
		if err != nil {
			t.Fatalf("canonical form %s does not parse: %v", s.Canonical(), err)
		}
		if again.Canonical() != s.Canonical() || again.Normalized() != s.Normalized() {
			t.Fatalf("forms are not stable:\n %s\n %s", s.Canonical(), again.Canonical())
		}
		for _, c := range format.Diff(s, again, compat.Options{}) {
			if !c.Compatible && c.Kind != diffTooComplex {
				t.Fatalf("schema %s is incompatible with itself: %+v", text, c)
			}
		}
		for _, other := range seeds {
			format.Diff(s, other, compat.Options{})
			format.Diff(other, s, compat.Options{Lenient: true})
		}
		s.FieldNames()
		_ = s.Validate(map[string]any{"a": []any{1.0, "x", nil, true}})
	})
}
