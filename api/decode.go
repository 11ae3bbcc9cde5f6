package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
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
	req := c.Request()
	if !contentTypeOK(req.Header.Get("Content-Type")) {
		return &httpError{http.StatusUnsupportedMediaType, 415, fmt.Sprintf("Unsupported Content-Type %q: send application/vnd.schemaregistry.v1+json or application/json", req.Header.Get("Content-Type"))}
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
			return &httpError{http.StatusRequestEntityTooLarge, 42209, fmt.Sprintf("Request body is larger than the limit of %d bytes", s.cfg.MaxBodyBytes)}
		}
		return badRequest("Could not read the request body: " + err.Error())
	}
	return decodeJSON(body, v)
}

func decodeJSON(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return badRequest("The request body is empty; send a JSON object")
	}
	if bytes.Equal(bytes.TrimSpace(body), []byte("null")) {
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
					return decodeJSON(again, v)
				}
			}
			field := te.Field
			if field == "" {
				field = "the body"
			}
			return unprocessable(fmt.Sprintf("Wrong type for %s: got JSON %s, want %s", field, te.Value, jsonKind(te.Type.String())))
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

func jsonKind(goType string) string {
	switch goType {
	case "string", "compat.Type", "compat.Level", "registry.Mode":
		return "a string"
	case "int", "int64", "int32":
		return "an integer"
	case "bool", "*bool":
		return "a boolean"
	}
	return goType
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
// integral value but a fraction or exponent (3.0, 1e3) as plain integers.
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
			if err == nil && f.IsInt() {
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
