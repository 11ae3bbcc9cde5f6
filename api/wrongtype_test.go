package api_test

import (
	"testing"
)

// TestWrongTypeMessagesNameTheJSON pins the 422 answers to values of the
// wrong JSON type: they name the JSON field path the client sent (not a Go
// struct, not "the body" for a field) and the JSON shape wanted (not a Go
// type), and show a number as it was written, not expanded.
func TestWrongTypeMessagesNameTheJSON(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	cases := []struct{ method, path, body, message string }{
		{"PUT", "/dek-registry/v1/keks/lk", `{"kmsProps":"x"}`, "Wrong type for kmsProps: got JSON string, want an object of string values"},
		{"PUT", "/dek-registry/v1/keks/lk", `{"doc":5}`, "Wrong type for doc: got JSON number, want a string"},
		{"PUT", "/dek-registry/v1/keks/lk", `{"shared":"yes"}`, "Wrong type for shared: got JSON string, want a boolean"},
		{"POST", "/subjects/bad-value/versions", `[]`, "Wrong type for the body: got JSON array, want an object"},
		{"POST", "/subjects/bad-value/versions", `{"schema":"\"string\"","references":"x"}`, "Wrong type for references: got JSON string, want an array of objects"},
		{"POST", "/subjects/bad-value/versions", `{"schema":"\"string\"","references":[{"name":"a","subject":"b","version":"1"}]}`, "Wrong type for references.version: got JSON string, want an integer"},
		{"POST", "/subjects/bad-value/versions", `{"schema":"\"string\"","schemaTagsToAdd":{}}`, "Wrong type for schemaTagsToAdd: got JSON object, want an array of objects"},
		{"POST", "/subjects/bad-value/versions", `{"schema":"\"string\"","version":1e400}`, "Wrong type for version: got JSON number 1e400, want an integer"},
		{"POST", "/subjects/bad-value/versions", `{"schema":"\"string\"","id":123456789012345678901234567890123456789012345678901234567890}`, "Wrong type for id: got JSON number 123456789012345678901234567890..., want an integer"},
		{"POST", "/v1/catalog/topics", `{"name":"t1","tags":"x"}`, "Wrong type for tags: got JSON string, want an array of strings"},
		{"PUT", "/config", `{"defaultRuleSet":{"domainRules":{}}}`, "Wrong type for defaultRuleSet.domainRules: got JSON object, want an array of objects"},
	}
	for _, c := range cases {
		r := h.do(c.method, c.path, c.body)
		var e struct {
			ErrorCode int    `json:"error_code"`
			Message   string `json:"message"`
		}
		r.json(t, &e)
		if r.status != 422 || e.ErrorCode != 422 || e.Message != c.message {
			t.Errorf("%s %s %s: %d %q, want 422 %q", c.method, c.path, c.body, r.status, e.Message, c.message)
		}
	}
}
