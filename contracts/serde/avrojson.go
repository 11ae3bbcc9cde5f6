package serde

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"slices"
	"strings"
	"time"

	havro "github.com/hamba/avro/v2"
)

// maxAvroDepth bounds the walks below, so a deeply nested value cannot
// exhaust the stack.
const maxAvroDepth = 256

// avroToJSON turns a generic value hamba decoded with schema s into the
// JSON-shaped form migration rules see: maps, slices, strings, float64
// numbers (int64 for longs beyond 2^53), booleans and nil. Bytes and fixed
// become strings of code points as in Avro's JSON encoding, decimals
// decimal strings, dates days and timestamps epoch milli- or microseconds.
// A nullable union's value is bare; other unions keep hamba's
// {"branch": value} form.
func avroToJSON(s havro.Schema, v any, depth int) (any, error) {
	if depth > maxAvroDepth {
		return nil, errors.New("value nests too deeply")
	}
	if ref, ok := s.(*havro.RefSchema); ok {
		s = ref.Schema()
	}
	if v == nil {
		return nil, nil
	}
	switch t := s.(type) {
	case *havro.RecordSchema:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("record %s decoded as %T", t.FullName(), v)
		}
		out := make(map[string]any, len(m))
		for _, f := range t.Fields() {
			fv, ok := m[f.Name()]
			if !ok {
				continue
			}
			j, err := avroToJSON(f.Type(), fv, depth+1)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f.Name(), err)
			}
			out[f.Name()] = j
		}
		return out, nil
	case *havro.UnionSchema:
		if b := nullableBranch(t); b != nil {
			return avroToJSON(b, v, depth+1)
		}
		if m, ok := v.(map[string]any); ok && len(m) == 1 {
			for name, inner := range m {
				if b := unionBranch(t, name); b != nil {
					j, err := avroToJSON(b, inner, depth+1)
					if err != nil {
						return nil, err
					}
					return map[string]any{name: j}, nil
				}
			}
		}
		return nil, fmt.Errorf("union value of type %T names no branch", v)
	case *havro.ArraySchema:
		a, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("array decoded as %T", v)
		}
		out := make([]any, len(a))
		for i, x := range a {
			j, err := avroToJSON(t.Items(), x, depth+1)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			out[i] = j
		}
		return out, nil
	case *havro.MapSchema:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("map decoded as %T", v)
		}
		out := make(map[string]any, len(m))
		for k, x := range m {
			j, err := avroToJSON(t.Values(), x, depth+1)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			out[k] = j
		}
		return out, nil
	}
	return scalarToJSON(v)
}

// scalarToJSON converts the leaves of hamba's generic form.
func scalarToJSON(v any) (any, error) {
	switch x := v.(type) {
	case string, bool, float64:
		return x, nil
	case float32:
		return float64(x), nil
	case int:
		return float64(x), nil
	case int32:
		return float64(x), nil
	case int64:
		if x > 1<<53 || x < -(1<<53) {
			return x, nil
		}
		return float64(x), nil
	case []byte:
		return codePoints(x), nil
	case *big.Rat:
		return x.FloatString(ratScale(x)), nil
	case time.Time:
		return float64(x.UnixMilli()), nil
	case time.Duration:
		return float64(x / time.Millisecond), nil
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Array && rv.Type().Elem().Kind() == reflect.Uint8 {
		b := make([]byte, rv.Len())
		reflect.Copy(reflect.ValueOf(b), rv)
		return codePoints(b), nil
	}
	return nil, fmt.Errorf("unexpected decoded value of type %T", v)
}

// ratScale is the number of decimal digits r needs, at most 38 (Avro's
// usual largest precision) when its expansion does not end.
func ratScale(r *big.Rat) int {
	if n, exact := r.FloatPrec(); exact {
		return n
	}
	return 38
}

// codePoints is Avro's JSON form of bytes: one code point per byte.
func codePoints(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b))
	for _, c := range b {
		sb.WriteRune(rune(c))
	}
	return sb.String()
}

// fromCodePoints reverses codePoints; a string with code points above 255
// is taken as UTF-8 bytes.
func fromCodePoints(s string) []byte {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 255 {
			return []byte(s)
		}
		b = append(b, byte(r))
	}
	return b
}

// nullableBranch returns the non-null branch of a two-branch union with
// null, whose values hamba reads and writes bare.
func nullableBranch(u *havro.UnionSchema) havro.Schema {
	ts := u.Types()
	if len(ts) != 2 {
		return nil
	}
	switch {
	case ts[0].Type() == havro.Null:
		return ts[1]
	case ts[1].Type() == havro.Null:
		return ts[0]
	}
	return nil
}

func unionBranch(u *havro.UnionSchema, name string) havro.Schema {
	for _, b := range u.Types() {
		if avroTypeName(b) == name {
			return b
		}
	}
	return nil
}

// avroFromJSON shapes v, a JSON-shaped value or hamba generic value, into
// what hamba encodes with the reader schema s: numbers converted to the
// field's Go type, strings to bytes or fixed, epoch numbers to times,
// missing fields filled with their defaults, and branches of unions other
// than nullable ones named as {"branch": value}.
func avroFromJSON(s havro.Schema, v any, path string, depth int) (any, error) {
	if depth > maxAvroDepth {
		return nil, errors.New("value nests too deeply")
	}
	if ref, ok := s.(*havro.RefSchema); ok {
		s = ref.Schema()
	}
	bad := func() error {
		return fmt.Errorf("%s: expected %s, got %s", path, avroExpect(s), describe(reflect.ValueOf(v)))
	}
	switch t := s.(type) {
	case *havro.NullSchema:
		if v != nil {
			return nil, bad()
		}
		return nil, nil
	case *havro.RecordSchema:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, bad()
		}
		out := make(map[string]any, len(t.Fields()))
		for _, f := range t.Fields() {
			fv, ok := m[f.Name()]
			if !ok {
				if !f.HasDefault() {
					return nil, fmt.Errorf("%s.%s: missing required field of type %s", path, f.Name(), avroExpect(f.Type()))
				}
				fv = f.Default()
			}
			x, err := avroFromJSON(f.Type(), fv, path+"."+f.Name(), depth+1)
			if err != nil {
				return nil, err
			}
			out[f.Name()] = x
		}
		return out, nil
	case *havro.UnionSchema:
		if b := nullableBranch(t); b != nil {
			if v == nil {
				return nil, nil
			}
			return avroFromJSON(b, v, path, depth+1)
		}
		if v == nil {
			if unionBranch(t, string(havro.Null)) != nil {
				return nil, nil
			}
			return nil, bad()
		}
		if m, ok := v.(map[string]any); ok && len(m) == 1 {
			for name, inner := range m {
				if b := unionBranch(t, name); b != nil {
					x, err := avroFromJSON(b, inner, path, depth+1)
					if err != nil {
						return nil, err
					}
					return map[string]any{name: x}, nil
				}
			}
		}
		for _, b := range t.Types() {
			if b.Type() == havro.Null {
				continue
			}
			if x, err := avroFromJSON(b, v, path, depth+1); err == nil {
				return map[string]any{avroTypeName(b): x}, nil
			}
		}
		return nil, bad()
	case *havro.ArraySchema:
		a, ok := v.([]any)
		if !ok {
			return nil, bad()
		}
		out := make([]any, len(a))
		for i, x := range a {
			y, err := avroFromJSON(t.Items(), x, fmt.Sprintf("%s[%d]", path, i), depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = y
		}
		return out, nil
	case *havro.MapSchema:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, bad()
		}
		out := make(map[string]any, len(m))
		for k, x := range m {
			y, err := avroFromJSON(t.Values(), x, path+"."+k, depth+1)
			if err != nil {
				return nil, err
			}
			out[k] = y
		}
		return out, nil
	case *havro.EnumSchema:
		str, ok := v.(string)
		if !ok || !slices.Contains(t.Symbols(), str) {
			if ok && t.HasDefault() {
				return t.Default(), nil
			}
			return nil, bad()
		}
		return str, nil
	case *havro.FixedSchema:
		if t.Logical() != nil && t.Logical().Type() == havro.Decimal {
			return toRat(v, bad)
		}
		var b []byte
		switch x := v.(type) {
		case string:
			b = fromCodePoints(x)
		case []byte:
			b = x
		default:
			rv := reflect.ValueOf(v)
			if rv.Kind() != reflect.Array || rv.Type().Elem().Kind() != reflect.Uint8 {
				return nil, bad()
			}
			b = make([]byte, rv.Len())
			reflect.Copy(reflect.ValueOf(b), rv)
		}
		if len(b) != t.Size() {
			return nil, bad()
		}
		arr := reflect.New(reflect.ArrayOf(t.Size(), reflect.TypeFor[byte]())).Elem()
		reflect.Copy(arr, reflect.ValueOf(b))
		return arr.Interface(), nil
	case *havro.PrimitiveSchema:
		return primitiveFromJSON(t, v, bad)
	}
	return nil, bad()
}

func primitiveFromJSON(t *havro.PrimitiveSchema, v any, bad func() error) (any, error) {
	var logical havro.LogicalType
	if l := t.Logical(); l != nil {
		logical = l.Type()
	}
	switch t.Type() {
	case havro.Boolean:
		if b, ok := v.(bool); ok {
			return b, nil
		}
	case havro.String:
		if s, ok := v.(string); ok {
			return s, nil
		}
	case havro.Bytes:
		if logical == havro.Decimal {
			return toRat(v, bad)
		}
		switch x := v.(type) {
		case string:
			return fromCodePoints(x), nil
		case []byte:
			return x, nil
		}
	case havro.Int:
		if d, ok := v.(time.Duration); ok && logical == havro.TimeMillis {
			return d, nil
		}
		if tm, ok := v.(time.Time); ok && logical == havro.Date {
			return tm, nil
		}
		n, ok := integer(v, math.MinInt32, math.MaxInt32)
		if !ok {
			return nil, bad()
		}
		switch logical {
		case havro.Date:
			return time.Unix(n*86400, 0).UTC(), nil
		case havro.TimeMillis:
			return time.Duration(n) * time.Millisecond, nil
		}
		return int(n), nil
	case havro.Long:
		switch x := v.(type) {
		case time.Time:
			return x, nil
		case time.Duration:
			return x, nil
		}
		n, ok := integer(v, math.MinInt64, math.MaxInt64)
		if !ok {
			return nil, bad()
		}
		switch logical {
		case havro.TimestampMillis, havro.LocalTimestampMillis:
			return time.UnixMilli(n).UTC(), nil
		case havro.TimestampMicros, havro.LocalTimestampMicros:
			return time.UnixMicro(n).UTC(), nil
		case havro.TimeMicros:
			return time.Duration(n) * time.Microsecond, nil
		}
		return n, nil
	case havro.Float:
		if f, ok := number(v); ok {
			return float32(f), nil
		}
	case havro.Double:
		if f, ok := number(v); ok {
			return f, nil
		}
	}
	return nil, bad()
}

// integer reads a whole number within [lo, hi] from any Go number.
func integer(v any, lo, hi int64) (int64, bool) {
	switch x := v.(type) {
	case int:
		return int64(x), int64(x) >= lo && int64(x) <= hi
	case int32:
		return int64(x), int64(x) >= lo && int64(x) <= hi
	case int64:
		return x, x >= lo && x <= hi
	case float32:
		return integer(float64(x), lo, hi)
	case float64:
		if x != math.Trunc(x) || x < float64(lo) || x > float64(hi) || math.IsNaN(x) {
			return 0, false
		}
		return int64(x), true
	}
	return 0, false
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int32:
		return float64(x), true
	case int64:
		return float64(x), true
	}
	return 0, false
}

// toRat reads a decimal from a decimal string, a number or a *big.Rat.
func toRat(v any, bad func() error) (any, error) {
	switch x := v.(type) {
	case *big.Rat:
		return x, nil
	case string:
		if r, ok := new(big.Rat).SetString(x); ok {
			return r, nil
		}
	default:
		if f, ok := number(v); ok && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return new(big.Rat).SetFloat64(f), nil
		}
	}
	return nil, bad()
}
