package jsonschema

import (
	"slices"

	js "github.com/santhosh-tekuri/jsonschema/v6"
)

// Schema is a parsed JSON Schema. It is immutable and safe for concurrent
// use.
type Schema struct {
	main       *document
	compiled   *js.Schema
	model      *node
	canonical  string
	normalized string
	draft      int
	fields     []string
}

// Canonical is the stored form: the text compacted (no insignificant
// whitespace) with object members in the order they were written, as
// Confluent stores JSON schemas. Two texts that differ only in whitespace
// get one id.
func (s *Schema) Canonical() string { return s.canonical }

// Normalized is the form for normalize=true: compacted, with the members of
// every object sorted by key, so texts that differ only in member order or
// whitespace give one string. Array order is kept, as it can matter (tuple
// "items", "prefixItems").
func (s *Schema) Normalized() string { return s.normalized }

// Draft is the JSON Schema draft the schema was read as: 4, 6, 7, 2019 or
// 2020.
func (s *Schema) Draft() int { return s.draft }

// Validate checks a JSON value against the schema. v is what encoding/json
// decodes into an any: map[string]any, []any, string, bool, nil, and
// float64 or json.Number (use json.Decoder.UseNumber to keep large
// integers exact). The error is the validator's *ValidationError, which
// lists every failing location.
func (s *Schema) Validate(v any) error { return s.compiled.Validate(v) }

// FieldNames lists every property name the schema declares, at any depth:
// in nested objects, combinations, conditionals, and the definitions and
// dependencies it references. They are sorted and listed once each; the
// catalogue indexes them for search.
func (s *Schema) FieldNames() []string { return slices.Clone(s.fields) }
