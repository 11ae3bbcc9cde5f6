package api_test

import (
	"testing"
)

// Configs and modes per context, looked up as Confluent does: the
// subject's own, then its context's (the top level's for the default
// context), then ".__GLOBAL"'s, then the defaults.

func (h *harness) put(path string, body any) {
	h.t.Helper()
	if r := h.do("PUT", path, body); r.status != 200 {
		h.t.Fatalf("PUT %s: %d %s", path, r.status, r.body)
	}
}

func (h *harness) level(path string) string {
	h.t.Helper()
	r := h.do("GET", path, nil)
	if r.status != 200 {
		h.t.Fatalf("GET %s: %d %s", path, r.status, r.body)
	}
	var c struct {
		CompatibilityLevel string `json:"compatibilityLevel"`
	}
	r.json(h.t, &c)
	return c.CompatibilityLevel
}

func (h *harness) mode(path string) string {
	h.t.Helper()
	r := h.do("GET", path, nil)
	if r.status != 200 {
		h.t.Fatalf("GET %s: %d %s", path, r.status, r.body)
	}
	var m struct {
		Mode string `json:"mode"`
	}
	r.json(h.t, &m)
	return m.Mode
}

func TestConfigPerContext(t *testing.T) {
	h := newHarness(t)
	h.put("/config", map[string]any{"compatibility": "NONE"})
	h.register(":.ctx:s", ctxSchemaA)
	h.register("s", ctxSchemaA)
	// The top-level config is the default context's: a subject of another
	// context does not inherit it.
	h.wantError("POST", "/subjects/:.ctx:s/versions", map[string]any{"schema": ctxSchemaB}, 409, 40901, "")
	h.register("s", ctxSchemaB)
	if got := h.level("/config/:.ctx:s?defaultToGlobal=true"); got != "BACKWARD" {
		t.Fatalf(":.ctx:s in scope = %s, want the default BACKWARD", got)
	}
	if got := h.level("/config/s?defaultToGlobal=true"); got != "NONE" {
		t.Fatalf("s in scope = %s, want the top level's NONE", got)
	}
	// .__GLOBAL applies to every context without a config of its own.
	h.put("/config/:.__GLOBAL:", map[string]any{"compatibility": "FORWARD"})
	if got := h.level("/config/:.ctx:s?defaultToGlobal=true"); got != "FORWARD" {
		t.Fatalf(":.ctx:s under .__GLOBAL = %s, want FORWARD", got)
	}
	if got := h.level("/config/s?defaultToGlobal=true"); got != "NONE" {
		t.Fatalf("s keeps the top level's NONE before .__GLOBAL, got %s", got)
	}
	// A context's own config comes first, for its subjects and through
	// /contexts/{ctx}/config.
	h.put("/config/:.ctx:", map[string]any{"compatibility": "NONE"})
	h.register(":.ctx:s", ctxSchemaB)
	if got := h.level("/config/:.ctx:"); got != "NONE" {
		t.Fatalf("/config/:.ctx: = %s", got)
	}
	if got := h.level("/contexts/.ctx/config"); got != "NONE" {
		t.Fatalf("/contexts/.ctx/config = %s", got)
	}
	if got := h.level("/config/:.ctx?defaultToGlobal=true"); got != "NONE" {
		t.Fatalf("/config/:.ctx (no closing colon) = %s", got)
	}
	h.wantError("GET", "/config/:.other:", nil, 404, 40408, "Subject ':.other:' does not have subject-level compatibility configured")
	if got := h.level("/config/:.other:?defaultToGlobal=true"); got != "FORWARD" {
		t.Fatalf("an unset context in scope = %s, want .__GLOBAL's FORWARD", got)
	}
	// :.: is the default context: its config is the top level's.
	if got := h.level("/config/:.:"); got != "NONE" {
		t.Fatalf("/config/:.: = %s, want the top level's NONE", got)
	}
	// .__GLOBAL without a config of its own answers the defaults, not 40408.
	if r := h.do("DELETE", "/config/:.__GLOBAL:", nil); r.status != 200 {
		t.Fatalf("DELETE /config/:.__GLOBAL: = %d %s", r.status, r.body)
	}
	if got := h.level("/config/:.__GLOBAL:"); got != "BACKWARD" {
		t.Fatalf("unset /config/:.__GLOBAL: = %s, want the default BACKWARD", got)
	}
	if got := h.level("/config/:.other:?defaultToGlobal=true"); got != "BACKWARD" {
		t.Fatalf("an unset context after .__GLOBAL is gone = %s", got)
	}
}

func TestModePerContext(t *testing.T) {
	h := newHarness(t)
	h.put("/mode/:.ctx:", map[string]any{"mode": "READONLY"})
	h.wantError("POST", "/subjects/:.ctx:s/versions", map[string]any{"schema": ctxSchemaA}, 422, 42205,
		"Subject :.ctx:s in context :.ctx: is in read-only mode")
	h.register("s", ctxSchemaA)
	h.register(":.other:s", ctxSchemaA)
	if got := h.mode("/mode/:.ctx:s?defaultToGlobal=true"); got != "READONLY" {
		t.Fatalf(":.ctx:s mode in scope = %s", got)
	}
	if got := h.mode("/contexts/.ctx/mode"); got != "READONLY" {
		t.Fatalf("/contexts/.ctx/mode = %s", got)
	}
	h.wantError("GET", "/mode/:.other:", nil, 404, 40409, "Subject ':.other:' does not have subject-level mode configured")
	if got := h.mode("/mode/:.__GLOBAL:"); got != "READWRITE" {
		t.Fatalf("unset /mode/:.__GLOBAL: = %s, want READWRITE", got)
	}
	// .__GLOBAL READONLY reaches every context without a mode of its own,
	// the default one included while the top level sets none.
	h.put("/mode/:.__GLOBAL:", map[string]any{"mode": "READONLY"})
	h.wantError("POST", "/subjects/:.other:s/versions", map[string]any{"schema": ctxSchemaA2}, 422, 42205,
		"Subject :.other:s in context :.other: is in read-only mode")
	h.wantError("POST", "/subjects/s/versions", map[string]any{"schema": ctxSchemaA2}, 422, 42205,
		"Subject s in context  is in read-only mode")
	if got := h.mode("/mode?defaultToGlobal=true"); got != "READONLY" {
		t.Fatalf("top level in scope = %s, want .__GLOBAL's READONLY", got)
	}
	if got := h.mode("/mode"); got != "READWRITE" {
		t.Fatalf("top level's own mode = %s, want READWRITE", got)
	}
	// The top level's mode comes before .__GLOBAL's for the default context.
	h.put("/mode", map[string]any{"mode": "READWRITE"})
	h.register("s", ctxSchemaA2)
	h.wantError("POST", "/subjects/:.other:s/versions", map[string]any{"schema": ctxSchemaA2}, 422, 42205, "")
	// IMPORT on a context refuses while it holds subjects, not others'.
	h.put("/mode/:.__GLOBAL:", map[string]any{"mode": "READWRITE"})
	h.wantError("PUT", "/mode/:.other:", map[string]any{"mode": "IMPORT"}, 422, 42205, "")
	h.put("/mode/:.empty:", map[string]any{"mode": "IMPORT"})
}

func TestReservedSubjectNames(t *testing.T) {
	h := newHarness(t)
	for _, s := range []string{"__GLOBAL", "__EMPTY", ":.ctx:__GLOBAL", ":.__GLOBAL:orders"} {
		h.wantError("POST", "/subjects/"+s+"/versions", map[string]any{"schema": ctxSchemaA}, 422, 42208,
			"The specified subject '"+s+"' is not a valid.")
	}
	h.wantError("PUT", "/config/__EMPTY", map[string]any{"compatibility": "NONE"}, 422, 42208, "The specified subject '__EMPTY' is not a valid.")
	// ".__GLOBAL" holds a config and a mode, never schemas.
	h.put("/config/:.__GLOBAL:", map[string]any{"compatibility": "NONE"})
	h.wantError("POST", "/subjects/:.ctx:/versions", map[string]any{"schema": ctxSchemaA}, 422, 42208, "")
	// ":*:" means every context in a prefix: nothing is registered there
	// (it would list a context "*" that DELETE /contexts/* cannot remove).
	h.wantError("POST", "/subjects/:*:orders/versions", map[string]any{"schema": ctxSchemaA}, 422, 42208,
		`Invalid subject ":*:orders": ':*:' stands for every context in a subject prefix; register in one context`)
}

func TestSubjectsAreNormalised(t *testing.T) {
	h := newHarness(t)
	h.register(":.:n", ctxSchemaA)
	h.wantStrings("/subjects", []string{"n"})
	var versions []int
	h.do("GET", "/subjects/:.:n/versions", nil).json(t, &versions)
	if len(versions) != 1 {
		t.Fatalf("versions of :.:n = %v", versions)
	}
	h.register(":.ctx:b", ctxSchemaA)
	h.register("a", ctxSchemaB)
	// Confluent sorts the qualified names as strings: ':' before letters.
	h.wantStrings("/subjects", []string{":.ctx:b", "a", "n"})
	h.wantStrings("/subjects?subjectPrefix=", []string{"a", "n"})
	h.wantStrings("/subjects?subjectPrefix=:.ctx:", []string{":.ctx:b"})
	h.wantStrings("/subjects?subjectPrefix=:*:b", []string{":.ctx:b"})
	var schemas []struct {
		Subject string `json:"subject"`
	}
	h.do("GET", "/schemas", nil).json(t, &schemas)
	if len(schemas) != 2 {
		t.Fatalf("/schemas lists the default context: %+v", schemas)
	}
	h.do("GET", "/schemas?subjectPrefix=:*:", nil).json(t, &schemas)
	if len(schemas) != 3 || schemas[0].Subject != ":.ctx:b" {
		t.Fatalf("/schemas?subjectPrefix=:*: = %+v", schemas)
	}
}
