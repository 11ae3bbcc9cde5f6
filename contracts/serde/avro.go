package serde

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	havro "github.com/hamba/avro/v2"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/compat/avro"
	"github.com/charter-registry/charter/contracts/client"
	"github.com/charter-registry/charter/contracts/rules"
)

// avroCodec encodes Avro binary with hamba/avro: Go structs (hamba field
// tags) and hamba's generic maps.
type avroCodec struct {
	api     havro.API
	writers sync.Pool
}

func newAvroCodec(cfg codecConfig) codec {
	c := &avroCodec{api: havro.Config{MaxByteSliceSize: cfg.maxBytes, MaxSliceAllocSize: cfg.maxBytes}.Freeze()}
	c.writers.New = func() any { return havro.NewWriter(nil, 512, havro.WithWriterConfig(c.api)) }
	return c
}

// avroState is a registered Avro schema made ready.
type avroState struct{ schema havro.Schema }

func avroOf(p *parsed) havro.Schema { return p.state.(*avroState).schema }

func (c *avroCodec) prepare(p *parsed, info *client.Schema, deps []compat.Dependency) (rules.Fields, error) {
	s, err := avro.New().Parse(info.Schema, deps)
	if err != nil {
		return nil, err
	}
	schema := s.(*avro.Schema).Avro()
	p.state = &avroState{schema: schema}
	return rules.AvroFields(schema, info.Metadata), nil
}

func (c *avroCodec) encode(t *target, v any) ([]byte, error) {
	w := c.writers.Get().(*havro.Writer)
	w.Reset(nil)
	_, _ = w.Write(t.header[:])
	w.WriteVal(avroOf(t.p), v)
	if w.Error != nil {
		err := w.Error
		w.Error = nil
		c.writers.Put(w)
		return nil, err
	}
	buf := w.Buffer()
	out := make([]byte, len(buf))
	copy(out, buf)
	c.writers.Put(w)
	return out, nil
}

func (c *avroCodec) problems(p *parsed, v any, err error) *ValidationError {
	return avroProblems(avroOf(p), v, err)
}

// ruleValue is v as a generic map, decoded from the validated encoding so
// that Go structs show their schema field names.
func (c *avroCodec) ruleValue(p *parsed, v any, encoded []byte) (any, error) {
	if m, ok := v.(map[string]any); ok {
		return m, nil
	}
	var g any
	err := c.api.Unmarshal(avroOf(p), encoded[HeaderSize:], &g)
	return g, err
}

func (c *avroCodec) decode(_ *Deserializer, p *parsed, body []byte, into any, withRules bool) (any, string, bool, error) {
	schema := avroOf(p)
	record := avroTypeName(schema)
	if into != nil && !withRules {
		if err := c.api.Unmarshal(schema, body, into); err != nil {
			return nil, record, false, err
		}
		return into, record, true, nil
	}
	out, err := c.generic(p, body)
	return out, record, false, err
}

// generic decodes into hamba's generic form. It is its own function so the
// interface it decodes into is the only one that escapes.
func (c *avroCodec) generic(p *parsed, body []byte) (any, error) {
	var out any
	err := c.api.Unmarshal(avroOf(p), body, &out)
	return out, err
}

func (c *avroCodec) decodeInto(p *parsed, out any, body []byte, into any, transformed bool) (any, error) {
	schema := avroOf(p)
	if transformed {
		var err error
		if body, err = havro.Marshal(schema, out); err != nil {
			return nil, err
		}
	}
	if err := c.api.Unmarshal(schema, body, into); err != nil {
		return nil, err
	}
	return into, nil
}

func (c *avroCodec) payloadRecord(p *parsed) string { return avroTypeName(avroOf(p)) }

func (c *avroCodec) splitPayload(body []byte) (clear, rest []byte, err error) { return nil, body, nil }

func (c *avroCodec) migrationRecord(w *parsed) string { return avroTypeName(avroOf(w)) }

// migrationValue decodes the writer's payload generically and, when rules
// will run, turns it into the JSON form they see.
func (c *avroCodec) migrationValue(_ *Deserializer, w *parsed, body []byte, steps int) (any, bool, error) {
	g, err := c.generic(w, body)
	if err != nil {
		return nil, false, err
	}
	if steps == 0 {
		return g, false, nil
	}
	msg, err := avroToJSON(avroOf(w), g, 0)
	if err != nil {
		return nil, false, err
	}
	return msg, false, nil
}

func (c *avroCodec) migrated(reader *parsed, msg any) ([]byte, error) {
	schema := avroOf(reader)
	v, err := avroFromJSON(schema, msg, "$", 0)
	if err != nil {
		return nil, fmt.Errorf("migrated value does not fit the reader's schema (id %d): %w", reader.id, err)
	}
	b, err := havro.Marshal(schema, v)
	if err != nil {
		return nil, fmt.Errorf("migrated value does not fit the reader's schema (id %d): %w", reader.id, err)
	}
	return b, nil
}

// recordName is the full name the schema's text gives its record.
func (c *avroCodec) recordName(s *client.Schema) string {
	var doc map[string]any
	if json.Unmarshal([]byte(s.Schema), &doc) != nil {
		return ""
	}
	name, _ := doc["name"].(string)
	if ns, _ := doc["namespace"].(string); ns != "" && !strings.Contains(name, ".") {
		return ns + "." + name
	}
	return name
}

// avroProblems explains why hamba refused to encode v: the first value
// that does not fit, with its path, or hamba's message at the root when
// the walk finds nothing (Go structs, whose mismatches hamba reports by
// type).
func avroProblems(schema havro.Schema, v any, encErr error) *ValidationError {
	var probs []Problem
	checkAvro(schema, reflect.ValueOf(v), "$", &probs, 0)
	if len(probs) == 0 {
		probs = append(probs, Problem{Path: "$", Message: strings.TrimPrefix(encErr.Error(), "avro: ")})
	}
	return &ValidationError{Problems: probs}
}

const maxProblems = 10

func checkAvro(s havro.Schema, v reflect.Value, path string, probs *[]Problem, depth int) {
	if len(*probs) >= maxProblems || depth > 256 {
		return
	}
	for v.IsValid() && (v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer) {
		if v.IsNil() {
			v = reflect.Value{}
			break
		}
		v = v.Elem()
	}
	if ref, ok := s.(*havro.RefSchema); ok {
		s = ref.Schema()
	}
	bad := func(expected string) {
		*probs = append(*probs, Problem{Path: path, Message: "expected " + expected + ", got " + describe(v)})
	}
	if !v.IsValid() {
		if s.Type() == havro.Null {
			return
		}
		if u, ok := s.(*havro.UnionSchema); ok && u.Nullable() {
			return
		}
		bad(avroExpect(s))
		return
	}
	switch t := s.(type) {
	case *havro.RecordSchema:
		if v.Kind() != reflect.Map || v.Type().Key().Kind() != reflect.String {
			if v.Kind() != reflect.Struct {
				bad("record " + t.FullName())
			}
			return
		}
		for _, f := range t.Fields() {
			fv := v.MapIndex(reflect.ValueOf(f.Name()).Convert(v.Type().Key()))
			fp := path + "." + f.Name()
			if !fv.IsValid() {
				if !f.HasDefault() {
					*probs = append(*probs, Problem{Path: fp, Message: "missing required field of type " + avroExpect(f.Type())})
				}
				continue
			}
			checkAvro(f.Type(), fv, fp, probs, depth+1)
		}
	case *havro.UnionSchema:
		if v.Kind() == reflect.Map && v.Len() == 1 {
			k := v.MapKeys()[0]
			if k.Kind() == reflect.String {
				for _, b := range t.Types() {
					if avroTypeName(b) == k.String() {
						checkAvro(b, v.MapIndex(k), path, probs, depth+1)
						return
					}
				}
			}
		}
		for _, b := range t.Types() {
			var sub []Problem
			checkAvro(b, v, path, &sub, depth+1)
			if len(sub) == 0 {
				return
			}
		}
		bad(avroExpect(s))
	case *havro.ArraySchema:
		if v.Kind() != reflect.Slice && v.Kind() != reflect.Array || v.Type().Elem().Kind() == reflect.Uint8 {
			bad("array")
			return
		}
		for i := range v.Len() {
			checkAvro(t.Items(), v.Index(i), path+"["+strconv.Itoa(i)+"]", probs, depth+1)
		}
	case *havro.MapSchema:
		if v.Kind() != reflect.Map || v.Type().Key().Kind() != reflect.String {
			bad("map")
			return
		}
		iter := v.MapRange()
		for iter.Next() {
			checkAvro(t.Values(), iter.Value(), path+"."+iter.Key().String(), probs, depth+1)
		}
	case *havro.EnumSchema:
		if v.Kind() != reflect.String {
			bad(avroExpect(s))
			return
		}
		if !slices.Contains(t.Symbols(), v.String()) {
			*probs = append(*probs, Problem{Path: path, Message: fmt.Sprintf("expected one of %s, got %q", strings.Join(t.Symbols(), ", "), v.String())})
		}
	case *havro.FixedSchema:
		if v.Kind() != reflect.Array || v.Type().Elem().Kind() != reflect.Uint8 || v.Len() != t.Size() {
			bad(avroExpect(s))
		}
	case *havro.NullSchema:
		bad("null")
	case *havro.PrimitiveSchema:
		if !primitiveFits(t.Type(), v) {
			bad(avroExpect(s))
		}
	}
}

// primitiveFits mirrors what hamba's generic encoder accepts.
func primitiveFits(t havro.Type, v reflect.Value) bool {
	k := v.Kind()
	switch t {
	case havro.Null:
		return false
	case havro.Boolean:
		return k == reflect.Bool
	case havro.Int:
		return k == reflect.Int || k == reflect.Int8 || k == reflect.Int16 || k == reflect.Int32 || k == reflect.Uint8 || k == reflect.Uint16
	case havro.Long:
		return k == reflect.Int || k == reflect.Int8 || k == reflect.Int16 || k == reflect.Int32 || k == reflect.Int64 || k == reflect.Uint8 || k == reflect.Uint16 || k == reflect.Uint32
	case havro.Float:
		return k == reflect.Float32
	case havro.Double:
		return k == reflect.Float32 || k == reflect.Float64
	case havro.String:
		return k == reflect.String
	case havro.Bytes:
		return k == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8
	}
	return true
}

func avroTypeName(s havro.Schema) string {
	if n, ok := s.(havro.NamedSchema); ok {
		return n.FullName()
	}
	return string(s.Type())
}

// avroExpect says in words what s accepts.
func avroExpect(s havro.Schema) string {
	switch t := s.(type) {
	case *havro.RecordSchema:
		return "record " + t.FullName()
	case *havro.EnumSchema:
		return "enum " + t.FullName()
	case *havro.FixedSchema:
		return fmt.Sprintf("fixed %s of %d bytes", t.FullName(), t.Size())
	case *havro.UnionSchema:
		names := make([]string, len(t.Types()))
		for i, b := range t.Types() {
			names[i] = avroTypeName(b)
		}
		return "one of " + strings.Join(names, ", ")
	case *havro.PrimitiveSchema:
		switch t.Type() {
		case havro.Int:
			return "int (Go int or int32)"
		case havro.Long:
			return "long (Go int or int64)"
		case havro.Float:
			return "float (Go float32)"
		}
	}
	return string(s.Type())
}

// describe names the JSON-ish type of v for messages.
func describe(v reflect.Value) string {
	if !v.IsValid() {
		return "null"
	}
	switch v.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Map, reflect.Struct:
		return "object"
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return "bytes"
		}
		return "array"
	}
	return v.Type().String()
}
