package jsontext

import (
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Options limit what Parse accepts. The zero value accepts any JSON text.
type Options struct {
	// MaxDepth refuses arrays and objects nested deeper than this, before
	// descending into them; 0 means no limit.
	MaxDepth int
	// MaxNumberLen refuses number literals longer than this many bytes and
	// exponents of more than four digits (leading zeros aside), which exact
	// arithmetic on the number would make slow; 0 means no limit.
	MaxNumberLen int
}

// SyntaxError is text that is not JSON, or exceeds a limit of Options. Off
// is the byte offset of the offending byte.
type SyntaxError struct {
	Off int
	Msg string
}

func (e *SyntaxError) Error() string { return e.Msg }

// Parse reads exactly one JSON value from text, surrounded by optional
// whitespace and preceded by an optional byte order mark, which offsets
// count. Strings are decoded as encoding/json decodes them: invalid UTF-8
// and lone surrogates become U+FFFD. A string without escapes shares its
// bytes with text. The error is a *SyntaxError.
func Parse(text string, opts Options) (*Value, error) {
	p := &parser{src: text, maxDepth: opts.MaxDepth, maxNumber: opts.MaxNumberLen}
	if strings.HasPrefix(text, "\ufeff") {
		p.pos = len("\ufeff")
	}
	p.skipSpace()
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos < len(p.src) {
		return nil, p.errorf("unexpected %s after the top-level value", p.describe())
	}
	return v, nil
}

type parser struct {
	src       string
	pos       int
	depth     int
	maxDepth  int
	maxNumber int
	// slab is where the next Values are allocated, a chunk at a time: one
	// allocation for many small values (a schema text holds dozens) instead
	// of one each. The tree holds every chunk it uses, so a chunk's unused
	// tail, at most slabChunk values, is all it costs in memory.
	slab []Value
}

// slabChunk is how many Values a chunk of the slab holds at most; the
// first chunk is sized from the text, so a small text gets a small one.
const slabChunk = 64

// newValue returns v allocated from the slab.
func (p *parser) newValue(v Value) *Value {
	if len(p.slab) == 0 {
		p.slab = make([]Value, min(slabChunk, 4+len(p.src)/16))
	}
	out := &p.slab[0]
	*out = v
	p.slab = p.slab[1:]
	return out
}

func (p *parser) errorf(format string, args ...any) error {
	return &SyntaxError{Off: p.pos, Msg: fmt.Sprintf(format, args...)}
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

func (p *parser) value() (*Value, error) {
	if p.pos >= len(p.src) {
		return nil, p.errorf("unexpected end of input, expected a value")
	}
	start := p.pos
	switch c := p.src[p.pos]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		return p.newValue(Value{Kind: String, Str: s, Off: start}), nil
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case strings.HasPrefix(p.src[p.pos:], "true"):
		p.pos += 4
		return p.newValue(Value{Kind: Bool, Str: "true", Off: start}), nil
	case strings.HasPrefix(p.src[p.pos:], "false"):
		p.pos += 5
		return p.newValue(Value{Kind: Bool, Str: "false", Off: start}), nil
	case strings.HasPrefix(p.src[p.pos:], "null"):
		p.pos += 4
		return p.newValue(Value{Kind: Null, Off: start}), nil
	default:
		return nil, p.errorf("unexpected %s, expected a value", p.describe())
	}
}

func (p *parser) enter() error {
	p.depth++
	if p.maxDepth > 0 && p.depth > p.maxDepth {
		return p.errorf("nesting is deeper than %d levels", p.maxDepth)
	}
	return nil
}

// indexAfter is the member count beyond which duplicate keys are found
// through a map instead of a scan, so that a hostile object with many
// members costs linear time.
const indexAfter = 16

func (p *parser) object() (*Value, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	v := p.newValue(Value{Kind: Object, Off: p.pos})
	p.pos++ // {
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == '}' {
		p.pos++
		p.depth--
		return v, nil
	}
	var index map[string]int
	for {
		p.skipSpace()
		if p.pos >= len(p.src) || p.src[p.pos] != '"' {
			return nil, p.errorf("unexpected %s, expected a member name in quotes", p.describe())
		}
		koff := p.pos
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.pos >= len(p.src) || p.src[p.pos] != ':' {
			return nil, p.errorf("unexpected %s, expected ':' after member name", p.describe())
		}
		p.pos++
		p.skipSpace()
		val, err := p.value()
		if err != nil {
			return nil, err
		}
		if i := v.member(key, index); i >= 0 {
			v.Members[i].Value = val
		} else {
			v.Members = append(v.Members, Member{Key: key, Off: koff, Value: val})
			switch {
			case index != nil:
				index[key] = len(v.Members) - 1
			case len(v.Members) > indexAfter:
				index = make(map[string]int, 2*len(v.Members))
				for j, m := range v.Members {
					index[m.Key] = j
				}
			}
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

// member returns the position of key among v's members, or -1.
func (v *Value) member(key string, index map[string]int) int {
	if index != nil {
		if i, ok := index[key]; ok {
			return i
		}
		return -1
	}
	for i := range v.Members {
		if v.Members[i].Key == key {
			return i
		}
	}
	return -1
}

func (p *parser) array() (*Value, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	v := p.newValue(Value{Kind: Array, Off: p.pos})
	p.pos++ // [
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == ']' {
		p.pos++
		p.depth--
		return v, nil
	}
	for {
		p.skipSpace()
		el, err := p.value()
		if err != nil {
			return nil, err
		}
		v.Elems = append(v.Elems, el)
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

// maxExponentDigits bounds exponents when numbers are limited.
const maxExponentDigits = 4

func (p *parser) number() (*Value, error) {
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
		if exp := strings.TrimLeft(p.src[expStart:p.pos], "0"); p.maxNumber > 0 && len(exp) > maxExponentDigits {
			p.pos = start
			return nil, p.errorf("number exponent is out of range")
		}
	}
	if p.maxNumber > 0 && p.pos-start > p.maxNumber {
		p.pos = start
		return nil, p.errorf("number literal is longer than %d characters", p.maxNumber)
	}
	return p.newValue(Value{Kind: Number, Str: p.src[start:p.pos], Off: start}), nil
}

// str reads a quoted string at p.pos.
func (p *parser) str() (string, error) {
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
			if err := p.escape(&sb); err != nil {
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

func (p *parser) escape(sb *strings.Builder) error {
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
