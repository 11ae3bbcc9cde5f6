package registry

import (
	"fmt"
	"log/slog"

	"github.com/charter-registry/charter/confluent"
)

// Code is a Confluent Schema Registry error code, confluent.Code. The API
// layer maps each code to one HTTP status; the registry itself knows
// nothing about HTTP.
type Code = confluent.Code

// The error codes charter returns, from package confluent: Confluent's,
// plus 40101 and 40301 for authentication and authorisation and 42250 for
// a lint policy.
const (
	CodeUnauthorized               = confluent.CodeUnauthorized
	CodeForbidden                  = confluent.CodeForbidden
	CodeSubjectNotFound            = confluent.CodeSubjectNotFound
	CodeVersionNotFound            = confluent.CodeVersionNotFound
	CodeSchemaNotFound             = confluent.CodeSchemaNotFound
	CodeSubjectSoftDeleted         = confluent.CodeSubjectSoftDeleted
	CodeSubjectNotSoftDeleted      = confluent.CodeSubjectNotSoftDeleted
	CodeVersionSoftDeleted         = confluent.CodeVersionSoftDeleted
	CodeVersionNotSoftDeleted      = confluent.CodeVersionNotSoftDeleted
	CodeSubjectCompatibilityNotSet = confluent.CodeSubjectCompatibilityNotSet
	CodeSubjectModeNotSet          = confluent.CodeSubjectModeNotSet
	CodeNotFound                   = confluent.CodeNotFound
	CodeIncompatibleSchema         = confluent.CodeIncompatibleSchema
	CodeConflict                   = confluent.CodeConflict
	CodePendingReview              = confluent.CodePendingReview
	CodeInvalidSchema              = confluent.CodeInvalidSchema
	CodeInvalidVersion             = confluent.CodeInvalidVersion
	CodeInvalidCompatibilityLevel  = confluent.CodeInvalidCompatibilityLevel
	CodeInvalidMode                = confluent.CodeInvalidMode
	CodeOperationNotPermitted      = confluent.CodeOperationNotPermitted
	CodeReferenceExists            = confluent.CodeReferenceExists
	CodeIDDoesNotMatch             = confluent.CodeIDDoesNotMatch
	CodeInvalidSubject             = confluent.CodeInvalidSubject
	CodeSchemaTooLarge             = confluent.CodeSchemaTooLarge
	CodeInvalidRuleSet             = confluent.CodeInvalidRuleSet
	CodeContextNotEmpty            = confluent.CodeContextNotEmpty
	CodeInvalidRequest             = confluent.CodeInvalidRequest
	CodeLintViolations             = confluent.CodeLintViolations
	CodeStoreError                 = confluent.CodeStoreError
	CodeOperationTimeout           = confluent.CodeOperationTimeout
	CodeRequestForwardingFailed    = confluent.CodeRequestForwardingFailed
	CodeUnavailable                = confluent.CodeUnavailable
)

// Error is a registry failure with a Confluent error code and a message
// that tells the caller what to fix.
type Error struct {
	Code    Code
	Message string
	// Err is the underlying cause, if any.
	Err error
}

func (e *Error) Error() string { return e.Message }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is matches any *Error with the same code, so errors.Is(err,
// &Error{Code: CodeSubjectNotFound}) works for every message.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// LogValue reports the code, its name and the message.
func (e *Error) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Int("code", int(e.Code)),
		slog.String("name", e.Code.Name()),
		slog.String("message", e.Message),
	)
}

// Errorf builds an *Error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

func errSubjectNotFound(subject string) *Error {
	return Errorf(CodeSubjectNotFound, "Subject '%s' not found.", subject)
}

// The messages below are Confluent's own (Errors.java and the Rest*Exception
// classes of its rest/exceptions package), word for word: clients and
// scripts match on them.

func errVersionNotFound(version int) *Error {
	return Errorf(CodeVersionNotFound, "Version %d not found.", version)
}

func errSubjectSoftDeleted(subject string) *Error {
	return Errorf(CodeSubjectSoftDeleted, "Subject '%s' was soft deleted.Set permanent=true to delete permanently", subject)
}

func errVersionSoftDeleted(subject string, version int) *Error {
	return Errorf(CodeVersionSoftDeleted, "Subject '%s' Version %d was soft deleted.Set permanent=true to delete permanently", subject, version)
}

// errReferenceExists names the referenced version by its SCHEMA key, as
// Confluent prints a SchemaKey.
func errReferenceExists(subject string, version int) *Error {
	return Errorf(CodeReferenceExists, "One or more references exist to the schema {magic=1,keytype=SCHEMA,subject=%s,version=%d}.", subject, version)
}

// msgInvalidCompatibility is RestInvalidCompatibilityException's message.
const msgInvalidCompatibility = "Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive"

func errSchemaNotFound(id int) *Error {
	return Errorf(CodeSchemaNotFound, "Schema %d not found", id)
}
