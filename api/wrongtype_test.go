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

// TestAvroSyntaxErrorNamesTheCharacterSent: a schema text that is not JSON
// because of a non-ASCII character names that character and its code
// point, not its first byte read as Latin-1 ('ï' for U+FFFD), and says
// where a U+FFFD comes from (the request's JSON turns a lone surrogate
// escape into it).
func TestAvroSyntaxErrorNamesTheCharacterSent(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for body, want := range map[string]string{
		`{"schema":"\ud800"}`: "Invalid schema at line 1, column 1: the schema is not valid JSON: invalid character '\ufffd' (U+FFFD) looking for beginning of value; U+FFFD stands in for half a surrogate pair (an escape such as \\ud800) or for bytes that are not UTF-8",
		`{"schema":"\u2026"}`: "Invalid schema at line 1, column 1: the schema is not valid JSON: invalid character '\u2026' (U+2026) looking for beginning of value",
	} {
		r := h.do("POST", "/subjects/chars-value/versions", body)
		var e struct {
			ErrorCode int    `json:"error_code"`
			Message   string `json:"message"`
		}
		r.json(t, &e)
		if r.status != 422 || e.ErrorCode != 42201 || e.Message != want {
			t.Errorf("%s: %d %q, want 422 42201 %q", body, r.status, e.Message, want)
		}
	}
}
