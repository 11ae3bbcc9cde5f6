package api_test

import (
	"bytes"
	"testing"
)

// GET /schemas/guids/{guid}/ids answers Confluent's list of ContextId:
// the schema's id in each context holding it, by context then id; an
// unknown guid answers an empty list.
func TestIDsByGUIDAcrossContexts(t *testing.T) {
	h := newHarness(t)
	h.register("b", ctxSchemaB) // id 1 in the default context
	h.register("a", ctxSchemaA) // id 2
	h.register(":.ctx2:a", ctxSchemaA)
	h.register(":.ctx1:x", ctxSchemaC)
	h.register(":.ctx1:a", ctxSchemaA) // id 2 in .ctx1
	var byID struct {
		GUID string `json:"guid"`
	}
	h.do("GET", "/schemas/ids/2", nil).json(t, &byID)
	if byID.GUID == "" {
		t.Fatal("no guid for id 2")
	}
	r := h.do("GET", "/schemas/guids/"+byID.GUID+"/ids", nil)
	if want := `[{"context":".","id":2},{"context":".ctx1","id":2},{"context":".ctx2","id":1}]`; r.status != 200 || string(bytes.TrimSpace(r.body)) != want {
		t.Errorf("ids of the guid = %d %s, want 200 %s", r.status, r.body, want)
	}
	r = h.do("GET", "/schemas/guids/00000000-0000-0000-0000-000000000000/ids", nil)
	if r.status != 200 || string(bytes.TrimSpace(r.body)) != "[]" {
		t.Errorf("ids of an unknown guid = %d %s, want 200 []", r.status, r.body)
	}
}

// DELETE /mode/{subject}?recursive=true, Confluent's: for a context its
// own mode and every mode under it go (the answer the context's former
// mode, {} when it had none); without recursive only the context's own;
// for a plain subject its own, and none is no error; for the global mode
// every subject's mode.
func TestDeleteModeRecursive(t *testing.T) {
	h := newHarness(t)
	body := func(r response) string { return string(bytes.TrimSpace(r.body)) }
	set := func(path, mode string) { h.put(path, map[string]string{"mode": mode}) }
	notSet := func(path string) {
		t.Helper()
		h.wantError("GET", path, nil, 404, 40409, "")
	}

	set("/mode/:.c:", "READONLY")
	set("/mode/:.c:s1", "READONLY")
	set("/mode/:.c:s2", "IMPORT")
	set("/mode/:.d:s1", "READONLY")
	set("/mode/top", "READONLY")

	// Without recursive only the context's own mode goes.
	if r := h.do("DELETE", "/mode/:.c:", nil); r.status != 200 || body(r) != `{"mode":"READONLY"}` {
		t.Fatalf("DELETE /mode/:.c: = %d %s", r.status, r.body)
	}
	if got := h.mode("/mode/:.c:s1"); got != "READONLY" {
		t.Fatalf("mode of :.c:s1 after a plain delete = %s", got)
	}
	// Recursive with no mode of the context itself: {} and the subjects'.
	if r := h.do("DELETE", "/mode/:.c:?recursive=true", nil); r.status != 200 || body(r) != `{}` {
		t.Fatalf("recursive DELETE /mode/:.c: = %d %s, want 200 {}", r.status, r.body)
	}
	notSet("/mode/:.c:s1")
	notSet("/mode/:.c:s2")
	if got := h.mode("/mode/:.d:s1"); got != "READONLY" {
		t.Fatalf("mode of :.d:s1 (another context) = %s, want it kept", got)
	}
	// Through the context's path too.
	set("/mode/:.c:", "READWRITE")
	set("/mode/:.c:s1", "READONLY")
	if r := h.do("DELETE", "/contexts/.c/mode?recursive=true", nil); r.status != 200 || body(r) != `{"mode":"READWRITE"}` {
		t.Fatalf("recursive DELETE /contexts/.c/mode = %d %s", r.status, r.body)
	}
	notSet("/mode/:.c:")
	notSet("/mode/:.c:s1")

	// A plain subject: its own mode; none is no error with recursive.
	if r := h.do("DELETE", "/mode/nothing?recursive=true", nil); r.status != 200 || body(r) != `{}` {
		t.Fatalf("recursive DELETE of a subject without a mode = %d %s, want 200 {}", r.status, r.body)
	}
	h.wantError("DELETE", "/mode/nothing", nil, 404, 40401, "")
	h.wantError("DELETE", "/mode/top?recursive=yes", nil, 422, 422, "Query parameter recursive=\"yes\" is not a boolean; use true or false")

	// The global mode, recursively: every subject's mode of every context.
	set("/mode", "READONLY")
	set("/mode/:.e:", "READONLY")
	if r := h.do("DELETE", "/mode?recursive=true", nil); r.status != 200 || body(r) != `{"mode":"READONLY"}` {
		t.Fatalf("recursive DELETE /mode = %d %s", r.status, r.body)
	}
	if got := h.mode("/mode"); got != "READWRITE" {
		t.Fatalf("global mode after the delete = %s, want READWRITE", got)
	}
	notSet("/mode/top")
	notSet("/mode/:.d:s1")
	notSet("/mode/:.e:")

	// Each mode deleted has its audit entry.
	trail := h.do("GET", "/v1/audit?limit=1000", nil).body
	if n := bytes.Count(trail, []byte(`"operation":"mode.deleted"`)); n != 9 {
		t.Errorf("%d mode.deleted audit entries, want 9 (one per mode deleted)", n)
	}
}
