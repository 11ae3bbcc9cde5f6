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

	"github.com/charter-registry/charter/internal/jsontext"
)

// node is one JSON value of a schema text, read with internal/jsontext.
// Objects keep their keys in the order they were written: Avro's Java
// implementation keeps custom properties in that order, and Confluent's
// canonical form prints them so.
type node = jsontext.Value

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
	if strings.TrimSpace(strings.TrimPrefix(text, "\ufeff")) == "" {
		return nil, &posError{off: -1, msg: "the schema is empty: send a JSON Avro schema such as \"string\" or {\"type\":\"record\",...}"}
	}
	plain, err := jsontext.StripComments(text)
	if err != nil {
		var se *jsontext.SyntaxError
		errors.As(err, &se)
		return nil, &posError{off: se.Off, msg: "the schema is not valid JSON: " + se.Msg}
	}
	root, err := jsontext.Parse(plain, jsontext.Options{MaxDepth: limit})
	if err != nil {
		return nil, explainSyntax(plain, limit, err)
	}
	return root, nil
}

// explainSyntax words a text jsontext refused the way Avro's messages
// always have: in encoding/json's words (invalid character 'x' looking for
// beginning of value), at the offset encoding/json's decoder stops at. It
// walks the text's tokens with encoding/json, checking nesting as it goes,
// and runs only once a text has been found not to be JSON.
func explainSyntax(plain string, limit int, cause error) error {
	data := []byte(plain)
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		copy(data, "   ") // encoding/json refuses a byte order mark
	}
	w := &tokenWalk{data: data, dec: json.NewDecoder(bytes.NewReader(data)), limit: limit}
	w.dec.UseNumber() // a number beyond float64 is still a number
	err := w.value(0)
	if err == nil {
		off := w.tokenStart()
		if _, err := w.dec.Token(); !errors.Is(err, io.EOF) {
			return &posError{off: off, msg: "unexpected text after the schema: a schema is exactly one JSON value"}
		}
		// encoding/json accepts what jsontext refused: word it as jsontext
		// does, so that the schema is still refused.
		var se *jsontext.SyntaxError
		if errors.As(cause, &se) {
			return &posError{off: se.Off, msg: "the schema is not valid JSON: " + se.Msg}
		}
		return &posError{off: -1, msg: "the schema is not valid JSON: " + cause.Error()}
	}
	return w.wrap(err)
}

type tokenWalk struct {
	data  []byte
	dec   *json.Decoder
	limit int
}

// tokenStart returns the offset of the next token: the decoder stops right
// after the previous token, before any separator.
func (w *tokenWalk) tokenStart() int {
	off := int(w.dec.InputOffset())
	for off < len(w.data) {
		switch w.data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
		default:
			return off
		}
	}
	return off
}

func (w *tokenWalk) wrap(err error) error {
	var pe *posError
	if errors.As(err, &pe) {
		return pe
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off := w.syntaxOffset(se)
		return &posError{off: off, msg: "the schema is not valid JSON: " + w.nameChar(se.Error(), off)}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &posError{off: len(w.data), msg: "the schema is not valid JSON: it ends early; check for a missing closing bracket or quote"}
	}
	return &posError{off: -1, msg: "the schema is not valid JSON: " + err.Error()}
}

// syntaxOffset finds the offending byte of a syntax error. The scanner
// reports the offset after that byte, the token reader the offset before
// it; the character named in the message tells which.
func (w *tokenWalk) syntaxOffset(se *json.SyntaxError) int {
	off := int(se.Offset)
	if off < len(w.data) && strings.HasPrefix(se.Error(), "invalid character "+quoteChar(w.data[off])) {
		return off
	}
	if off > 0 {
		off--
	}
	return min(off, len(w.data))
}

// nameChar rewrites the character encoding/json's message names when the
// text has a non-ASCII one at off: encoding/json quotes its first byte as
// if it were Latin-1 ('ï' for the first byte of U+FFFD), which the client
// never sent.
func (w *tokenWalk) nameChar(msg string, off int) string {
	if off >= len(w.data) || w.data[off] < utf8.RuneSelf {
		return msg
	}
	r, _ := utf8.DecodeRune(w.data[off:])
	msg = strings.Replace(msg, "invalid character "+quoteChar(w.data[off]), fmt.Sprintf("invalid character %q (U+%04X)", r, r), 1)
	if r == utf8.RuneError {
		msg += `; U+FFFD stands in for half a surrogate pair (an escape such as \ud800) or for bytes that are not UTF-8`
	}
	return msg
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

// value reads one value's tokens.
func (w *tokenWalk) value(depth int) error {
	off := w.tokenStart()
	tok, err := w.dec.Token()
	if err != nil {
		return err
	}
	t, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	if t != '[' && t != '{' {
		return &posError{off: off, msg: fmt.Sprintf("the schema is not valid JSON: unexpected %q", rune(t))}
	}
	if depth+1 > w.limit {
		return &posError{off: off, msg: fmt.Sprintf("the schema nests JSON deeper than %d levels: flatten it or raise the nesting limit", w.limit)}
	}
	for w.dec.More() {
		if t == '{' {
			if _, err := w.dec.Token(); err != nil { // the key: the decoder only returns strings here
				return err
			}
		}
		if err := w.value(depth + 1); err != nil {
			return err
		}
	}
	_, err = w.dec.Token()
	return err
}
