package rules

import (
	"encoding/json"
	"fmt"

	"github.com/charter-registry/charter/confluent"
)

// jsonFields walks JSON values as encoding/json decodes them into an any.
// Full names are JSON paths from "$" ($.address.street), as in Confluent's
// JSON Schema serde.
type jsonFields struct {
	schema map[string]any
	tags   map[string][]string
}

// JSONFields returns the field walker for JSON values of the schema text,
// with the metadata tags of md (may be nil). Inline "confluent:tags" and
// property types are read from the schema's "properties", followed through
// nested objects and array "items"; properties reached only through $ref or
// combinators get metadata tags only.
func JSONFields(schemaText string, md *confluent.Metadata) Fields {
	f := &jsonFields{}
	var doc map[string]any
	if json.Unmarshal([]byte(schemaText), &doc) == nil {
		f.schema = doc
	}
	if md != nil {
		f.tags = md.Tags
	}
	return f
}

func (j *jsonFields) Walk(msg any, fn FieldFunc) (any, error) {
	return j.walk(j.schema, msg, "$", nil, fn, 0)
}

func (j *jsonFields) walk(s map[string]any, v any, path string, field *Field, fn FieldFunc, depth int) (any, error) {
	if v == nil {
		return nil, nil
	}
	if depth > maxWalkDepth {
		return nil, fmt.Errorf("value nests deeper than %d levels", maxWalkDepth)
	}
	switch t := v.(type) {
	case map[string]any:
		props, _ := s["properties"].(map[string]any)
		for name, fv := range t {
			sub, _ := props[name].(map[string]any)
			full := path + "." + name
			fc := &Field{FullName: full, Name: name, Container: t, Type: jsonLabel(sub, fv),
				Tags: mergeTags(stringList(sub["confluent:tags"]), metadataTags(j.tags, full))}
			nv, err := j.walk(sub, fv, full, fc, fn, depth+1)
			if err != nil {
				return nil, err
			}
			t[name] = nv
		}
		return t, nil
	case []any:
		items, _ := s["items"].(map[string]any)
		for i, it := range t {
			if field != nil {
				field.Type = jsonLabel(items, it)
			}
			nv, err := j.walk(items, it, path, field, fn, depth+1)
			if err != nil {
				return nil, err
			}
			t[i] = nv
		}
		return t, nil
	}
	if field == nil {
		return v, nil
	}
	return fn(field, v)
}

func stringList(v any) []string {
	raw, ok := v.([]any)
	if !ok {
		return nil
	}
	var out []string
	for _, x := range raw {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// jsonLabel is Confluent's type label of a JSON property: from its schema's
// "type" when that names one type, else from the value.
func jsonLabel(s map[string]any, v any) string {
	if typ, ok := s["type"].(string); ok {
		switch typ {
		case "object":
			return "RECORD"
		case "array":
			return "ARRAY"
		case "string":
			return "STRING"
		case "integer":
			return "INT"
		case "number":
			return "DOUBLE"
		case "boolean":
			return "BOOLEAN"
		case "null":
			return "NULL"
		}
	}
	switch v.(type) {
	case string:
		return "STRING"
	case bool:
		return "BOOLEAN"
	case float64, json.Number:
		return "DOUBLE"
	case map[string]any:
		return "RECORD"
	case []any:
		return "ARRAY"
	}
	return "NULL"
}
