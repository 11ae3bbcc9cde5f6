package api_test

import (
	"strconv"
	"strings"
	"testing"
)

// TestConfluentErrorTexts pins, for each error a peer registry's test
// suite compares, Confluent's status, error code and exact message (from
// its rest/exceptions/Errors.java and Rest*Exception classes, and from
// Jersey/rest-utils for a path parameter that is not an integer). Clients
// and scripts match on these strings.
func TestConfluentErrorTexts(t *testing.T) {
	h := newHarness(t)
	h.register("orders-value", recordV1)
	h.register("money-value", `{"type":"record","name":"Money","namespace":"acme","fields":[{"name":"units","type":"long"}]}`)
	if r := h.do("POST", "/subjects/order-value/versions", map[string]any{
		"schema":     `{"type":"record","name":"Order","namespace":"acme","fields":[{"name":"total","type":"Money"}]}`,
		"references": []map[string]any{{"name": "acme.Money", "subject": "money-value", "version": 1}},
	}); r.status != 200 {
		t.Fatalf("register: %d %s", r.status, r.body)
	}
	h.register("gone-value", recordV1)
	h.register("twice-value", recordV1)
	h.register("twice-value", recordV2Default)

	type step struct {
		name         string
		method, path string
		body         any
		status, code int
		message      string
	}
	steps := []step{
		{"version not found", "GET", "/subjects/orders-value/versions/15", nil, 404, 40402, "Version 15 not found."},
		{"version not found, /schema", "GET", "/subjects/orders-value/versions/15/schema", nil, 404, 40402, "Version 15 not found."},
		{"delete a missing version", "DELETE", "/subjects/orders-value/versions/15", nil, 404, 40402, "Version 15 not found."},
		{"subject not found", "GET", "/subjects/nobody/versions/1", nil, 404, 40401, "Subject 'nobody' not found."},
		{"compatibility with a version of a missing subject", "POST", "/compatibility/subjects/nobody/versions/1", map[string]any{"schema": recordV1}, 404, 40402, "Version 1 not found."},
		{"compatibility with a missing version", "POST", "/compatibility/subjects/orders-value/versions/7", map[string]any{"schema": recordV1}, 404, 40402, "Version 7 not found."},
		{"id that is not an integer", "GET", "/schemas/ids/abc", nil, 404, 404, "HTTP 404 Not Found"},
		{"id beyond 32 bits", "GET", "/schemas/ids/4294967296", nil, 404, 404, "HTTP 404 Not Found"},
		{"id that is not an integer, /schema", "GET", "/schemas/ids/abc/schema", nil, 404, 404, "HTTP 404 Not Found"},
		{"id that is not an integer, /subjects", "GET", "/schemas/ids/1.5/subjects", nil, 404, 404, "HTTP 404 Not Found"},
		{"id that is not an integer, /versions", "GET", "/schemas/ids/x/versions", nil, 404, 404, "HTTP 404 Not Found"},
		{"id zero", "GET", "/schemas/ids/0", nil, 404, 40403, "Schema 0 not found"},
		{"negative id", "GET", "/schemas/ids/-3", nil, 404, 40403, "Schema -3 not found"},
		{"unknown id", "GET", "/schemas/ids/999", nil, 404, 40403, "Schema 999 not found"},
		{"unknown id, /subjects", "GET", "/schemas/ids/999/subjects", nil, 404, 40403, "Schema not found"},
		{"unknown id, /versions", "GET", "/schemas/ids/999/versions", nil, 404, 40403, "Schema not found"},
		{"unknown guid", "GET", "/schemas/guids/00000000-0000-0000-0000-000000000000", nil, 404, 40403, "Schema 00000000-0000-0000-0000-000000000000 not found"},
		{"invalid compatibility level", "PUT", "/config", map[string]any{"compatibility": "SOMETIMES"}, 422, 42203, "Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive"},
		{"invalid subject compatibility level", "PUT", "/config/orders-value", map[string]any{"compatibility": "sideways"}, 422, 42203, "Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive"},
		{"referenced version", "DELETE", "/subjects/money-value/versions/1", nil, 422, 42206, "One or more references exist to the schema {magic=1,keytype=SCHEMA,subject=money-value,version=1}."},
		{"referenced subject", "DELETE", "/subjects/money-value", nil, 422, 42206, "One or more references exist to the schema {magic=1,keytype=SCHEMA,subject=money-value,version=1}."},
		{"permanent delete of a live version", "DELETE", "/subjects/twice-value/versions/2?permanent=true", nil, 404, 40407, "Subject 'twice-value' Version 2 was not deleted first before being permanently deleted"},
		{"permanent delete of a live subject", "DELETE", "/subjects/gone-value?permanent=true", nil, 404, 40405, "Subject 'gone-value' was not deleted first before being permanently deleted"},
		{"invalid mode", "PUT", "/mode", map[string]any{"mode": "WRITEONLY"}, 422, 42204, "Invalid mode. Valid values are READWRITE, READONLY, IMPORT and FORWARD."},
		{"delete a subject mode that is not set", "DELETE", "/mode/orders-value", nil, 404, 40401, "Subject 'orders-value' not found."},
		{"get a subject mode that is not set", "GET", "/mode/orders-value", nil, 404, 40409, "Subject 'orders-value' does not have subject-level mode configured"},
		{"delete a subject config that is not set", "DELETE", "/config/orders-value", nil, 404, 40401, "Subject 'orders-value' not found."},
		{"get a subject config that is not set", "GET", "/config/orders-value", nil, 404, 40408, "Subject 'orders-value' does not have subject-level compatibility configured"},
		{"latest with metadata, no match", "GET", "/subjects/orders-value/metadata?key=owner&value=nobody", nil, 404, 40403, "Schema not found"},
		{"latest with metadata, missing subject", "GET", "/subjects/nobody/metadata?key=owner&value=x", nil, 404, 40401, "Subject 'nobody' not found."},
		{"soft delete version 1", "DELETE", "/subjects/twice-value/versions/1", nil, 200, 0, ""},
		{"soft-deleted version deleted again", "DELETE", "/subjects/twice-value/versions/1", nil, 404, 40406, "Subject 'twice-value' Version 1 was soft deleted.Set permanent=true to delete permanently"},
		{"soft delete subject", "DELETE", "/subjects/gone-value", nil, 200, 0, ""},
		{"soft-deleted subject deleted again", "DELETE", "/subjects/gone-value", nil, 404, 40404, "Subject 'gone-value' was soft deleted.Set permanent=true to delete permanently"},
	}
	for _, s := range steps {
		r := h.do(s.method, s.path, s.body)
		if r.status != s.status {
			t.Errorf("%s: %s %s: status %d, want %d: %s", s.name, s.method, s.path, r.status, s.status, r.body)
			continue
		}
		if s.code == 0 {
			continue
		}
		var e struct {
			ErrorCode int    `json:"error_code"`
			Message   string `json:"message"`
		}
		r.json(t, &e)
		if e.ErrorCode != s.code || e.Message != s.message {
			t.Errorf("%s: %s %s: error_code %d message %q, want %d %q", s.name, s.method, s.path, e.ErrorCode, e.Message, s.code, s.message)
		}
	}
}

// TestReRegisterAfterHardDeleteGivesTheOldID: Confluent keeps a schema's
// content hash to id mapping through a soft and a hard delete of its
// subject, so the same schema registered again comes back with its id.
func TestReRegisterAfterHardDeleteGivesTheOldID(t *testing.T) {
	h := newHarness(t)
	id, _ := h.register("orders-value", recordV1)
	h.register("other-value", recordV2NoDef)
	for _, path := range []string{"/subjects/orders-value", "/subjects/orders-value?permanent=true"} {
		if r := h.do("DELETE", path, nil); r.status != 200 {
			t.Fatalf("DELETE %s: %d %s", path, r.status, r.body)
		}
	}
	if r := h.do("GET", "/schemas/ids/"+strconv.Itoa(id), nil); r.status != 404 {
		t.Fatalf("the hard-deleted id still serves: %d %s", r.status, r.body)
	}
	again, version := h.register("orders-value", recordV1)
	if again != id || version != 1 {
		t.Errorf("re-registered as id %d version %d, want id %d version 1", again, version, id)
	}
}

// TestEmptyAvroUnionRegisters: Apache Avro's Java parser, and so Confluent,
// accepts the empty union [] on its own and as a field type.
func TestEmptyAvroUnionRegisters(t *testing.T) {
	h := newHarness(t)
	for subject, schema := range map[string]string{
		"empty-value": `[]`,
		"never-value": `{"type":"record","name":"Never","fields":[{"name":"v","type":[]}]}`,
	} {
		r := h.do("POST", "/subjects/"+subject+"/versions", map[string]any{"schema": schema})
		if r.status != 200 {
			t.Errorf("register %s: %d %s, want 200", schema, r.status, r.body)
			continue
		}
		var got struct{ Schema string }
		h.do("GET", "/subjects/"+subject+"/versions/1", nil).json(t, &got)
		if got.Schema != schema {
			t.Errorf("stored %s, want %s", got.Schema, schema)
		}
	}
}

// TestImportIDClashStartsWithConfluentsText: registering, in IMPORT mode,
// a different schema under an id its context already uses is 422/42205
// with Confluent's sentence (checkIfSchemaWithIdExist: the context is
// empty for the default one), then charter's reason.
func TestImportIDClashStartsWithConfluentsText(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, c := range []struct{ subject, context string }{{"imp-value", ""}, {":.staging:imp-value", ":.staging:"}} {
		if r := h.do("PUT", "/mode/"+c.subject+"?force=true", map[string]any{"mode": "IMPORT"}); r.status != 200 {
			t.Fatalf("mode: %d %s", r.status, r.body)
		}
		if r := h.do("POST", "/subjects/"+c.subject+"/versions", map[string]any{"schema": `"string"`, "id": 500, "version": 3}); r.status != 200 {
			t.Fatalf("import: %d %s", r.status, r.body)
		}
		r := h.do("POST", "/subjects/"+c.subject+"/versions", map[string]any{"schema": `"int"`, "id": 500, "version": 4})
		var e struct {
			ErrorCode int    `json:"error_code"`
			Message   string `json:"message"`
		}
		r.json(t, &e)
		want := "Overwrite new schema with id 500 in context " + c.context + " is not permitted."
		if r.status != 422 || e.ErrorCode != 42205 || !strings.HasPrefix(e.Message, want) {
			t.Errorf("%s: %d %s, want 422 42205 starting %q", c.subject, r.status, r.body, want)
		}
	}
}
