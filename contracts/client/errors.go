package client

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/charter-registry/charter/confluent"
)

// Confluent error codes the serializers act on, as the ints Code
// returns; package confluent names every code.
const (
	CodeSubjectNotFound = int(confluent.CodeSubjectNotFound)
	CodeVersionNotFound = int(confluent.CodeVersionNotFound)
	CodeSchemaNotFound  = int(confluent.CodeSchemaNotFound)
	CodeInvalidSchema   = int(confluent.CodeInvalidSchema)
	CodeIncompatible    = int(confluent.CodeIncompatibleSchema)
)

// ErrNotFound is matched by errors.Is for every *ResponseError with a 404
// status: an unknown subject, version or schema id.
var ErrNotFound = errors.New("not found")

// ResponseError is an error answer from the registry. ErrorCode and Message
// are the registry's own (error_code and message of its JSON body); when
// the body was not Confluent's error JSON, ErrorCode is the HTTP status and
// Message the body text.
type ResponseError struct {
	Method     string
	URL        string
	StatusCode int
	ErrorCode  int
	Message    string
	// Raw is the response body as received.
	Raw []byte
}

// Error says which request failed and how the registry answered.
func (e *ResponseError) Error() string {
	return fmt.Sprintf("registry %s %s: %d %s (error_code %d)", e.Method, e.URL, e.StatusCode, e.Message, e.ErrorCode)
}

// Is reports whether target is ErrNotFound and this is a 404 answer.
func (e *ResponseError) Is(target error) bool {
	return target == ErrNotFound && e.StatusCode == 404
}

// LogValue logs the error as a group of its codes.
func (e *ResponseError) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("method", e.Method),
		slog.String("url", e.URL),
		slog.Int("status", e.StatusCode),
		slog.Int("error_code", e.ErrorCode),
		slog.String("message", e.Message),
	)
}

// Code returns the registry's error_code carried by err, or 0 when err is
// not (or does not wrap) a *ResponseError.
func Code(err error) int {
	var re *ResponseError
	if errors.As(err, &re) {
		return re.ErrorCode
	}
	return 0
}

// HasCode reports whether err carries one of the registry's error codes,
// such as confluent.CodeSubjectNotFound.
func HasCode(err error, codes ...confluent.Code) bool {
	c := Code(err)
	for _, want := range codes {
		if c != 0 && c == int(want) {
			return true
		}
	}
	return false
}
