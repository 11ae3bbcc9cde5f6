package serde

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
)

// Kind classifies a serde failure by whose fault it is and what a consumer
// can do about it.
type Kind string

// The kinds of Error. BadMagic, UnknownID, Decode and Rule are the record's
// fault and may be dead-lettered so consumption goes on; Registry is not
// and should be retried.
const (
	// KindBadMagic: the payload is shorter than the 5-byte header or does
	// not start with magic byte 0.
	KindBadMagic Kind = "bad-magic"
	// KindUnknownID: the registry has no schema with the payload's id.
	KindUnknownID Kind = "unknown-id"
	// KindDecode: the payload does not decode with its schema.
	KindDecode Kind = "decode"
	// KindRule: a data-contract rule refused the value; the cause is a
	// *rules.Error.
	KindRule Kind = "rule"
	// KindValidation: a value to serialize does not conform to its schema;
	// the cause is a *ValidationError.
	KindValidation Kind = "validation"
	// KindSchema: the schema could not be used: it does not parse, or a
	// Protobuf message is not defined in it.
	KindSchema Kind = "schema"
	// KindRegistry: the registry could not be asked (network error, 5xx,
	// authentication). The record is not at fault.
	KindRegistry Kind = "registry"
)

// Error is a failure to serialize or deserialize one value.
type Error struct {
	Kind  Kind
	Topic string
	// SchemaID is the id the payload carried or the serializer chose; 0 if
	// none was read.
	SchemaID int
	Err      error
	// Payload holds, for a KindRule failure of a serializer, the encoded
	// record (header included) so it can be dead-lettered; it is nil when
	// the value could not be encoded.
	Payload []byte
}

// Error names the kind, topic and schema id, then the cause.
func (e *Error) Error() string {
	if e.SchemaID != 0 {
		return fmt.Sprintf("serde %s (topic %q, schema id %d): %v", e.Kind, e.Topic, e.SchemaID, e.Err)
	}
	return fmt.Sprintf("serde %s (topic %q): %v", e.Kind, e.Topic, e.Err)
}

// Unwrap returns the cause: a *ValidationError, a *rules.Error, a
// registry error or a decoding error.
func (e *Error) Unwrap() error { return e.Err }

// LogValue logs the kind, topic, id and cause.
func (e *Error) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("kind", string(e.Kind)),
		slog.String("topic", e.Topic),
		slog.Int("schema_id", e.SchemaID),
		slog.String("error", e.Err.Error()),
	)
}

// KindOf returns the Kind of err when it is or wraps an *Error, else "".
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ""
}

// Problem is one way a value fails its schema.
type Problem struct {
	// Path locates the value from the root, "$", as in $.lines[2].qty.
	Path string
	// Message says what was expected, as in "expected number, got string".
	Message string
}

// ValidationError lists why a value does not conform to its schema.
type ValidationError struct {
	Problems []Problem
}

// Error lists the problems as "path: message", separated by semicolons.
func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Path + ": " + p.Message
	}
	return strings.Join(parts, "; ")
}
