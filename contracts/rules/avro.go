package rules

import (
	"fmt"
	"math"
	"strings"

	havro "github.com/hamba/avro/v2"

	"github.com/charter-registry/charter/confluent"
)

// avroFields walks Avro values in hamba's generic form: map[string]any for
// records and maps, []any for arrays, and for a union either the bare value
// (nullable unions) or a one-entry map keyed by the branch's name.
type avroFields struct {
	schema havro.Schema
	tags   map[string][]string
}

// AvroFields returns the field walker for values of schema, with the
// metadata tags of md (may be nil).
func AvroFields(schema havro.Schema, md *confluent.Metadata) Fields {
	f := &avroFields{schema: schema}
	if md != nil {
		f.tags = md.Tags
	}
	return f
}

func (a *avroFields) Walk(msg any, fn FieldFunc) (any, error) {
	return a.walk(a.schema, msg, nil, fn, 0)
}

const maxWalkDepth = 256

func (a *avroFields) walk(s havro.Schema, v any, field *Field, fn FieldFunc, depth int) (any, error) {
	if v == nil {
		return nil, nil
	}
	if depth > maxWalkDepth {
		return nil, fmt.Errorf("value nests deeper than %d levels", maxWalkDepth)
	}
	if ref, ok := s.(*havro.RefSchema); ok {
		s = ref.Schema()
	}
	if field != nil {
		field.Type = avroLabel(s)
	}
	switch t := s.(type) {
	case *havro.RecordSchema:
		m, ok := v.(map[string]any)
		if !ok {
			return v, nil
		}
		for _, f := range t.Fields() {
			fv, present := m[f.Name()]
			if !present {
				continue
			}
			full := t.FullName() + "." + f.Name()
			fc := &Field{FullName: full, Name: f.Name(), Container: m,
				Tags: mergeTags(inlineAvroTags(f), metadataTags(a.tags, full))}
			nv, err := a.walk(f.Type(), fv, fc, fn, depth+1)
			if err != nil {
				return nil, err
			}
			m[f.Name()] = nv
		}
		return m, nil
	case *havro.UnionSchema:
		branch, inner, wrapped := unionBranch(t, v)
		if branch == nil {
			return v, nil
		}
		nv, err := a.walk(branch, inner, field, fn, depth+1)
		if err != nil {
			return nil, err
		}
		if wrapped != "" {
			v.(map[string]any)[wrapped] = nv
			return v, nil
		}
		return nv, nil
	case *havro.ArraySchema:
		items, ok := v.([]any)
		if !ok {
			return v, nil
		}
		for i, it := range items {
			nv, err := a.walk(t.Items(), it, field, fn, depth+1)
			if err != nil {
				return nil, err
			}
			items[i] = nv
		}
		return items, nil
	case *havro.MapSchema:
		m, ok := v.(map[string]any)
		if !ok {
			return v, nil
		}
		for k, it := range m {
			nv, err := a.walk(t.Values(), it, field, fn, depth+1)
			if err != nil {
				return nil, err
			}
			m[k] = nv
		}
		return m, nil
	case *havro.PrimitiveSchema:
		if field == nil {
			return v, nil
		}
		nv, err := fn(field, v)
		if err != nil {
			return nil, err
		}
		return coerceAvro(t.Type(), nv)
	}
	return v, nil
}

// unionBranch finds the branch of u that v belongs to. wrapped is the key
// when v is hamba's {"name": value} form.
func unionBranch(u *havro.UnionSchema, v any) (havro.Schema, any, string) {
	if m, ok := v.(map[string]any); ok && len(m) == 1 {
		for k, inner := range m {
			for _, b := range u.Types() {
				if avroName(b) == k {
					return b, inner, k
				}
			}
		}
	}
	for _, b := range u.Types() {
		if b.Type() != havro.Null && matchesAvro(b, v) {
			return b, v, ""
		}
	}
	return nil, nil, ""
}

func avroName(s havro.Schema) string {
	if n, ok := s.(havro.NamedSchema); ok {
		return n.FullName()
	}
	return string(s.Type())
}

func matchesAvro(s havro.Schema, v any) bool {
	if ref, ok := s.(*havro.RefSchema); ok {
		s = ref.Schema()
	}
	switch s.Type() {
	case havro.String:
		_, ok := v.(string)
		return ok
	case havro.Bytes:
		_, ok := v.([]byte)
		return ok
	case havro.Boolean:
		_, ok := v.(bool)
		return ok
	case havro.Int, havro.Long:
		switch v.(type) {
		case int, int32, int64:
			return true
		}
	case havro.Float, havro.Double:
		switch v.(type) {
		case float32, float64:
			return true
		}
	case havro.Record, havro.Map:
		_, ok := v.(map[string]any)
		return ok
	case havro.Array:
		_, ok := v.([]any)
		return ok
	}
	return false
}

// avroLabel is Confluent's field type label for s.
func avroLabel(s havro.Schema) string {
	switch s.Type() {
	case havro.Union:
		return "COMBINED"
	case havro.Error, havro.Ref:
		return ""
	}
	// hamba's type names are Avro's (record, enum, int, ...); the label is
	// the same name in upper case.
	return strings.ToUpper(string(s.Type()))
}

func inlineAvroTags(f *havro.Field) []string {
	raw, ok := f.Prop("confluent:tags").([]any)
	if !ok {
		return nil
	}
	out := make([]string, 0, len(raw))
	for _, t := range raw {
		if s, ok := t.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// coerceAvro converts a rule's result to the Go type hamba encodes for t.
func coerceAvro(t havro.Type, v any) (any, error) {
	bad := func() (any, error) { return nil, fmt.Errorf("transform result %v (%T) does not fit Avro %s", v, v, t) }
	switch t {
	case havro.Int:
		n, ok := toInt64(v)
		if !ok || n < math.MinInt32 || n > math.MaxInt32 {
			return bad()
		}
		return int(n), nil
	case havro.Long:
		n, ok := toInt64(v)
		if !ok {
			return bad()
		}
		return n, nil
	case havro.Float:
		f, ok := toFloat64(v)
		if !ok {
			return bad()
		}
		return float32(f), nil
	case havro.Double:
		f, ok := toFloat64(v)
		if !ok {
			return bad()
		}
		return f, nil
	case havro.String:
		if s, ok := v.(string); ok {
			return s, nil
		}
		return bad()
	case havro.Bytes:
		if b, ok := v.([]byte); ok {
			return b, nil
		}
		return bad()
	case havro.Boolean:
		if b, ok := v.(bool); ok {
			return b, nil
		}
		return bad()
	}
	return v, nil
}

func toInt64(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int8:
		return int64(n), true
	case int16:
		return int64(n), true
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case uint32:
		return int64(n), true
	case uint64:
		if n > math.MaxInt64 {
			return 0, false
		}
		return int64(n), true
	case float64:
		if n != math.Trunc(n) || math.Abs(n) > 1<<53 {
			return 0, false
		}
		return int64(n), true
	}
	return 0, false
}

func toFloat64(v any) (float64, bool) {
	switch n := v.(type) {
	case float32:
		return float64(n), true
	case float64:
		return n, true
	}
	if i, ok := toInt64(v); ok {
		return float64(i), true
	}
	return 0, false
}
