package check

import (
	"testing"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/compat/avro"
	"github.com/charter-registry/charter/compat/jsonschema"
	"github.com/charter-registry/charter/compat/protobuf"
)

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
	formats := map[compat.Type]compat.Format{compat.Avro: avro.New(), compat.JSON: jsonschema.New(), compat.Protobuf: protobuf.New()}
	parse := func(typ compat.Type, text string) compat.Schema {
		s, err := formats[typ].Parse(text, nil)
		if err != nil {
			return nil // an unparsable text has no schema
		}
		return s
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l, col := relocate(parse(c.typ, c.old), parse(c.typ, c.new), c.path, c.backward)
			if l != c.wantLine || col != c.wantCl {
				t.Errorf("got %d:%d, want %d:%d", l, col, c.wantLine, c.wantCl)
			}
		})
	}
}
