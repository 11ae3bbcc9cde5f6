package check

import (
	"strconv"
	"unicode/utf8"
)

// jnode is a JSON value with the byte offset where it starts, enough to
// follow a JSON pointer through a document and say where it ends up.
type jnode struct {
	off   int
	kind  byte // '{', '[', '"', or 'v' for numbers, literals
	str   string
	keys  []string
	vals  []*jnode
	elems []*jnode
}

func (n *jnode) get(key string) *jnode {
	if n == nil || n.kind != '{' {
		return nil
	}
	for i, k := range n.keys {
		if k == key {
			return n.vals[i]
		}
	}
	return nil
}

func (n *jnode) index(s string) *jnode {
	if n == nil || n.kind != '[' {
		return nil
	}
	i, err := strconv.Atoi(s)
	if err != nil || i < 0 || i >= len(n.elems) {
		return nil
	}
	return n.elems[i]
}

// maxJSONDepth bounds nesting so that hostile input cannot exhaust the
// stack.
const maxJSONDepth = 512

// parseJSONPositions parses text into a jnode tree; nil when text is not
// valid JSON. It is forgiving only where it does not matter for locating:
// string escapes are decoded with strconv.Unquote and numbers are not
// validated beyond their characters.
func parseJSONPositions(text string) *jnode {
	p := &jparser{s: text}
	p.space()
	n := p.value(0)
	if n == nil {
		return nil
	}
	p.space()
	if p.i != len(p.s) {
		return nil
	}
	return n
}

type jparser struct {
	s string
	i int
}

func (p *jparser) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jparser) value(depth int) *jnode {
	if depth > maxJSONDepth || p.i >= len(p.s) {
		return nil
	}
	start := p.i
	switch c := p.s[p.i]; {
	case c == '{':
		p.i++
		n := &jnode{off: start, kind: '{'}
		p.space()
		if p.i < len(p.s) && p.s[p.i] == '}' {
			p.i++
			return n
		}
		for {
			p.space()
			k, ok := p.str()
			if !ok {
				return nil
			}
			p.space()
			if p.i >= len(p.s) || p.s[p.i] != ':' {
				return nil
			}
			p.i++
			p.space()
			v := p.value(depth + 1)
			if v == nil {
				return nil
			}
			n.keys = append(n.keys, k)
			n.vals = append(n.vals, v)
			p.space()
			if p.i >= len(p.s) {
				return nil
			}
			if p.s[p.i] == ',' {
				p.i++
				continue
			}
			if p.s[p.i] == '}' {
				p.i++
				return n
			}
			return nil
		}
	case c == '[':
		p.i++
		n := &jnode{off: start, kind: '['}
		p.space()
		if p.i < len(p.s) && p.s[p.i] == ']' {
			p.i++
			return n
		}
		for {
			p.space()
			v := p.value(depth + 1)
			if v == nil {
				return nil
			}
			n.elems = append(n.elems, v)
			p.space()
			if p.i >= len(p.s) {
				return nil
			}
			if p.s[p.i] == ',' {
				p.i++
				continue
			}
			if p.s[p.i] == ']' {
				p.i++
				return n
			}
			return nil
		}
	case c == '"':
		s, ok := p.str()
		if !ok {
			return nil
		}
		return &jnode{off: start, kind: '"', str: s}
	default:
		for p.i < len(p.s) && (p.s[p.i] == '-' || p.s[p.i] == '+' || p.s[p.i] == '.' ||
			(p.s[p.i] >= '0' && p.s[p.i] <= '9') || (p.s[p.i] >= 'a' && p.s[p.i] <= 'z') || (p.s[p.i] >= 'A' && p.s[p.i] <= 'Z')) {
			p.i++
		}
		if p.i == start {
			return nil
		}
		return &jnode{off: start, kind: 'v', str: p.s[start:p.i]}
	}
}

func (p *jparser) str() (string, bool) {
	if p.i >= len(p.s) || p.s[p.i] != '"' {
		return "", false
	}
	start := p.i
	p.i++
	escaped := false
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '\\':
			escaped = true
			p.i += 2
			continue
		case c == '"':
			p.i++
			raw := p.s[start:p.i]
			if !escaped {
				return raw[1 : len(raw)-1], true
			}
			s, err := strconv.Unquote(raw)
			if err != nil {
				return raw[1 : len(raw)-1], true
			}
			return s, true
		case c < 0x20:
			return "", false
		}
		p.i++
	}
	return "", false
}

// lineCol turns a byte offset into a 1-based line and a column counted in
// characters, as the formats count them.
func lineCol(text string, off int) (int, int) {
	if off < 0 {
		return 0, 0
	}
	if off > len(text) {
		off = len(text)
	}
	line, start := 1, 0
	for i := 0; i < off; i++ {
		if text[i] == '\n' {
			line++
			start = i + 1
		}
	}
	return line, utf8.RuneCountInString(text[start:off]) + 1
}
