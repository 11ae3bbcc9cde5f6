package avro

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/charter-registry/charter/internal/jsontext"
)

// The writers below print JSON the way Jackson does inside Avro's Java
// implementation, because Confluent's canonical form is that output:
// compact, non-ASCII characters unescaped, control characters escaped with
// upper-case hex, and numbers printed as Java prints int, long and double.

// appendString appends s as a JSON string, escaped as Jackson does.
func appendString(b []byte, s string) []byte { return jsontext.AppendString(b, s, jsontext.Jackson) }

// appendNumber appends a JSON number literal as Jackson re-prints it after
// reading it into a tree: integers keep their digits (minus zero becomes 0)
// and anything with a fraction or exponent is a double printed as Java's
// Double.toString does (12.3, 1000.0, 1.0E-5).
func appendNumber(b []byte, lit string) []byte {
	if !strings.ContainsAny(lit, ".eE") {
		if strings.TrimLeft(lit, "-0") == "" {
			return append(b, '0')
		}
		return append(b, lit...)
	}
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return append(b, lit...)
	}
	return appendJavaDouble(b, f)
}

func appendJavaDouble(b []byte, f float64) []byte {
	if f == 0 {
		if math.Signbit(f) {
			return append(b, "-0.0"...)
		}
		return append(b, "0.0"...)
	}
	if a := math.Abs(f); a >= 1e-3 && a < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		b = append(b, s...)
		if !strings.Contains(s, ".") {
			b = append(b, '.', '0')
		}
		return b
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // like 1.2345e+07 or 1e-05
	mant, exp, _ := strings.Cut(s, "e")
	b = append(b, mant...)
	if !strings.Contains(mant, ".") {
		b = append(b, '.', '0')
	}
	e, _ := strconv.Atoi(exp)
	b = append(b, 'E')
	return strconv.AppendInt(b, int64(e), 10)
}

// valueOpts tunes appendValue.
type valueOpts struct {
	// sortKeys prints object keys in sorted order (the normalized form).
	sortKeys bool
	// rawNumbers prints number literals as written.
	rawNumbers bool
	// dropDefault names field objects whose "default" key is left out.
	dropDefault map[*node]bool
	// schema names the schema and field objects (not values inside
	// defaults or properties); in those, keys that differ from a key hamba
	// decodes only in letter case are left out.
	schema map[*node]bool
}

// hambaKeys are the keys hamba reads from schema objects. It matches them
// ignoring case, where Avro's Java parser treats "Symbols" or "NAME" as
// custom properties.
var hambaKeys = []string{
	"type", "name", "namespace", "aliases", "doc", "fields", "default", "order",
	"symbols", "items", "values", "size", "logicalType", "precision", "scale",
}

// shadowsHambaKey reports whether k would be read by hamba as a key it is not.
func shadowsHambaKey(k string) bool {
	for _, h := range hambaKeys {
		if k != h && strings.EqualFold(k, h) {
			return true
		}
	}
	return false
}

// appendValue appends n as compact JSON.
func appendValue(b []byte, n *node, o *valueOpts) []byte {
	switch n.Kind {
	case jsontext.Null:
		return append(b, "null"...)
	case jsontext.Bool:
		return append(b, n.Str...)
	case jsontext.Number:
		if o.rawNumbers {
			return append(b, n.Str...)
		}
		return appendNumber(b, n.Str)
	case jsontext.String:
		return appendString(b, n.Str)
	case jsontext.Array:
		b = append(b, '[')
		for i, e := range n.Elems {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendValue(b, e, o)
		}
		return append(b, ']')
	default:
		b = append(b, '{')
		first := true
		for _, i := range keyOrder(n, o.sortKeys) {
			m := &n.Members[i]
			if m.Key == "default" && o.dropDefault[n] {
				continue
			}
			if o.schema[n] && shadowsHambaKey(m.Key) {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = appendString(b, m.Key)
			b = append(b, ':')
			b = appendValue(b, m.Value, o)
		}
		return append(b, '}')
	}
}

// keyOrder returns the indexes of an object's keys in print order.
func keyOrder(n *node, sorted bool) []int {
	idx := make([]int, len(n.Members))
	for i := range idx {
		idx[i] = i
	}
	if sorted {
		slices.SortFunc(idx, func(a, c int) int { return strings.Compare(n.Members[a].Key, n.Members[c].Key) })
	}
	return idx
}
