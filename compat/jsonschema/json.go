package jsonschema

import (
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// The schema text is parsed by hand rather than with encoding/json because
// the diff and the stored form need what a map loses: key order and the byte
// offset of every value (for line and column in errors and changes). The
// parser also enforces the nesting and size limits before anything recursive
// looks at the document.

type valueKind uint8

const (
	jsonNull valueKind = iota
	jsonBool
	jsonNumber
	jsonString
	jsonArray
	jsonObject
)

// value is one parsed JSON value. Numbers keep their literal text.
type value struct {
	kind valueKind
	b    bool
	str  string // string content, or the literal of a number
	arr  []*value
	obj  []member // in document order, keys unique
	off  int      // byte offset of the value's first character
}

type member struct {
	key string
	off int // byte offset of the key's opening quote
	val *value
}

// get returns the member value for key, or nil.
func (v *value) get(key string) *value {
	if v == nil || v.kind != jsonObject {
		return nil
	}
	for i := range v.obj {
		if v.obj[i].key == key {
			return v.obj[i].val
		}
	}
	return nil
}

// has reports whether the object v has key.
func (v *value) has(key string) bool { return v.get(key) != nil }

// stringOf returns the value's string and whether it is one.
func (v *value) stringOf() (string, bool) {
	if v == nil || v.kind != jsonString {
		return "", false
	}
	return v.str, true
}

const maxNumberLen = 512 // digits beyond this are no schema's business

type syntaxError struct {
	off int
	msg string
}

func (e *syntaxError) Error() string { return e.msg }

type parser struct {
	src      string
	pos      int
	depth    int
	maxDepth int
}

// parseJSON parses exactly one JSON value from src. It fails with a
// *syntaxError on bad syntax and on nesting deeper than maxDepth.
func parseJSON(src string, maxDepth int) (*value, error) {
	p := &parser{src: src, maxDepth: maxDepth}
	if strings.HasPrefix(src, "\ufeff") {
		p.pos = len("\ufeff")
	}
	p.skipSpace()
	v, err := p.parseValue()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos < len(p.src) {
		return nil, p.errorf("unexpected %s after the top-level value", p.describe())
	}
	return v, nil
}

func (p *parser) errorf(format string, args ...any) error {
	return &syntaxError{off: p.pos, msg: fmt.Sprintf(format, args...)}
}

func (p *parser) describe() string {
	if p.pos >= len(p.src) {
		return "end of input"
	}
	r, _ := utf8.DecodeRuneInString(p.src[p.pos:])
	return fmt.Sprintf("character %q", r)
}

func (p *parser) skipSpace() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) parseValue() (*value, error) {
	if p.pos >= len(p.src) {
		return nil, p.errorf("unexpected end of input, expected a value")
	}
	start := p.pos
	switch c := p.src[p.pos]; {
	case c == '{':
		return p.parseObject()
	case c == '[':
		return p.parseArray()
	case c == '"':
		s, err := p.parseString()
		if err != nil {
			return nil, err
		}
		return &value{kind: jsonString, str: s, off: start}, nil
	case c == '-' || (c >= '0' && c <= '9'):
		return p.parseNumber()
	case strings.HasPrefix(p.src[p.pos:], "true"):
		p.pos += 4
		return &value{kind: jsonBool, b: true, off: start}, nil
	case strings.HasPrefix(p.src[p.pos:], "false"):
		p.pos += 5
		return &value{kind: jsonBool, off: start}, nil
	case strings.HasPrefix(p.src[p.pos:], "null"):
		p.pos += 4
		return &value{kind: jsonNull, off: start}, nil
	default:
		return nil, p.errorf("unexpected %s, expected a value", p.describe())
	}
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > p.maxDepth {
		return p.errorf("nesting is deeper than %d levels", p.maxDepth)
	}
	return nil
}

func (p *parser) parseObject() (*value, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	v := &value{kind: jsonObject, off: p.pos}
	p.pos++ // {
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == '}' {
		p.pos++
		p.depth--
		return v, nil
	}
	for {
		p.skipSpace()
		if p.pos >= len(p.src) || p.src[p.pos] != '"' {
			return nil, p.errorf("unexpected %s, expected a member name in quotes", p.describe())
		}
		koff := p.pos
		key, err := p.parseString()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.pos >= len(p.src) || p.src[p.pos] != ':' {
			return nil, p.errorf("unexpected %s, expected ':' after member name", p.describe())
		}
		p.pos++
		p.skipSpace()
		val, err := p.parseValue()
		if err != nil {
			return nil, err
		}
		// A repeated key keeps its first position and its last value, which
		// is what Jackson and encoding/json make of it.
		dup := false
		for i := range v.obj {
			if v.obj[i].key == key {
				v.obj[i].val = val
				dup = true
				break
			}
		}
		if !dup {
			v.obj = append(v.obj, member{key: key, off: koff, val: val})
		}
		p.skipSpace()
		if p.pos >= len(p.src) {
			return nil, p.errorf("unexpected end of input, expected ',' or '}'")
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			p.depth--
			return v, nil
		default:
			return nil, p.errorf("unexpected %s, expected ',' or '}'", p.describe())
		}
	}
}

func (p *parser) parseArray() (*value, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	v := &value{kind: jsonArray, off: p.pos}
	p.pos++ // [
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == ']' {
		p.pos++
		p.depth--
		return v, nil
	}
	for {
		p.skipSpace()
		el, err := p.parseValue()
		if err != nil {
			return nil, err
		}
		v.arr = append(v.arr, el)
		p.skipSpace()
		if p.pos >= len(p.src) {
			return nil, p.errorf("unexpected end of input, expected ',' or ']'")
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			p.depth--
			return v, nil
		default:
			return nil, p.errorf("unexpected %s, expected ',' or ']'", p.describe())
		}
	}
}

func (p *parser) parseNumber() (*value, error) {
	start := p.pos
	digits := func() int {
		n := 0
		for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
			p.pos++
			n++
		}
		return n
	}
	if p.src[p.pos] == '-' {
		p.pos++
	}
	if p.pos < len(p.src) && p.src[p.pos] == '0' {
		p.pos++
	} else if digits() == 0 {
		return nil, p.errorf("invalid number: expected a digit")
	}
	if p.pos < len(p.src) && p.src[p.pos] == '.' {
		p.pos++
		if digits() == 0 {
			return nil, p.errorf("invalid number: expected a digit after '.'")
		}
	}
	if p.pos < len(p.src) && (p.src[p.pos] == 'e' || p.src[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.src) && (p.src[p.pos] == '+' || p.src[p.pos] == '-') {
			p.pos++
		}
		expStart := p.pos
		if digits() == 0 {
			return nil, p.errorf("invalid number: expected a digit in the exponent")
		}
		// Huge exponents would make exact arithmetic (big.Rat) on the
		// number slow and large; no schema needs more than this.
		if exp := strings.TrimLeft(p.src[expStart:p.pos], "0"); len(exp) > 4 {
			p.pos = start
			return nil, p.errorf("number exponent is out of range")
		}
	}
	if p.pos-start > maxNumberLen {
		p.pos = start
		return nil, p.errorf("number literal is longer than %d characters", maxNumberLen)
	}
	return &value{kind: jsonNumber, str: p.src[start:p.pos], off: start}, nil
}

// parseString parses a quoted string at p.pos. Invalid UTF-8 and lone
// surrogates become U+FFFD, as encoding/json does.
func (p *parser) parseString() (string, error) {
	p.pos++ // opening quote
	start := p.pos
	// Fast path: no escapes and valid UTF-8.
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if c == '"' {
			s := p.src[start:p.pos]
			if utf8.ValidString(s) {
				p.pos++
				return s, nil
			}
			break
		}
		if c == '\\' || c < 0x20 {
			break
		}
		p.pos++
	}
	p.pos = start
	var sb strings.Builder
	for {
		if p.pos >= len(p.src) {
			return "", p.errorf("unexpected end of input in a string")
		}
		c := p.src[p.pos]
		switch {
		case c == '"':
			p.pos++
			return sb.String(), nil
		case c < 0x20:
			return "", p.errorf("control character %q in a string must be escaped", rune(c))
		case c == '\\':
			if err := p.parseEscape(&sb); err != nil {
				return "", err
			}
		case c < utf8.RuneSelf:
			sb.WriteByte(c)
			p.pos++
		default:
			r, size := utf8.DecodeRuneInString(p.src[p.pos:])
			sb.WriteRune(r) // RuneError for invalid bytes
			p.pos += size
		}
	}
}

func (p *parser) parseEscape(sb *strings.Builder) error {
	p.pos++ // backslash
	if p.pos >= len(p.src) {
		return p.errorf("unexpected end of input in a string escape")
	}
	c := p.src[p.pos]
	p.pos++
	switch c {
	case '"', '\\', '/':
		sb.WriteByte(c)
	case 'b':
		sb.WriteByte('\b')
	case 'f':
		sb.WriteByte('\f')
	case 'n':
		sb.WriteByte('\n')
	case 'r':
		sb.WriteByte('\r')
	case 't':
		sb.WriteByte('\t')
	case 'u':
		r, ok := p.hex4()
		if !ok {
			return p.errorf("invalid \\u escape in a string")
		}
		if utf16.IsSurrogate(r) {
			if strings.HasPrefix(p.src[p.pos:], "\\u") {
				save := p.pos
				p.pos += 2
				if r2, ok := p.hex4(); ok {
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						sb.WriteRune(dec)
						return nil
					}
				}
				p.pos = save
			}
			r = utf8.RuneError
		}
		sb.WriteRune(r)
	default:
		p.pos -= 2 // point at the backslash
		return p.errorf("invalid escape '\\%c' in a string", c)
	}
	return nil
}

func (p *parser) hex4() (rune, bool) {
	if p.pos+4 > len(p.src) {
		return 0, false
	}
	var r rune
	for i := 0; i < 4; i++ {
		c := p.src[p.pos+i]
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	p.pos += 4
	return r, true
}
