package jsonschema

import (
	"strings"

	"github.com/charter-registry/charter/internal/jsontext"
)

// The schema text is read with internal/jsontext, which keeps what a map
// loses: key order and the byte offset of every value (for line and column
// in errors and changes). It also enforces the nesting and number limits
// before anything recursive looks at the document. This file writes parsed
// values back out: the stored and normalized forms.

// value is one JSON value of a schema text; member is one member of an
// object.
type (
	value  = jsontext.Value
	member = jsontext.Member
)

// maxNumberLen bounds number literals: digits beyond this are no schema's
// business.
const maxNumberLen = 512

// parseJSON parses exactly one JSON value from src. It fails with a
// *jsontext.SyntaxError on bad syntax and on nesting deeper than maxDepth.
func parseJSON(src string, maxDepth int) (*value, error) {
	return jsontext.Parse(src, jsontext.Options{MaxDepth: maxDepth, MaxNumberLen: maxNumberLen})
}

// compact writes v without insignificant whitespace. With sorted, object
// members are written in byte order of their keys.
func compact(sb *strings.Builder, v *value, sorted bool) {
	switch v.Kind {
	case jsontext.Null:
		sb.WriteString("null")
	case jsontext.Bool, jsontext.Number:
		sb.WriteString(v.Str)
	case jsontext.String:
		writeString(sb, v.Str)
	case jsontext.Array:
		sb.WriteByte('[')
		for i, el := range v.Elems {
			if i > 0 {
				sb.WriteByte(',')
			}
			compact(sb, el, sorted)
		}
		sb.WriteByte(']')
	case jsontext.Object:
		members := v.Members
		if sorted && len(members) > 1 {
			members = sortedMembers(members)
		}
		sb.WriteByte('{')
		for i, m := range members {
			if i > 0 {
				sb.WriteByte(',')
			}
			writeString(sb, m.Key)
			sb.WriteByte(':')
			compact(sb, m.Value, sorted)
		}
		sb.WriteByte('}')
	}
}

func sortedMembers(ms []member) []member { return jsontext.SortedMembers(ms) }

// compactString is v written compactly.
func compactString(v *value, sorted bool) string {
	var sb strings.Builder
	compact(&sb, v, sorted)
	return sb.String()
}

const hexDigits = "0123456789abcdef"

func writeString(sb *strings.Builder, s string) {
	sb.WriteByte('"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		sb.WriteString(s[start:i])
		switch c {
		case '"', '\\':
			sb.WriteByte('\\')
			sb.WriteByte(c)
		case '\n':
			sb.WriteString(`\n`)
		case '\r':
			sb.WriteString(`\r`)
		case '\t':
			sb.WriteString(`\t`)
		case '\b':
			sb.WriteString(`\b`)
		case '\f':
			sb.WriteString(`\f`)
		default:
			sb.WriteString(`\u00`)
			sb.WriteByte(hexDigits[c>>4])
			sb.WriteByte(hexDigits[c&0xf])
		}
		start = i + 1
	}
	sb.WriteString(s[start:])
	sb.WriteByte('"')
}
