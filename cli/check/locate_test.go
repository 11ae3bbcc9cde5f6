package check

import (
	"encoding/json"
	"testing"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/internal/jsontext"
)

func TestParseJSONPositions(t *testing.T) {
	text := "{\n  \"a\": [1, {\"b\": \"x\\\"y\"}],\n  \"é\": true\n}"
	n := parseJSONPositions(text)
	if n == nil {
		t.Fatal("valid JSON refused")
	}
	b := index(n.Get("a"), "1").Get("b")
	if b == nil || b.Str != `x"y` {
		t.Fatalf("escaped string: %+v", b)
	}
	if l, c := jsontext.LineCol(text, b.Off); l != 2 || c != 18 {
		t.Errorf("position of b: %d:%d", l, c)
	}
	if e := n.Get("é"); e == nil || e.Kind != jsontext.Bool {
		t.Errorf("non-ASCII key: %+v", e)
	}
	for _, bad := range []string{"", "{", `{"a" 1}`, "[1,]x", `{"a":1,}`, "\"\x01\"", "[1 2]"} {
		if parseJSONPositions(bad) != nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestRelocate(t *testing.T) {
	oldAvro := `{
  "type": "record",
  "name": "Order",
  "fields": [
    {"name": "id", "type": "string"},
    {"name": "qty", "type": "int"},
    {"name": "line", "type": {"type": "record", "name": "Line", "fields": [
      {"name": "sku", "type": "string"},
      {"name": "n", "type": "int"}
    ]}}
  ]
}`
	newAvro := `{
  "type": "record",
  "name": "Order",
  "fields": [
    {"name": "line", "type": {"type": "record", "name": "Line", "fields": [
      {"name": "n", "type": "int"}
    ]}},
    {"name": "id", "type": "string"}
  ]
}`
	oldJSON := `{"properties": {"a": {"type": "number"}, "b": {"type": "string"}}}`
	newJSON := "{\n  \"properties\": {\n    \"b\": {\"type\": \"string\"}\n  }\n}"
	oldProto := "syntax = \"proto3\";\nmessage Outer {\n  message Inner {\n    int32 a = 1;\n  }\n}\n"
	newProto := "syntax = \"proto3\";\n\nmessage Outer {\n  message Inner {\n  }\n}\n"
	cases := []struct {
		name             string
		typ              compat.Type
		old, new, path   string
		backward         []compat.Change
		wantLine, wantCl int
	}{
		{"same path in the backward diff wins", compat.Avro, oldAvro, newAvro, "/fields/1",
			[]compat.Change{{Path: "/fields/1", Line: 42, Column: 7}}, 42, 7},
		{"a removed field lands on the field list", compat.Avro, oldAvro, newAvro, "/fields/1", nil, 4, 13},
		{"fields are followed by name, not index", compat.Avro, oldAvro, newAvro, "/fields/2/type/fields/0", nil, 5, 75},
		{"removed JSON property lands on properties", compat.JSON, oldJSON, newJSON, "#/properties/a", nil, 2, 17},
		{"protobuf lands on the innermost message", compat.Protobuf, oldProto, newProto, "#/Outer.Inner/1", nil, 4, 3},
		{"nothing fits", compat.Protobuf, oldProto, "syntax = \"proto3\";\n", "#/Gone/1", nil, 0, 0},
		{"unparsable new text", compat.JSON, oldJSON, "{", "#/properties/a", nil, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l, col := relocate(c.typ, c.old, c.new, c.path, c.backward)
			if l != c.wantLine || col != c.wantCl {
				t.Errorf("got %d:%d, want %d:%d", l, col, c.wantLine, c.wantCl)
			}
		})
	}
}

func FuzzParseJSONPositions(f *testing.F) {
	f.Add(`{"a": [1, {"b": "c"}]}`)
	f.Add(`[[[[[[]]]]]]`)
	f.Add(`"\u00e9"`)
	f.Fuzz(func(t *testing.T, text string) {
		n := parseJSONPositions(text)
		if n == nil {
			return
		}
		// Whatever we accept that encoding/json also accepts must agree on
		// the top-level shape.
		var v any
		if json.Unmarshal([]byte(text), &v) == nil {
			switch v.(type) {
			case map[string]any:
				if n.Kind != jsontext.Object {
					t.Fatalf("object parsed as kind %d", n.Kind)
				}
			case []any:
				if n.Kind != jsontext.Array {
					t.Fatalf("array parsed as kind %d", n.Kind)
				}
			}
		}
		if n.Off < 0 || n.Off > len(text) {
			t.Fatalf("offset %d out of range", n.Off)
		}
		_ = followPath(n, "/a/0/b")
	})
}

// followPath walks a pointer through a parsed tree, as relocate does.
func followPath(n *jnode, p string) *jnode {
	for _, s := range pointerSegments(p) {
		switch n.Kind {
		case jsontext.Object:
			n = n.Get(s)
		case jsontext.Array:
			n = index(n, s)
		default:
			return n
		}
		if n == nil {
			return nil
		}
	}
	return n
}
