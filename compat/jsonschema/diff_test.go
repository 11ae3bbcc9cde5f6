package jsonschema

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/charter-registry/charter/compat"
)

func kindsAndPaths(cs []compat.Change) []string {
	out := make([]string, 0, len(cs))
	for _, c := range cs {
		out = append(out, c.Kind+" "+c.Path)
	}
	slices.Sort(out)
	return out
}

// Cases beyond Confluent's vectors, for rules the vectors leave out.
func TestDiffRules(t *testing.T) {
	f := New()
	tests := []struct {
		name      string
		original  string
		update    string
		want      []string
		compatile bool
	}{
		{
			name:      "required property added to an open content model",
			original:  `{"properties":{"a":{"type":"string"}}}`,
			update:    `{"properties":{"a":{"type":"string"},"b":{"type":"string"}},"required":["b"]}`,
			want:      []string{"REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL #/properties/b"},
			compatile: false,
		},
		{
			name:      "required property with default added to a closed content model",
			original:  `{"properties":{"a":{"type":"string"}},"additionalProperties":false}`,
			update:    `{"properties":{"a":{"type":"string"},"b":{"type":"string","default":"x"}},"required":["b"],"additionalProperties":false}`,
			want:      []string{"REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/b"},
			compatile: true,
		},
		{
			name:      "property removed from a closed content model",
			original:  `{"properties":{"a":{"type":"string"},"b":{"type":"string"}},"additionalProperties":false}`,
			update:    `{"properties":{"a":{"type":"string"}},"additionalProperties":false}`,
			want:      []string{"PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL #/properties/b"},
			compatile: false,
		},
		{
			name:      "enum narrowed",
			original:  `{"enum":["a","b"]}`,
			update:    `{"enum":["a"]}`,
			want:      []string{"ENUM_ARRAY_NARROWED #/enum"},
			compatile: false,
		},
		{
			name:      "enum values compare by value",
			original:  `{"enum":[1,{"a":1,"b":2}]}`,
			update:    `{"enum":[1.0,{"b":2,"a":1}]}`,
			want:      []string{},
			compatile: true,
		},
		{
			name:      "exclusive bounds",
			original:  `{"type":"number","exclusiveMaximum":10,"exclusiveMinimum":1}`,
			update:    `{"type":"number","exclusiveMaximum":5}`,
			want:      []string{"EXCLUSIVE_MAXIMUM_DECREASED #/exclusiveMaximum", "EXCLUSIVE_MINIMUM_REMOVED #/exclusiveMinimum"},
			compatile: false,
		},
		{
			name:      "fractional multipleOf",
			original:  `{"type":"number","multipleOf":0.5}`,
			update:    `{"type":"number","multipleOf":0.25}`,
			want:      []string{"MULTIPLE_OF_REDUCED #/multipleOf"},
			compatile: true,
		},
		{
			name:      "multipleOf expanded",
			original:  `{"type":"number","multipleOf":2}`,
			update:    `{"type":"number","multipleOf":6}`,
			want:      []string{"MULTIPLE_OF_EXPANDED #/multipleOf"},
			compatile: false,
		},
		{
			name:      "dependency array narrowed and extended",
			original:  `{"dependencies":{"a":["b","c"],"d":["e"]}}`,
			update:    `{"dependencies":{"a":["b"],"d":["e","f"]}}`,
			want:      []string{"DEPENDENCY_ARRAY_EXTENDED #/dependencies/d", "DEPENDENCY_ARRAY_NARROWED #/dependencies/a"},
			compatile: false,
		},
		{
			name:      "unevaluatedProperties closed",
			original:  `{"$schema":"https://json-schema.org/draft/2020-12/schema","properties":{"a":{"type":"string"}}}`,
			update:    `{"$schema":"https://json-schema.org/draft/2020-12/schema","properties":{"a":{"type":"string"}},"unevaluatedProperties":false}`,
			want:      []string{"UNEVALUATED_PROPERTIES_REMOVED #/unevaluatedProperties"},
			compatile: false,
		},
		{
			name:      "maxContains relaxed",
			original:  `{"$schema":"https://json-schema.org/draft/2020-12/schema","contains":{"type":"string"},"maxContains":2}`,
			update:    `{"$schema":"https://json-schema.org/draft/2020-12/schema","contains":{"type":"string"},"maxContains":3}`,
			want:      []string{"MAX_CONTAINS_INCREASED #/maxContains"},
			compatile: true,
		},
		{
			name:      "connect.type bytes on both sides",
			original:  `{"type":"string","connect.type":"bytes"}`,
			update:    `{"type":"number","connect.type":"bytes"}`,
			want:      []string{},
			compatile: true,
		},
		{
			name:      "type narrowed inside a reference cycle",
			original:  `{"definitions":{"n":{"properties":{"v":{"type":"number"},"next":{"$ref":"#/definitions/n"}}}},"$ref":"#/definitions/n"}`,
			update:    `{"definitions":{"n":{"properties":{"v":{"type":"integer"},"next":{"$ref":"#/definitions/n"}}}},"$ref":"#/definitions/n"}`,
			want:      []string{"TYPE_NARROWED #/properties/v"},
			compatile: false,
		},
		{
			// Like Confluent, the comparison stops where an original schema
			// repeats on the way down, even if the update goes on: the
			// change below the second "a" is not seen.
			name:      "mutual recursion against a plain schema stops at the cycle",
			original:  `{"definitions":{"a":{"properties":{"b":{"$ref":"#/definitions/b"}}},"b":{"properties":{"a":{"$ref":"#/definitions/a"}}}},"$ref":"#/definitions/a"}`,
			update:    `{"properties":{"b":{"properties":{"a":{"properties":{"b":{"type":"string"}}}}}}}`,
			want:      []string{},
			compatile: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, u := mustParse(t, f, tc.original), mustParse(t, f, tc.update)
			d := f.Diff(o, u, compat.Options{})
			got := kindsAndPaths(d)
			want := append([]string{}, tc.want...)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("changes\n got  %v\n want %v", got, want)
			}
			if c := allCompatible(d); c != tc.compatile {
				t.Errorf("compatible = %v, want %v", c, tc.compatile)
			}
			for _, c := range d {
				if c.Rule != c.Kind || c.Message == "" || !strings.Contains(c.Message, c.Path) {
					t.Errorf("change %+v: want Rule = Kind and a message naming the path", c)
				}
			}
		})
	}
}

func TestChangePositions(t *testing.T) {
	f := New()
	o := mustParse(t, f, `{"type":"object","properties":{"name":{"type":"string","maxLength":20}}}`)
	u := mustParse(t, f, "{\n  \"type\": \"object\",\n  \"properties\": {\n    \"name\": {\"type\": \"string\",\n             \"maxLength\": 10}\n  }\n}")
	d := f.Diff(o, u, compat.Options{})
	if len(d) != 1 {
		t.Fatalf("Diff = %+v", d)
	}
	if d[0].Kind != "MAX_LENGTH_DECREASED" || d[0].Line != 5 || d[0].Column != 14 {
		t.Errorf("change %+v, want MAX_LENGTH_DECREASED at 5:14", d[0])
	}
}

// A change to whether a property is required is located at the
// property's entry in the update's required array, or at the array when
// the entry is gone, never at the document's start.
func TestRequiredChangePositions(t *testing.T) {
	f := New()
	props := `"properties": {"id": {"type": "string"}, "n": {"type": "integer"}}`
	o := mustParse(t, f, `{"type":"object",`+props+`,"required":["n"]}`)
	u := mustParse(t, f, "{\n  \"type\": \"object\",\n  "+props+",\n  \"required\": [\n    \"id\"\n  ]\n}")
	d := f.Diff(o, u, compat.Options{})
	got := map[string][2]int{}
	for _, c := range d {
		got[c.Kind+" "+c.Path] = [2]int{c.Line, c.Column}
	}
	want := map[string][2]int{
		"REQUIRED_ATTRIBUTE_ADDED #/required/id":  {5, 5}, // "id" in the array
		"REQUIRED_ATTRIBUTE_REMOVED #/required/n": {4, 3}, // the required key
	}
	for k, lc := range want {
		if got[k] != lc {
			t.Errorf("%s at %v, want %v (all: %+v)", k, got[k], lc, d)
		}
	}
}

func TestDiffOfForeignSchema(t *testing.T) {
	f := New()
	s := mustParse(t, f, `{}`)
	d := f.Diff(s, otherSchema{}, compat.Options{})
	if len(d) != 1 || d[0].Compatible {
		t.Errorf("Diff with a foreign schema = %+v, want one incompatible change", d)
	}
}

type otherSchema struct{}

func (otherSchema) Canonical() string  { return "" }
func (otherSchema) Normalized() string { return "" }

// Nested oneOfs compare every pair of branches; the step budget turns an
// explosion into an incompatible DIFF_TOO_COMPLEX instead of a hang.
func TestDiffBudget(t *testing.T) {
	branch := func(depth int, leaf string) string {
		s := leaf
		for i := 0; i < depth; i++ {
			var alts []string
			for j := 0; j < 6; j++ {
				alts = append(alts, fmt.Sprintf(`{"title":"t%d","oneOf":[%s,{"type":"integer","minimum":%d}]}`, j, s, j))
			}
			s = `{"oneOf":[` + strings.Join(alts, ",") + `]}`
		}
		return s
	}
	f := New(DiffSteps(20000))
	o := mustParse(t, f, branch(3, `{"type":"string"}`))
	u := mustParse(t, f, branch(3, `{"type":"boolean"}`))
	d := f.Diff(o, u, compat.Options{})
	if len(d) == 0 || d[len(d)-1].Kind != "DIFF_TOO_COMPLEX" || d[len(d)-1].Compatible {
		t.Errorf("Diff over budget = %v, want it to end with an incompatible DIFF_TOO_COMPLEX", kindsAndPaths(d))
	}
}

func TestDiffIsSafeForConcurrentUse(t *testing.T) {
	f := New()
	o := mustParse(t, f, `{"properties":{"a":{"oneOf":[{"type":"string"},{"type":"null"}]},"b":{"$ref":"#"}}}`)
	u := mustParse(t, f, `{"properties":{"a":{"anyOf":[{"type":"null"},{"type":"string"},{"type":"number"}]},"b":{"$ref":"#"}}}`)
	want := kindsAndPaths(f.Diff(o, u, compat.Options{}))
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got := kindsAndPaths(f.Diff(o, u, compat.Options{})); !slices.Equal(got, want) {
				t.Errorf("concurrent Diff = %v, want %v", got, want)
			}
		}()
	}
	wg.Wait()
}
