package confluent_test

import (
	"testing"

	"github.com/charter-registry/charter/confluent"
	"github.com/charter-registry/charter/internal/leaktest"
)

func TestMain(m *testing.M) { leaktest.Main(m) }

func TestDecodeErrorReadsConfluentsBody(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
		want confluent.ErrorResponse
		ok   bool
	}{
		{"code and message", `{"error_code":40401,"message":"Subject 'x' not found."}`, confluent.ErrorResponse{ErrorCode: confluent.CodeSubjectNotFound, Message: "Subject 'x' not found."}, true},
		{"an HTTP status as the code", `{"error_code":404,"message":"HTTP 404 Not Found"}`, confluent.ErrorResponse{ErrorCode: 404, Message: "HTTP 404 Not Found"}, true},
		{"message only", `{"message":"boom"}`, confluent.ErrorResponse{Message: "boom"}, true},
		{"other JSON", `{"id":1}`, confluent.ErrorResponse{}, false},
		{"a proxy's page", `<html>bad gateway</html>`, confluent.ErrorResponse{}, false},
		{"empty", ``, confluent.ErrorResponse{}, false},
		{"a code of the wrong type", `{"error_code":"40401","message":"x"}`, confluent.ErrorResponse{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := confluent.DecodeError([]byte(tc.body))
			if got != tc.want || ok != tc.ok {
				t.Errorf("DecodeError(%s) = %+v, %v; want %+v, %v", tc.body, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestCodesHaveConfluentsNames(t *testing.T) {
	for code, want := range map[confluent.Code]string{
		confluent.CodeSubjectNotFound:            "SUBJECT_NOT_FOUND",
		confluent.CodeVersionSoftDeleted:         "SCHEMA_VERSION_SOFT_DELETED",
		confluent.CodeSubjectCompatibilityNotSet: "SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED",
		confluent.CodeIncompatibleSchema:         "INCOMPATIBLE_SCHEMA",
		confluent.CodeInvalidRuleSet:             "INVALID_RULESET",
		confluent.CodeStoreError:                 "STORE_ERROR",
		confluent.CodeKeyNotFound:                "KEY_NOT_FOUND",
		confluent.CodeLintViolations:             "LINT_VIOLATIONS",
		404:                                      "UNKNOWN",
	} {
		if got := code.Name(); got != want {
			t.Errorf("Code(%d).Name() = %s, want %s", int(code), got, want)
		}
	}
}
