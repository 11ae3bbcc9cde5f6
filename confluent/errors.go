package confluent

import "encoding/json"

// Code is a Confluent Schema Registry error code, the error_code of an
// error response. The server (registry and api) returns them, and the
// clients (contracts/client, the CLI) tell failures apart by them; both
// take them from here so that they cannot drift apart.
type Code int

// Confluent's error codes (its Errors and Rest*Exception classes), plus
// 40101 and 40301 for authentication and authorisation and 42250, which is
// charter's own.
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
	// CodePendingReview is charter's own: a registration on a topic whose
	// policy is review: required waits for its consumers' approval.
	CodePendingReview             Code = 40920
	CodeInvalidSchema             Code = 42201
	CodeInvalidVersion            Code = 42202
	CodeInvalidCompatibilityLevel Code = 42203
	CodeInvalidMode               Code = 42204
	CodeOperationNotPermitted     Code = 42205
	CodeReferenceExists           Code = 42206
	CodeIDDoesNotMatch            Code = 42207
	CodeInvalidSubject            Code = 42208
	CodeSchemaTooLarge            Code = 42209
	CodeInvalidRuleSet            Code = 42210
	CodeContextNotEmpty           Code = 42211
	CodeInvalidRequest            Code = 42212
	// CodeLintViolations is charter's own: a registration refused by the
	// subject's lint policy (lint mode enforce).
	CodeLintViolations          Code = 42250
	CodeStoreError              Code = 50001
	CodeOperationTimeout        Code = 50002
	CodeRequestForwardingFailed Code = 50003
	CodeUnavailable             Code = 50301
)

// The DEK registry's error codes (Confluent's DekRegistryErrors), served
// under /dek-registry/v1.
const (
	CodeKeyNotFound            Code = 40470
	CodeKeyNotSoftDeleted      Code = 40471
	CodeKeySoftDeleted         Code = 40472
	CodeDekGenerationForbidden Code = 40370
	CodeKeyAlreadyExists       Code = 40971
	CodeTooManyKeys            Code = 40972
	CodeInvalidKey             Code = 42271
	CodeKeyReferenceExists     Code = 42272
	CodeDekGeneration          Code = 50070
)

// codeNames is read-only: the symbolic name of every code above.
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
	CodePendingReview:              "PENDING_REVIEW",
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
	CodeKeyNotFound:                "KEY_NOT_FOUND",
	CodeKeyNotSoftDeleted:          "KEY_NOT_SOFT_DELETED",
	CodeKeySoftDeleted:             "KEY_SOFT_DELETED",
	CodeDekGenerationForbidden:     "DEK_GENERATION_FORBIDDEN",
	CodeKeyAlreadyExists:           "ALREADY_EXISTS",
	CodeTooManyKeys:                "TOO_MANY_KEYS",
	CodeInvalidKey:                 "INVALID_KEY",
	CodeKeyReferenceExists:         "REFERENCE_EXISTS",
	CodeDekGeneration:              "DEK_GENERATION",
}

// Name returns the code's symbolic name, such as SUBJECT_NOT_FOUND, or
// UNKNOWN for a code not listed here (an HTTP status sent as a code, for
// instance).
func (c Code) Name() string {
	if n, ok := codeNames[c]; ok {
		return n
	}
	return "UNKNOWN"
}

// ErrorResponse is the body of every error answer of Confluent's API:
// {"error_code":40401,"message":"Subject 'x' not found."}.
type ErrorResponse struct {
	ErrorCode Code   `json:"error_code"`
	Message   string `json:"message"`
}

// DecodeError reads an error answer's body. ok is false when the body is
// not Confluent's error JSON (neither field set), such as a proxy's HTML
// page; the caller then falls back on the HTTP status.
func DecodeError(body []byte) (ErrorResponse, bool) {
	var e ErrorResponse
	if json.Unmarshal(body, &e) != nil || (e.ErrorCode == 0 && e.Message == "") {
		return ErrorResponse{}, false
	}
	return e, true
}
