package serde

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	havro "github.com/hamba/avro/v2"

	"github.com/charter-registry/charter/contracts/client"
)

// schemaRecordName is the record name of a configured schema for the
// RecordName strategies: the Avro full name or the JSON Schema title.
func schemaRecordName(s *client.Schema) string {
	var doc map[string]any
	if json.Unmarshal([]byte(s.Schema), &doc) != nil {
		return ""
	}
	switch s.Type() {
	case "AVRO":
		name, _ := doc["name"].(string)
		if ns, _ := doc["namespace"].(string); ns != "" && !strings.Contains(name, ".") {
			return ns + "." + name
		}
		return name
	case "JSON":
		title, _ := doc["title"].(string)
		return title
	}
	return ""
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
