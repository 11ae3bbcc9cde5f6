package avro

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// kind is the JSON type of a node.
type kind uint8

const (
	kindNull kind = iota
	kindBool
	kindNumber
	kindString
	kindArray
	kindObject
)

// node is one JSON value of a schema text. Objects keep their keys in the
// order they were written: Avro's Java implementation keeps custom properties
// in that order, and Confluent's canonical form prints them so.
type node struct {
	kind kind
	// off is the byte offset of the value's first byte in the text.
	off int
	// str holds a string's value, a number's literal, or "true"/"false".
	str   string
	elems []*node
	keys  []string
	vals  []*node
}

// get returns the value of key in an object, or nil.
func (n *node) get(key string) *node {
	if n == nil || n.kind != kindObject {
		return nil
	}
	for i, k := range n.keys {
		if k == key {
			return n.vals[i]
		}
	}
	return nil
}

// text returns the string value of key in an object.
func (n *node) text(key string) (string, bool) {
	v := n.get(key)
	if v == nil || v.kind != kindString {
		return "", false
	}
	return v.str, true
}

// posError is an error at a byte offset of the text; off < 0 means unknown.
type posError struct {
	off int
	msg string
}

func (e *posError) Error() string { return e.msg }

// decodeTree parses text into a node tree. JSON nesting deeper than limit is
// refused before it is descended into, so hostile input cannot exhaust the
// stack. Comments are accepted, as Avro's Java parser accepts them.
func decodeTree(text string, limit int) (*node, error) {
	data := []byte(text)
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		copy(data, "   ") // a byte order mark; blank it to keep offsets true
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &posError{off: -1, msg: "the schema is empty: send a JSON Avro schema such as \"string\" or {\"type\":\"record\",...}"}
	}
	if bytes.IndexByte(data, '/') >= 0 {
		if err := blankComments(data); err != nil {
			return nil, err
		}
	}
	d := &treeDecoder{data: data, dec: json.NewDecoder(bytes.NewReader(data)), limit: limit}
	d.dec.UseNumber()
	root, err := d.value(0)
	if err != nil {
		return nil, d.wrap(err)
	}
	off := d.tokenStart()
	if _, err := d.dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &posError{off: off, msg: "unexpected text after the schema: a schema is exactly one JSON value"}
	}
	return root, nil
}

type treeDecoder struct {
	data  []byte
	dec   *json.Decoder
	limit int
}

// tokenStart returns the offset of the next token: the decoder stops right
// after the previous token, before any separator.
func (d *treeDecoder) tokenStart() int {
	off := int(d.dec.InputOffset())
	for off < len(d.data) {
		switch d.data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
		default:
			return off
		}
	}
	return off
}

func (d *treeDecoder) wrap(err error) error {
	var pe *posError
	if errors.As(err, &pe) {
		return pe
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &posError{off: d.syntaxOffset(se), msg: "the schema is not valid JSON: " + se.Error()}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &posError{off: len(d.data), msg: "the schema is not valid JSON: it ends early; check for a missing closing bracket or quote"}
	}
	return &posError{off: -1, msg: "the schema is not valid JSON: " + err.Error()}
}

// syntaxOffset finds the offending byte of a syntax error. The scanner
// reports the offset after that byte, the token reader the offset before
// it; the character named in the message tells which.
func (d *treeDecoder) syntaxOffset(se *json.SyntaxError) int {
	off := int(se.Offset)
	if off < len(d.data) && strings.HasPrefix(se.Error(), "invalid character "+quoteChar(d.data[off])) {
		return off
	}
	if off > 0 {
		off--
	}
	return min(off, len(d.data))
}

// quoteChar formats c as encoding/json's error messages do.
func quoteChar(c byte) string {
	switch c {
	case '\'':
		return `'\''`
	case '"':
		return `'"'`
	}
	s := strconv.Quote(string(rune(c)))
	return "'" + s[1:len(s)-1] + "'"
}

func (d *treeDecoder) value(depth int) (*node, error) {
	off := d.tokenStart()
	tok, err := d.dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		if t != '[' && t != '{' {
			return nil, &posError{off: off, msg: fmt.Sprintf("the schema is not valid JSON: unexpected %q", rune(t))}
		}
		if depth+1 > d.limit {
			return nil, &posError{off: off, msg: fmt.Sprintf("the schema nests JSON deeper than %d levels: flatten it or raise the nesting limit", d.limit)}
		}
		if t == '[' {
			return d.array(off, depth+1)
		}
		return d.object(off, depth+1)
	case string:
		return &node{kind: kindString, off: off, str: t}, nil
	case json.Number:
		return &node{kind: kindNumber, off: off, str: string(t)}, nil
	case bool:
		s := "false"
		if t {
			s = "true"
		}
		return &node{kind: kindBool, off: off, str: s}, nil
	default:
		return &node{kind: kindNull, off: off}, nil
	}
}

func (d *treeDecoder) array(off, depth int) (*node, error) {
	n := &node{kind: kindArray, off: off}
	for d.dec.More() {
		e, err := d.value(depth)
		if err != nil {
			return nil, err
		}
		n.elems = append(n.elems, e)
	}
	if _, err := d.dec.Token(); err != nil {
		return nil, err
	}
	return n, nil
}

// object reads an object. A repeated key replaces the earlier value in the
// earlier position, as Jackson's tree model does.
func (d *treeDecoder) object(off, depth int) (*node, error) {
	n := &node{kind: kindObject, off: off}
	var index map[string]int
	for d.dec.More() {
		keyOff := d.tokenStart()
		tok, err := d.dec.Token()
		if err != nil {
			return nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, &posError{off: keyOff, msg: "the schema is not valid JSON: object keys must be strings"}
		}
		v, err := d.value(depth)
		if err != nil {
			return nil, err
		}
		i := -1
		if index != nil {
			if j, ok := index[key]; ok {
				i = j
			}
		} else {
			for j, k := range n.keys {
				if k == key {
					i = j
					break
				}
			}
		}
		if i >= 0 {
			n.vals[i] = v
			continue
		}
		n.keys = append(n.keys, key)
		n.vals = append(n.vals, v)
		if index == nil && len(n.keys) > 16 {
			index = make(map[string]int, 2*len(n.keys))
			for j, k := range n.keys {
				index[k] = j
			}
		} else if index != nil {
			index[key] = len(n.keys) - 1
		}
	}
	if _, err := d.dec.Token(); err != nil {
		return nil, err
	}
	return n, nil
}

// blankComments overwrites // and /* */ comments outside strings with
// spaces, keeping newlines so that offsets and line numbers stay true.
func blankComments(b []byte) error {
	inString := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
			continue
		}
		switch {
		case c == '"':
			inString = true
		case c == '/' && i+1 < len(b) && b[i+1] == '/':
			for ; i < len(b) && b[i] != '\n'; i++ {
				b[i] = ' '
			}
		case c == '/' && i+1 < len(b) && b[i+1] == '*':
			start := i
			b[i], b[i+1] = ' ', ' '
			i += 2
			for ; ; i++ {
				if i+1 >= len(b) {
					return &posError{off: start, msg: "the schema is not valid JSON: a /* comment is never closed"}
				}
				if b[i] == '*' && b[i+1] == '/' {
					b[i], b[i+1] = ' ', ' '
					i++
					break
				}
				if b[i] != '\n' {
					b[i] = ' '
				}
			}
		}
	}
	return nil
}

// lineCol converts a byte offset into a 1-based line and column, counting
// columns in characters.
func lineCol(text string, off int) (line, col int) {
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
