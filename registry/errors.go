package registry

import (
	"fmt"
	"log/slog"
)

// Code is a Confluent Schema Registry error code. The API layer maps each
// code to one HTTP status; the registry itself knows nothing about HTTP.
type Code int

// The error codes charter returns. They are Confluent's, plus 40101 and
// 40301 for authentication and authorisation and 42250 for a lint policy.
const (
	CodeUnauthorized               Code = 40101
	CodeForbidden                  Code = 40301
	CodeSubjectNotFound            Code = 40401
	CodeVersionNotFound            Code = 40402
	CodeSchemaNotFound             Code = 40403
	CodeSubjectSoftDeleted         Code = 40404
	CodeSubjectNotSoftDeleted      Code = 40405
	CodeVersionSoftDeleted         Code = 40406
	CodeVersionNotSoftDeleted      Code = 40407
	CodeSubjectCompatibilityNotSet Code = 40408
	CodeSubjectModeNotSet          Code = 40409
	CodeNotFound                   Code = 40410
	CodeIncompatibleSchema         Code = 40901
	CodeConflict                   Code = 40902
	CodeInvalidSchema              Code = 42201
	CodeInvalidVersion             Code = 42202
	CodeInvalidCompatibilityLevel  Code = 42203
	CodeInvalidMode                Code = 42204
	CodeOperationNotPermitted      Code = 42205
	CodeReferenceExists            Code = 42206
	CodeIDDoesNotMatch             Code = 42207
	CodeInvalidSubject             Code = 42208
	CodeSchemaTooLarge             Code = 42209
	CodeInvalidRuleSet             Code = 42210
	CodeContextNotEmpty            Code = 42211
	CodeInvalidRequest             Code = 42212
	// CodeLintViolations is charter's own: a registration refused by the
	// subject's lint policy (lint mode enforce).
	CodeLintViolations          Code = 42250
	CodeStoreError              Code = 50001
	CodeOperationTimeout        Code = 50002
	CodeRequestForwardingFailed Code = 50003
	CodeUnavailable             Code = 50301
)

var codeNames = map[Code]string{
	CodeUnauthorized:               "UNAUTHORIZED",
	CodeForbidden:                  "FORBIDDEN",
	CodeSubjectNotFound:            "SUBJECT_NOT_FOUND",
	CodeVersionNotFound:            "VERSION_NOT_FOUND",
	CodeSchemaNotFound:             "SCHEMA_NOT_FOUND",
	CodeSubjectSoftDeleted:         "SUBJECT_SOFT_DELETED",
	CodeSubjectNotSoftDeleted:      "SUBJECT_NOT_SOFT_DELETED",
	CodeVersionSoftDeleted:         "SCHEMA_VERSION_SOFT_DELETED",
	CodeVersionNotSoftDeleted:      "SCHEMA_VERSION_NOT_SOFT_DELETED",
	CodeSubjectCompatibilityNotSet: "SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED",
	CodeSubjectModeNotSet:          "SUBJECT_LEVEL_MODE_NOT_CONFIGURED",
	CodeNotFound:                   "NOT_FOUND",
	CodeIncompatibleSchema:         "INCOMPATIBLE_SCHEMA",
	CodeConflict:                   "CONFLICT",
	CodeInvalidSchema:              "INVALID_SCHEMA",
	CodeInvalidVersion:             "INVALID_VERSION",
	CodeInvalidCompatibilityLevel:  "INVALID_COMPATIBILITY_LEVEL",
	CodeInvalidMode:                "INVALID_MODE",
	CodeOperationNotPermitted:      "OPERATION_NOT_PERMITTED",
	CodeReferenceExists:            "REFERENCE_EXISTS",
	CodeIDDoesNotMatch:             "ID_DOES_NOT_MATCH",
	CodeInvalidSubject:             "INVALID_SUBJECT",
	CodeSchemaTooLarge:             "SCHEMA_TOO_LARGE",
	CodeInvalidRuleSet:             "INVALID_RULESET",
	CodeContextNotEmpty:            "CONTEXT_NOT_EMPTY",
	CodeInvalidRequest:             "INVALID_REQUEST",
	CodeLintViolations:             "LINT_VIOLATIONS",
	CodeStoreError:                 "STORE_ERROR",
	CodeOperationTimeout:           "OPERATION_TIMEOUT",
	CodeRequestForwardingFailed:    "REQUEST_FORWARDING_FAILED",
	CodeUnavailable:                "UNAVAILABLE",
}

// Name returns the code's symbolic name, such as SUBJECT_NOT_FOUND.
func (c Code) Name() string {
	if n, ok := codeNames[c]; ok {
		return n
	}
	return "UNKNOWN"
}

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
