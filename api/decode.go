package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

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
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), req.Body, s.cfg.MaxBodyBytes))
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
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			line, col := position(body, se.Offset)
			return badRequest(fmt.Sprintf("Malformed JSON at line %d, column %d: %v", line, col, se))
		case errors.As(err, &te):
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
