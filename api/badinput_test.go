package api_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestBadInputGetsClearErrors(t *testing.T) {
	h := newHarness(t)
	h.register("existing", recordV1)
	deep := strings.Repeat(`{"type":"array","items":`, 5000) + `"int"` + strings.Repeat("}", 5000)
	deepJSON := `{"schema":"x","metadata":` + strings.Repeat(`{"a":`, 20000) + "1" + strings.Repeat("}", 20000) + "}"
	huge := `{"type":"record","name":"Big","fields":[],"doc":"` + strings.Repeat("x", 1<<20) + `"}`
	cases := []struct {
		name        string
		method      string
		path        string
		contentType string
		body        any
		status      int
		code        int
		says        string
	}{
		{"malformed JSON", "POST", "/subjects/s/versions", "", `{"schema": "x"`, 400, 400, "Malformed JSON"},
		{"syntax error position", "POST", "/subjects/s/versions", "", "{\n  \"schema\": ,\n}", 400, 400, "line 2"},
		{"trailing data", "POST", "/subjects/s/versions", "", `{"schema":"\"int\""} {}`, 400, 400, "after the JSON object"},
		{"empty body", "POST", "/subjects/s/versions", "", ``, 400, 400, "empty"},
		{"fractional integer", "PUT", "/config", "", `{"defaultRuleSet":{"enableAt":1.5}}`, 422, 422, "Wrong type for defaultRuleSet.enableAt: got JSON number 1.5, want"},
		{"null body", "PUT", "/v1/catalog/topics/orders", "", `null`, 422, 422, "Wrong type for the body: got JSON null, want an object"},
		{"null config body", "PUT", "/config", "", " null\n", 422, 422, "Wrong type for the body: got JSON null, want an object"},
		{"wrong type", "POST", "/subjects/s/versions", "", `{"schema":42}`, 422, 422, "schema"},
		{"wrong nested type", "POST", "/subjects/s/versions", "", `{"schema":"\"int\"","references":[{"name":"a","subject":"b","version":"one"}]}`, 422, 422, "version"},
		{"no schema field", "POST", "/subjects/s/versions", "", `{}`, 422, 42201, "schema"},
		{"empty schema", "POST", "/subjects/s/versions", "", `{"schema":""}`, 422, 42201, "empty"},
		{"invalid avro", "POST", "/subjects/s/versions", "", `{"schema":"{\"type\":\"record\",\"name\":\"R\"}"}`, 422, 42201, "fields"},
		{"avro syntax error has position", "POST", "/subjects/s/versions", "", map[string]any{"schema": "{\n\"type\": \"record\",,\n}"}, 422, 42201, "line 2"},
		{"unknown schemaType", "POST", "/subjects/s/versions", "", `{"schema":"x","schemaType":"XML"}`, 422, 42201, "XML"},
		{"protobuf syntax error", "POST", "/subjects/p/versions", "", map[string]any{"schemaType": "PROTOBUF", "schema": "syntax = \"proto3\";\nmessage A {\n  strin x = 1;\n}\n"}, 422, 42201, "3:"},
		{"json schema syntax error", "POST", "/subjects/j/versions", "", map[string]any{"schemaType": "JSON", "schema": `{"type": "object",}`}, 422, 42201, "line 1"},
		{"deeply nested schema", "POST", "/subjects/s/versions", "", map[string]any{"schema": deep}, 422, 42201, "deep"},
		{"deeply nested JSON body", "POST", "/subjects/s/versions", "", deepJSON, 400, 400, "max depth"},
		{"schema too large", "POST", "/subjects/s/versions", "", map[string]any{"schema": huge}, 422, 42209, "limit"},
		{"body too large", "POST", "/subjects/s/versions", "", `{"schema":"` + strings.Repeat("y", 5<<20) + `"}`, 413, 42209, "limit"},
		{"wrong content type", "POST", "/subjects/s/versions", "text/xml", `<schema/>`, 415, 415, "Content-Type"},
		{"control character in subject", "POST", "/subjects/a%01b/versions", "", map[string]any{"schema": recordV1}, 422, 42208, "control"},
		{"subject too long", "POST", "/subjects/" + strings.Repeat("s", 256) + "/versions", "", map[string]any{"schema": recordV1}, 422, 42208, "256 characters long; the limit is 255"},
		{"subject of 256 two-byte characters", "POST", "/subjects/" + strings.Repeat("%C3%A9", 256) + "/versions", "", map[string]any{"schema": recordV1}, 422, 42208, "256 characters long; the limit is 255"},
		{"DEL in subject", "PUT", "/config/a%7Fb", "", `{"compatibility":"NONE"}`, 422, 42208, "control characters are not allowed"},
		{"C1 control character in subject", "PUT", "/mode/a%C2%85b", "", `{"mode":"READONLY"}`, 422, 42208, "control characters are not allowed"},
		{"invalid version", "GET", "/subjects/existing/versions/1.5", "", nil, 422, 42202, "latest"},
		{"version out of range", "GET", "/subjects/existing/versions/2147483648", "", nil, 422, 42202, ""},
		{"invalid id", "GET", "/schemas/ids/abc", "", nil, 404, 404, "HTTP 404 Not Found"},
		{"boolean query", "GET", "/subjects?deleted=maybe", "", nil, 422, 422, "deleted"},
		{"invalid level", "PUT", "/config", "", `{"compatibility":"SOMETIMES"}`, 422, 42203, "backward_transitive"},
		{"level of wrong type", "PUT", "/config", "", `{"compatibility":3}`, 422, 422, "compatibility"},
		{"invalid mode", "PUT", "/mode", "", `{"mode":"WRITEONLY"}`, 422, 42204, "READWRITE"},
		{"invalid ruleSet", "POST", "/subjects/s/versions", "", map[string]any{"schema": recordV1, "ruleSet": map[string]any{"domainRules": []map[string]any{{"name": "r", "kind": "CONDITION", "mode": "UPGRADE", "type": "CEL"}}}}, 422, 42210, "mode"},
		{"reference to missing subject", "POST", "/subjects/s/versions", "", map[string]any{"schema": recordV1, "references": []map[string]any{{"name": "x", "subject": "nope", "version": 1}}}, 422, 42201, "nope"},
		{"unknown route", "GET", "/nowhere", "", nil, 404, 404, ""},
		{"wrong method", "PATCH", "/config", "", `{}`, 405, 405, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := h.end()
			var r response
			if c.contentType != "" {
				req := httptest.NewRequest(c.method, c.path, strings.NewReader(c.body.(string)))
				req.Header.Set("Content-Type", c.contentType)
				rec := httptest.NewRecorder()
				h.srvHandler().ServeHTTP(rec, req)
				r = response{status: rec.Code, body: rec.Body.Bytes()}
			} else {
				r = h.do(c.method, c.path, c.body)
			}
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %.300s", r.status, c.status, r.body)
			}
			if got := r.errorCode(t); got != c.code {
				t.Fatalf("error_code %d, want %d: %.300s", got, c.code, r.body)
			}
			if c.says != "" && !strings.Contains(string(r.body), c.says) {
				t.Fatalf("message does not say %q: %.300s", c.says, r.body)
			}
			if after := h.end(); after != before {
				t.Fatalf("a refused request wrote to the log (end %d -> %d)", before, after)
			}
		})
	}
}

func (h *harness) srvHandler() http.Handler { return h.srv.Handler() }

// FuzzRegisterRequest sends arbitrary bodies through the whole handler
// stack: decoding, validation and the Avro, Protobuf and JSON Schema
// parsers. Nothing may answer 5xx or panic.
func FuzzRegisterRequest(f *testing.F) {
	for _, seed := range []string{
		`{"schema":"\"int\""}`,
		`{"schema":"{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"long\",\"default\":1}]}"}`,
		`{"schemaType":"PROTOBUF","schema":"syntax = \"proto3\"; message M { int32 a = 1; }"}`,
		`{"schemaType":"JSON","schema":"{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}}"}`,
		`{"schema":"x","references":[{"name":"a","subject":"b","version":-1}]}`,
		`{"schema":"\"int\"","metadata":{"properties":{"owner":"x"}},"ruleSet":{"domainRules":[{"name":"r","kind":"CONDITION","mode":"WRITE","type":"CEL","expr":"true"}]}}`,
		`[`, `null`, `{"schema":null}`,
	} {
		f.Add(seed)
	}
	h := newHarness(f)
	handler := h.srvHandler()
	f.Fuzz(func(t *testing.T, body string) {
		for _, path := range []string{"/subjects/fuzz/versions", "/subjects/fuzz", "/compatibility/subjects/fuzz/versions/latest?verbose=true"} {
			req := httptest.NewRequest("POST", path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, req)
			if rec.Code >= 500 {
				t.Fatalf("POST %s %q: %d %s", path, body, rec.Code, rec.Body.Bytes())
			}
		}
	})
}

// TestSubjectLimitCountsCharacters: the 255 limit counts characters, as
// openapi.yaml's maxLength does, so 255 two-byte characters are a valid
// name.
func TestSubjectLimitCountsCharacters(t *testing.T) {
	h := newHarness(t)
	subject := strings.Repeat("é", 255)
	if r := h.do("POST", "/subjects/"+strings.Repeat("%C3%A9", 255)+"/versions", map[string]any{"schema": recordV1}); r.status != 200 {
		t.Fatalf("register %d bytes, 255 characters: %d %s", len(subject), r.status, r.body)
	}
	var got []string
	h.do("GET", "/subjects", nil).json(t, &got)
	if len(got) != 1 || got[0] != subject {
		t.Fatalf("subjects = %q, want the 255-character name", got)
	}
}

// TestIntegralNumbersAreIntegers: 3.0 and 3e0 are the integer 3 to JSON
// Schema and to Confluent's Jackson, so they are to charter.
func TestIntegralNumbersAreIntegers(t *testing.T) {
	h := newHarness(t)
	r := h.do("PUT", "/config/orders-value", `{"defaultRuleSet":{"enableAt":-79251.0},"compatibility":"NONE"}`)
	if r.status != 200 {
		t.Fatalf("enableAt -79251.0: %d %s", r.status, r.body)
	}
	var got struct {
		DefaultRuleSet struct{ EnableAt int64 } `json:"defaultRuleSet"`
	}
	h.do("GET", "/config/orders-value", nil).json(t, &got)
	if got.DefaultRuleSet.EnableAt != -79251 {
		t.Errorf("enableAt = %d, want -79251", got.DefaultRuleSet.EnableAt)
	}
	if r := h.do("POST", "/subjects/s/versions", `{"schema":"\"int\"","version":1e0,"id":2.0}`); r.status != 422 || r.errorCode(t) != 42205 {
		// id and version are IMPORT-mode only: decoded as 2 and 1 they are
		// refused for the mode, not for their type.
		t.Errorf("version 1e0, id 2.0: %d %s, want 422 42205", r.status, r.body)
	}
}
