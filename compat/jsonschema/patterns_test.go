package jsonschema

import (
	"strings"
	"testing"

	"github.com/charter-registry/charter/compat"
)

func TestCheckNewRefusesPatternsRE2CannotCompile(t *testing.T) {
	cases := []struct {
		name, text string
		pointer    string // of the first bad pattern; "" if none
		line, col  int    // of its keyword or property name
	}{
		{"lookahead in a property", `{"properties":{"zip":{"type":"string","pattern":"^(?!0000)\\d{4}$"}}}`, "#/properties/zip/pattern", 1, 39},
		{"no regular expression at all", "{\n  \"type\": \"string\",\n  \"pattern\": \"[\"\n}", "#/pattern", 3, 3},
		{"patternProperties name", `{"patternProperties":{"^(?=x)":{}}}`, "#/patternProperties/^(?=x)", 1, 23},
		{"backreference in an unreferenced definition", `{"definitions":{"pair":{"pattern":"(a)\\1"}}}`, "#/definitions/pair/pattern", 1, 25},
		{"2020-12 $defs and prefixItems", `{"$schema":"https://json-schema.org/draft/2020-12/schema","$defs":{"d":{"prefixItems":[{},{"pattern":"(?<=a)b"}]}}}`, "#/$defs/d/prefixItems/1/pattern", 1, 92},
		{"escaped pointer", `{"properties":{"a/b~c":{"pattern":"(?!x)"}}}`, "#/properties/a~1b~0c/pattern", 1, 25},
		{"items, allOf, not, additionalProperties", `{"items":{"allOf":[{"not":{"additionalProperties":{"pattern":"(?!x)"}}}]}}`, "#/items/allOf/0/not/additionalProperties/pattern", 1, 52},
		{"valid patterns", `{"properties":{"zip":{"pattern":"^[0-9]{4}$"}},"patternProperties":{"^x-":{}}}`, "", 0, 0},
		// Not schema positions: a property named pattern, a default, an enum.
		{"words that are not keywords", `{"properties":{"pattern":{"type":"string"}},"default":{"pattern":"(?!x)"},"enum":[{"pattern":"["}]}`, "", 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := mustParse(t, New(), tc.text) // Parse accepts every case
			err := New().CheckNew(s)
			if tc.pointer == "" {
				if err != nil {
					t.Fatalf("CheckNew: %v", err)
				}
				return
			}
			pe, ok := err.(*compat.ParseError)
			if !ok {
				t.Fatalf("CheckNew = %v, want a *compat.ParseError", err)
			}
			if !strings.HasPrefix(pe.Message, tc.pointer+": ") || !strings.Contains(pe.Message, "RE2") {
				t.Errorf("message %q should start with %s and say why", pe.Message, tc.pointer)
			}
			if pe.Line != tc.line || pe.Column != tc.col {
				t.Errorf("position %d:%d, want %d:%d", pe.Line, pe.Column, tc.line, tc.col)
			}
			if err := New(LenientPatterns()).CheckNew(s); err != nil {
				t.Errorf("LenientPatterns: %v", err)
			}
		})
	}
}

func TestCheckNewCountsEveryBadPattern(t *testing.T) {
	s := mustParse(t, New(), `{"properties":{"a":{"pattern":"(?!1)"},"b":{"pattern":"(?!2)"},"c":{"pattern":"ok"}},"patternProperties":{"(?=3)":{}}}`)
	err := New().CheckNew(s)
	if err == nil || !strings.Contains(err.Error(), "(and 2 more: #/properties/b/pattern, #/patternProperties/(?=3))") {
		t.Errorf("CheckNew = %v", err)
	}
}
