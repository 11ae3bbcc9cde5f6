package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"reflect"
	"strings"

	"github.com/labstack/echo/v5"
)

// decodeBody reads a JSON body into v. It refuses a wrong content type, a
// body over the limit, malformed JSON, wrong types and trailing data, each
// with a message that says what to fix. Unknown fields are ignored at every
// level, as Confluent's Jackson setup ignores them
// (FAIL_ON_UNKNOWN_PROPERTIES off): clients send fields charter has no use
// for, such as "properties" in each reference from the Rust
// schema_registry_converter crate.
func (s *Server) decodeBody(c *echo.Context, v any) error {
	_, err := s.decodeBodyText(c, v)
	return err
}

// decodeBodyText is decodeBody returning the body's text too, for a
// handler that must tell a field sent as null from one left out.
func (s *Server) decodeBodyText(c *echo.Context, v any) ([]byte, error) {
	req := c.Request()
	if !contentTypeOK(req.Header.Get("Content-Type")) {
		return nil, &httpError{http.StatusUnsupportedMediaType, 415, fmt.Sprintf("Unsupported Content-Type %q: send application/vnd.schemaregistry.v1+json or application/json", req.Header.Get("Content-Type"))}
	}
	var buf bytes.Buffer
	if n := req.ContentLength; n > 0 && n <= s.cfg.MaxBodyBytes {
		buf.Grow(int(n) + 1) // +1: the read that finds the end
	}
	_, err := buf.ReadFrom(http.MaxBytesReader(c.Response(), req.Body, s.cfg.MaxBodyBytes))
	body := buf.Bytes()
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, &httpError{http.StatusRequestEntityTooLarge, 42209, fmt.Sprintf("Request body is larger than the limit of %d bytes", s.cfg.MaxBodyBytes)}
		}
		return nil, badRequest("Could not read the request body: " + err.Error())
	}
	return body, decodeJSON(body, v)
}

func decodeJSON(body []byte, v any) error { return decodeJSONAt(body, v, "") }

// decodeJSONAt is decodeJSON for a part of a body, the value of the field
// at path, which wrong-type messages name.
func decodeJSONAt(body []byte, v any, path string) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return badRequest("The request body is empty; send a JSON object")
	}
	if path == "" && bytes.Equal(bytes.TrimSpace(body), []byte("null")) {
		// Decoding null into a struct would leave it untouched and take the
		// request for an empty object.
		return unprocessable("Wrong type for the body: got JSON null, want an object")
	}
	// A body that is one JSON value of the right types, as nearly every
	// body is, decodes in one pass; anything else is read again by the
	// decoder below, whose errors give the messages (Unmarshal checks the
	// whole text before it fills v, so a syntax error leaves v untouched).
	if json.Unmarshal(body, v) == nil {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			line, col := position(body, se.Offset)
			return badRequest(fmt.Sprintf("Malformed JSON at line %d, column %d: %v", line, col, se))
		case errors.As(err, &te):
			// JSON Schema and Jackson take 3.0 for the integer 3; Go does
			// not, so such a body is read again with its integral numbers
			// written as integers.
			if strings.HasPrefix(te.Value, "number") {
				if again, ok := integralNumbers(body); ok {
					return decodeJSONAt(again, v, path)
				}
			}
			field := jsonPath(reflect.TypeOf(v), te.Field)
			switch {
			case path != "" && field != "":
				field = path + "." + field
			case path != "":
				field = path
			case field == "":
				field = "the body"
			}
			return unprocessable(fmt.Sprintf("Wrong type for %s: got JSON %s, want %s", field, shorten(te.Value, 40), jsonShape(te.Type)))
		case errors.Is(err, io.ErrUnexpectedEOF):
			return badRequest("Malformed JSON: the body ends in the middle of a value")
		default:
			// Anything else the decoder reports arrives as a plain error.
			return unprocessable("Invalid request body: " + err.Error())
		}
	}
	if dec.More() {
		return badRequest("Malformed JSON: unexpected data after the JSON object")
	}
	return nil
}

// shorten cuts s to at most n runes, marking the cut.
func shorten(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-3]) + "..."
	}
	return s
}

// jsonPath turns encoding/json's path of a wrong-typed value, which names
// an embedded struct by its Go type (TopicUpdate.tags), into the path of
// JSON keys the client sent (tags), by walking the Go type t of the
// decoded value.
func jsonPath(t reflect.Type, path string) string {
	if path == "" {
		return ""
	}
	var out []string
	for part := range strings.SplitSeq(path, ".") {
		for t != nil && (t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map) {
			t = t.Elem()
		}
		if t != nil && t.Kind() == reflect.Struct {
			if f, ok := t.FieldByName(part); ok && f.Anonymous && f.Tag.Get("json") == "" {
				t = f.Type
				continue // an embedded struct: its fields are the parent's
			}
			t = fieldByJSONName(t, part)
		} else {
			t = nil
		}
		out = append(out, part)
	}
	return strings.Join(out, ".")
}

// fieldByJSONName returns the type of the field of struct t (or of a
// struct embedded in it) that decodes the JSON key name, or nil.
func fieldByJSONName(t reflect.Type, name string) reflect.Type {
	for _, f := range reflect.VisibleFields(t) {
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == name || (tag == "" && strings.EqualFold(f.Name, name)) {
			return f.Type
		}
	}
	return nil
}

// jsonShape words what a Go type takes in JSON: "a string", "an array of
// objects", "an object of string values".
func jsonShape(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "an array of " + noun(t.Elem()) + "s"
	case reflect.Map:
		return "an object of " + noun(t.Elem()) + " values"
	}
	switch n := noun(t); n {
	case "integer", "object", "array":
		return "an " + n
	default:
		return "a " + n
	}
}

// noun names the JSON kind a Go type takes.
func noun(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Map, reflect.Struct:
		return "object"
	}
	return "JSON value"
}

func position(b []byte, off int64) (line, col int) {
	line, col = 1, 1
	for i := int64(0); i < off-1 && i < int64(len(b)); i++ {
		if b[i] == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

// integralNumbers rewrites the numbers of a JSON document that have an
// integral value within 64 bits but a fraction or exponent (3.0, 1e3) as
// plain integers.
// It reports false when there are none, or the body is not JSON.
func integralNumbers(body []byte) ([]byte, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, false
	}
	changed := false
	var walk func(any) any
	walk = func(x any) any {
		switch t := x.(type) {
		case map[string]any:
			for k, e := range t {
				t[k] = walk(e)
			}
		case []any:
			for i, e := range t {
				t[i] = walk(e)
			}
		case json.Number:
			if !strings.ContainsAny(string(t), ".eE") {
				return t
			}
			f, _, err := big.ParseFloat(string(t), 10, 1024, big.ToNearestEven)
			// Only values an integer field can hold: 1e400 stays as sent,
			// so its error names what the client wrote.
			if err == nil && f.IsInt() {
				if _, acc := f.Int64(); acc != big.Exact {
					return x
				}
				i, _ := f.Int(nil)
				changed = true
				return json.Number(i.String())
			}
		}
		return x
	}
	doc = walk(doc)
	if !changed {
		return nil, false
	}
	out, err := json.Marshal(doc)
	return out, err == nil
}
