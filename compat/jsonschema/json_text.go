package jsonschema

import (
	"encoding/json"
	"slices"
	"strings"
	"unicode/utf8"
)

// Writing parsed values back out (the stored and normalized forms), and
// finding places in the text (line and column for errors and changes).

// lineCol turns a byte offset into a 1-based line and column (in
// characters).
func lineCol(src string, off int) (line, col int) {
	if off > len(src) {
		off = len(src)
	}
	if off < 0 {
		off = 0
	}
	line = 1 + strings.Count(src[:off], "\n")
	lineStart := strings.LastIndexByte(src[:off], '\n') + 1
	col = 1 + utf8.RuneCountInString(src[lineStart:off])
	return line, col
}

// positions turns many byte offsets into 1-based lines and columns in one
// pass over src; a negative offset gives 0, 0.
func positions(src string, offs []int) [][2]int {
	out := make([][2]int, len(offs))
	order := make([]int, 0, len(offs))
	for i, off := range offs {
		if off >= 0 {
			order = append(order, i)
		}
	}
	slices.SortFunc(order, func(a, b int) int { return offs[a] - offs[b] })
	line, col, pos := 1, 1, 0
	for _, i := range order {
		target := min(offs[i], len(src))
		for pos < target {
			r, size := utf8.DecodeRuneInString(src[pos:])
			if r == '\n' {
				line++
				col = 1
			} else {
				col++
			}
			pos += size
		}
		out[i] = [2]int{line, col}
	}
	return out
}

// toAny converts v to the encoding/json shape (with json.Number) that the
// validator library takes.
func (v *value) toAny() any {
	switch v.kind {
	case jsonBool:
		return v.b
	case jsonNumber:
		return json.Number(v.str)
	case jsonString:
		return v.str
	case jsonArray:
		out := make([]any, len(v.arr))
		for i, el := range v.arr {
			out[i] = el.toAny()
		}
		return out
	case jsonObject:
		out := make(map[string]any, len(v.obj))
		for _, m := range v.obj {
			out[m.key] = m.val.toAny()
		}
		return out
	default:
		return nil
	}
}

// compact writes v without insignificant whitespace. With sorted, object
// members are written in byte order of their keys.
func (v *value) compact(sb *strings.Builder, sorted bool) {
	switch v.kind {
	case jsonNull:
		sb.WriteString("null")
	case jsonBool:
		if v.b {
			sb.WriteString("true")
		} else {
			sb.WriteString("false")
		}
	case jsonNumber:
		sb.WriteString(v.str)
	case jsonString:
		writeString(sb, v.str)
	case jsonArray:
		sb.WriteByte('[')
		for i, el := range v.arr {
			if i > 0 {
				sb.WriteByte(',')
			}
			el.compact(sb, sorted)
		}
		sb.WriteByte(']')
	case jsonObject:
		members := v.obj
		if sorted && len(members) > 1 {
			members = sortedMembers(members)
		}
		sb.WriteByte('{')
		for i, m := range members {
			if i > 0 {
				sb.WriteByte(',')
			}
			writeString(sb, m.key)
			sb.WriteByte(':')
			m.val.compact(sb, sorted)
		}
		sb.WriteByte('}')
	}
}

func sortedMembers(ms []member) []member {
	out := make([]member, len(ms))
	copy(out, ms)
	slices.SortStableFunc(out, func(a, b member) int { return strings.Compare(a.key, b.key) })
	return out
}

// compactString is v written compactly.
func (v *value) compactString(sorted bool) string {
	var sb strings.Builder
	v.compact(&sb, sorted)
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

// offsetOf returns the byte offset of the value at the JSON pointer tokens
// (or of the member name when the last token names an object member), and
// false when the pointer does not lead anywhere in v.
func (v *value) offsetOf(tokens []string) (int, bool) {
	cur := v
	off := v.off
	for _, tok := range tokens {
		switch cur.kind {
		case jsonObject:
			found := false
			for _, m := range cur.obj {
				if m.key == tok {
					cur, off, found = m.val, m.off, true
					break
				}
			}
			if !found {
				return off, false
			}
		case jsonArray:
			i, ok := arrayIndex(tok)
			if !ok || i >= len(cur.arr) {
				return off, false
			}
			cur = cur.arr[i]
			off = cur.off
		default:
			return off, false
		}
	}
	return off, true
}

func arrayIndex(tok string) (int, bool) {
	if tok == "" || len(tok) > 9 || (len(tok) > 1 && tok[0] == '0') {
		return 0, false
	}
	n := 0
	for i := 0; i < len(tok); i++ {
		if tok[i] < '0' || tok[i] > '9' {
			return 0, false
		}
		n = n*10 + int(tok[i]-'0')
	}
	return n, true
}
