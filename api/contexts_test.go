package api_test

import (
	"fmt"
	"slices"
	"testing"
)

// The behaviours below are Confluent Schema Registry's for schema contexts
// (RestApiContextTest, ContextsResource, ContextFilter, SchemasResource),
// pinned with their statuses, error codes and messages.

const (
	ctxSchemaA = `{"type":"record","name":"A","fields":[{"name":"a","type":"string"}]}`
	ctxSchemaB = `{"type":"record","name":"B","fields":[{"name":"b","type":"string"}]}`
	// ctxSchemaA2 is ctxSchemaA with an optional field: compatible with it.
	ctxSchemaA2 = `{"type":"record","name":"A","fields":[{"name":"a","type":"string"},{"name":"x","type":"int","default":0}]}`
	ctxSchemaC  = `{"type":"record","name":"C","fields":[{"name":"c","type":"string"}]}`
)

func (h *harness) wantStrings(path string, want []string) {
	h.t.Helper()
	r := h.do("GET", path, nil)
	if r.status != 200 {
		h.t.Fatalf("GET %s: %d %s", path, r.status, r.body)
	}
	var got []string
	r.json(h.t, &got)
	if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
		h.t.Fatalf("GET %s = %q, want %q", path, got, want)
	}
}

func (h *harness) wantError(method, path string, body any, status, code int, message string) {
	h.t.Helper()
	r := h.do(method, path, body)
	var e struct {
		ErrorCode int    `json:"error_code"`
		Message   string `json:"message"`
	}
	r.json(h.t, &e)
	if r.status != status || e.ErrorCode != code || (message != "" && e.Message != message) {
		h.t.Fatalf("%s %s = %d %d %q, want %d %d %q", method, path, r.status, e.ErrorCode, e.Message, status, code, message)
	}
}

func TestContextsAreListedFromFirstRegistrationUntilDeleted(t *testing.T) {
	h := newHarness(t)
	h.wantStrings("/contexts", []string{"."})
	h.register(":.ctx2:b", ctxSchemaB)
	h.register(":.ctx1:a", ctxSchemaA)
	h.register("c", ctxSchemaC)
	h.wantStrings("/contexts", []string{".", ".ctx1", ".ctx2"})
	h.wantStrings("/contexts?contextPrefix=.ctx", []string{".ctx1", ".ctx2"})
	h.wantStrings("/contexts?contextPrefix=.ctx2", []string{".ctx2"})
	h.wantStrings("/contexts?offset=1&limit=1", []string{".ctx1"})
	h.wantStrings("/contexts?offset=5", []string{})
	h.wantStrings("/contexts?limit=-1", []string{".", ".ctx1", ".ctx2"})

	notEmpty := "The specified context ':.ctx2:' is not empty."
	h.wantError("DELETE", "/contexts/.ctx2", nil, 422, 42211, notEmpty)
	// The context is named with or without its dot and colons.
	h.wantError("DELETE", "/contexts/ctx2", nil, 422, 42211, notEmpty)
	h.wantError("DELETE", "/contexts/:.ctx2:", nil, 422, 42211, notEmpty)
	// A soft-deleted subject still holds the context.
	if r := h.do("DELETE", "/subjects/:.ctx2:b", nil); r.status != 200 {
		t.Fatalf("soft delete: %d %s", r.status, r.body)
	}
	h.wantError("DELETE", "/contexts/.ctx2", nil, 422, 42211, notEmpty)
	if r := h.do("DELETE", "/subjects/:.ctx2:b?permanent=true", nil); r.status != 200 {
		t.Fatalf("hard delete: %d %s", r.status, r.body)
	}
	// Empty, the context is still listed until it is deleted.
	h.wantStrings("/contexts", []string{".", ".ctx1", ".ctx2"})
	if r := h.do("DELETE", "/contexts/.ctx2", nil); r.status != 204 || len(r.body) != 0 {
		t.Fatalf("DELETE /contexts/.ctx2 = %d %s, want 204", r.status, r.body)
	}
	h.wantStrings("/contexts", []string{".", ".ctx1"})
	// Deleting a context that does not exist succeeds, as in Confluent.
	if r := h.do("DELETE", "/contexts/.nothing", nil); r.status != 204 {
		t.Fatalf("DELETE /contexts/.nothing = %d %s, want 204", r.status, r.body)
	}
	h.wantError("DELETE", "/contexts/a:b", nil, 400, 400, "Context name 'a:b' cannot contain a colon")
	// The default context is the root under Confluent's context routes,
	// which takes no DELETE.
	h.wantError("DELETE", "/contexts/.", nil, 405, 405, "HTTP 405 Method Not Allowed")
	h.wantError("DELETE", "/contexts/:.:", nil, 405, 405, "HTTP 405 Method Not Allowed")

	// The next registration in a deleted context brings it back, with ids
	// from where that context's ids stopped.
	id, _ := h.register(":.ctx2:b", ctxSchemaC)
	if id != 2 {
		t.Fatalf("id in recreated context = %d, want 2 (ids are never reused)", id)
	}
	h.wantStrings("/contexts", []string{".", ".ctx1", ".ctx2"})

	// The audit trail records the delete, naming the context.
	var audit []struct {
		Operation string `json:"operation"`
		Subject   string `json:"subject"`
	}
	r := h.do("GET", "/v1/audit?operation=context.deleted", nil)
	if r.status != 200 {
		t.Fatalf("audit: %d %s", r.status, r.body)
	}
	r.json(t, &audit)
	if len(audit) != 1 || audit[0].Subject != ":.ctx2:" {
		t.Fatalf("audit entries for context.deleted = %s", r.body)
	}
}

func TestContextsSurviveRestart(t *testing.T) {
	h := newHarness(t)
	h.register(":.ctx1:a", ctxSchemaA)
	h.do("DELETE", "/subjects/:.ctx1:a", nil)
	h.do("DELETE", "/subjects/:.ctx1:a?permanent=true", nil)
	h2 := newHarnessOn(t, h.log)
	h2.wantStrings("/contexts", []string{".", ".ctx1"})
	if r := h2.do("DELETE", "/contexts/.ctx1", nil); r.status != 204 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	h3 := newHarnessOn(t, h.log)
	h3.wantStrings("/contexts", []string{"."})
}

func TestContextPathsScopeEveryRoute(t *testing.T) {
	h := newHarness(t)
	reg := func(path, schema string) int {
		t.Helper()
		r := h.do("POST", path, map[string]any{"schema": schema})
		if r.status != 200 {
			t.Fatalf("POST %s: %d %s", path, r.status, r.body)
		}
		var out struct{ ID int }
		r.json(t, &out)
		return out.ID
	}
	if id := reg("/contexts/.ctx1/subjects/t1/versions", ctxSchemaA); id != 1 {
		t.Fatalf("first id in .ctx1 = %d", id)
	}
	if id := reg("/contexts/.ctx1/subjects/t1/versions", ctxSchemaA2); id != 2 {
		t.Fatalf("second id in .ctx1 = %d", id)
	}
	if id := reg("/contexts/.ctx2/subjects/t2/versions", ctxSchemaB); id != 1 {
		t.Fatalf("first id in .ctx2 = %d, want 1 (its own id space)", id)
	}
	// The base URL /contexts/:.:/ is the default context.
	if id := reg("/contexts/:.:/subjects/t3/versions", ctxSchemaC); id != 1 {
		t.Fatalf("first id in the default context = %d", id)
	}
	var versions []int
	h.do("GET", "/subjects/:.ctx1:t1/versions", nil).json(t, &versions)
	if !slices.Equal(versions, []int{1, 2}) {
		t.Fatalf("versions of :.ctx1:t1 = %v", versions)
	}
	h.do("GET", "/contexts/.ctx1/subjects/t1/versions", nil).json(t, &versions)
	if !slices.Equal(versions, []int{1, 2}) {
		t.Fatalf("versions through /contexts/.ctx1 = %v", versions)
	}
	h.wantStrings("/contexts/.ctx1/subjects", []string{":.ctx1:t1"})
	h.wantStrings("/contexts/.ctx2/subjects", []string{":.ctx2:t2"})
	h.wantStrings("/contexts/:.:/subjects", []string{"t3"})
	h.wantStrings("/contexts/.ctx1/contexts", []string{".", ".ctx1", ".ctx2"})

	// /contexts/{ctx}/schemas/ids/{id} finds the id in that context.
	var sc struct {
		Subject string `json:"subject"`
		Version int    `json:"version"`
		Schema  string `json:"schema"`
	}
	h.do("GET", "/contexts/.ctx2/schemas/ids/1", nil).json(t, &sc)
	if sc.Subject != ":.ctx2:t2" || sc.Version != 1 || sc.Schema != ctxSchemaB {
		t.Fatalf("id 1 in .ctx2 = %+v", sc)
	}
	h.wantError("GET", "/contexts/.ctx2/schemas/ids/2", nil, 404, 40403, "Schema 2 not found")

	// /contexts/{ctx}/config is the context's config.
	if r := h.do("PUT", "/contexts/.ctx1/config", map[string]any{"compatibility": "NONE"}); r.status != 200 {
		t.Fatalf("PUT context config: %d %s", r.status, r.body)
	}
	var cfg struct {
		CompatibilityLevel string `json:"compatibilityLevel"`
	}
	h.do("GET", "/config/:.ctx1:", nil).json(t, &cfg)
	if cfg.CompatibilityLevel != "NONE" {
		t.Fatalf("config of :.ctx1: = %+v", cfg)
	}
	h.wantError("GET", "/contexts/a:b/subjects", nil, 400, 400, "Context name 'a:b' cannot contain a colon")
}

func TestSchemaByIDResolvesInTheSubjectsContext(t *testing.T) {
	h := newHarness(t)
	h.register("t3", ctxSchemaC)           // id 1 in "."
	h.register(":.ctx2:t2", ctxSchemaB)    // id 1 in ".ctx2"
	h.register(":.ctx2:other", ctxSchemaA) // id 2 in ".ctx2"
	h.register(":.ctx3:t2", ctxSchemaA)    // id 1 in ".ctx3"
	get := func(path string) (subject string, version int, schema string) {
		t.Helper()
		r := h.do("GET", path, nil)
		if r.status != 200 {
			t.Fatalf("GET %s: %d %s", path, r.status, r.body)
		}
		var sc struct {
			Subject string `json:"subject"`
			Version int    `json:"version"`
			Schema  string `json:"schema"`
		}
		r.json(t, &sc)
		return sc.Subject, sc.Version, sc.Schema
	}
	for _, tc := range []struct {
		path, subject, schema string
	}{
		// No subject: the default context, naming no subject.
		{"/schemas/ids/1", "", ctxSchemaC},
		// A subject of the default context.
		{"/schemas/ids/1?subject=t3", "t3", ctxSchemaC},
		// A qualified subject: its context.
		{"/schemas/ids/1?subject=:.ctx2:t2", ":.ctx2:t2", ctxSchemaB},
		{"/schemas/ids/1?subject=%3A.ctx3%3At2", ":.ctx3:t2", ctxSchemaA},
		// A context alone: any subject of it holding the id.
		{"/schemas/ids/2?subject=:.ctx2:", ":.ctx2:other", ctxSchemaA},
		// An unqualified subject the default context does not hold is
		// looked for in the other contexts, in order.
		{"/schemas/ids/1?subject=t2", ":.ctx2:t2", ctxSchemaB},
		// ... and failing that, the id in the default context.
		{"/schemas/ids/1?subject=nobody", "t3", ctxSchemaC},
		{"/schemas/ids/1?subject=", "t3", ctxSchemaC},
	} {
		subject, _, schema := get(tc.path)
		if subject != tc.subject || schema != tc.schema {
			t.Errorf("GET %s = subject %q schema %s; want %q %s", tc.path, subject, schema, tc.subject, tc.schema)
		}
	}
	// A qualified subject that does not hold the id, and an id its
	// context lacks, are 40403.
	h.wantError("GET", "/schemas/ids/2?subject=:.ctx2:t2", nil, 404, 40403, "Schema 2 not found")
	h.wantError("GET", "/schemas/ids/2?subject=:.ctx3:", nil, 404, 40403, "Schema 2 not found")
	h.wantError("GET", "/schemas/ids/2", nil, 404, 40403, "Schema 2 not found")
	h.wantError("GET", "/schemas/ids/2/schema?subject=:.ctx3:", nil, 404, 40403, "Schema 2 not found")
	if r := h.do("GET", "/schemas/ids/2/schema?subject=:.ctx2:", nil); r.status != 200 || string(r.body) != ctxSchemaA {
		t.Fatalf("raw schema of id 2 in .ctx2 = %d %s", r.status, r.body)
	}
	// The listings by id read the context the subject finds it in.
	h.wantStrings("/schemas/ids/1/subjects?subject=:.ctx2:", []string{":.ctx2:t2"})
	h.wantStrings("/schemas/ids/1/subjects", []string{"t3"})
	var svs []struct {
		Subject string `json:"subject"`
		Version int    `json:"version"`
	}
	h.do("GET", "/schemas/ids/1/versions?subject=t2", nil).json(t, &svs)
	if len(svs) != 1 || svs[0].Subject != ":.ctx2:t2" || svs[0].Version != 1 {
		t.Fatalf("versions of id 1 for t2 = %+v", svs)
	}
	// fetchMaxId is the highest id of the schema's context.
	var mx struct {
		MaxID int `json:"maxId"`
	}
	h.do("GET", "/schemas/ids/1?subject=:.ctx2:&fetchMaxId=true", nil).json(t, &mx)
	if mx.MaxID != 2 {
		t.Fatalf("maxId in .ctx2 = %d, want 2", mx.MaxID)
	}
	h.do("GET", "/schemas/ids/1?fetchMaxId=true", nil).json(t, &mx)
	if mx.MaxID != 1 {
		t.Fatalf("maxId in the default context = %d, want 1", mx.MaxID)
	}
}

// A client that knows only the unqualified name reads and looks up the
// version a context holds under it, as Confluent's "w/o context" reads do.
func TestUnqualifiedReadsFallBackToContexts(t *testing.T) {
	h := newHarness(t)
	h.register(":.ctx2:testTopic2", ctxSchemaB)
	h.register(":.ctx1:testTopic2", ctxSchemaA)
	var sc struct {
		Subject string `json:"subject"`
		Version int    `json:"version"`
		Schema  string `json:"schema"`
	}
	h.do("GET", "/subjects/testTopic2/versions/1", nil).json(t, &sc)
	if sc.Subject != ":.ctx1:testTopic2" || sc.Schema != ctxSchemaA {
		t.Fatalf("unqualified read = %+v, want the first context's (.ctx1)", sc)
	}
	r := h.do("POST", "/subjects/testTopic2", map[string]any{"schema": ctxSchemaB})
	if r.status != 200 {
		t.Fatalf("unqualified lookup: %d %s", r.status, r.body)
	}
	r.json(t, &sc)
	if sc.Subject != ":.ctx2:testTopic2" || sc.Version != 1 {
		t.Fatalf("unqualified lookup = %+v, want :.ctx2:testTopic2 v1", sc)
	}
	// The default context comes first; a name no context holds keeps its
	// own error.
	h.register("testTopic2", ctxSchemaC)
	h.do("GET", "/subjects/testTopic2/versions/1", nil).json(t, &sc)
	if sc.Subject != "testTopic2" {
		t.Fatalf("default context first, got %+v", sc)
	}
	h.wantError("GET", "/subjects/nobody/versions/1", nil, 404, 40401, "Subject 'nobody' not found.")
	h.wantError("GET", "/subjects/:.ctx1:nobody/versions/1", nil, 404, 40401, "Subject ':.ctx1:nobody' not found.")
	h.wantError("POST", "/subjects/nobody", map[string]any{"schema": ctxSchemaB}, 404, 40401, "Subject 'nobody' not found.")
}
func TestReferenceFormatQualified(t *testing.T) {
	h := newHarness(t)
	customer := `{"type":"record","name":"Customer","namespace":"acme","fields":[{"name":"n","type":"string"}]}`
	order := `{"type":"record","name":"Order","namespace":"acme","fields":[{"name":"c","type":"acme.Customer"}]}`
	h.register(":.ctx1:customer", customer)
	r := h.do("POST", "/subjects/:.ctx1:order/versions", map[string]any{
		"schema":     order,
		"references": []map[string]any{{"name": "acme.Customer", "subject": "customer", "version": 1}},
	})
	if r.status != 200 {
		t.Fatalf("register with a reference in its context: %d %s", r.status, r.body)
	}
	var reg struct{ ID int }
	r.json(t, &reg)
	refsOf := func(path string) []string {
		t.Helper()
		var sc struct {
			References []struct {
				Subject string `json:"subject"`
			} `json:"references"`
		}
		rr := h.do("GET", path, nil)
		if rr.status != 200 {
			t.Fatalf("GET %s: %d %s", path, rr.status, rr.body)
		}
		rr.json(t, &sc)
		var out []string
		for _, ref := range sc.References {
			out = append(out, ref.Subject)
		}
		return out
	}
	id := fmt.Sprint(reg.ID)
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"/subjects/:.ctx1:order/versions/1", []string{"customer"}},
		{"/subjects/:.ctx1:order/versions/1?referenceFormat=qualified", []string{":.ctx1:customer"}},
		{"/schemas/ids/" + id + "?subject=:.ctx1:order&referenceFormat=qualified", []string{":.ctx1:customer"}},
		{"/schemas/ids/" + id + "?subject=:.ctx1:order", []string{"customer"}},
		{"/schemas/ids/" + id + "?subject=:.ctx1:order&referenceFormat=other", []string{"customer"}},
	} {
		if got := refsOf(tc.path); !slices.Equal(got, tc.want) {
			t.Errorf("GET %s references = %q, want %q", tc.path, got, tc.want)
		}
	}
}

func TestReferencesResolveInTheirContext(t *testing.T) {
	h := newHarness(t)
	customer := `{"type":"record","name":"Customer","namespace":"acme","fields":[{"name":"n","type":"string"}]}`
	order := `{"type":"record","name":"Order","namespace":"acme","fields":[{"name":"c","type":"acme.Customer"}]}`
	order2 := `{"type":"record","name":"Order","namespace":"acme","fields":[{"name":"c","type":"acme.Customer"},{"name":"x","type":"int","default":0}]}`
	refTo := func(subject string) []map[string]any {
		return []map[string]any{{"name": "acme.Customer", "subject": subject, "version": 1}}
	}
	h.register(":.ctx1:customer", customer)
	h.register(":.shared:customer", customer)
	// "customer" from .ctx1 is :.ctx1:customer; from the default context it
	// is a subject the default context does not hold.
	if r := h.do("POST", "/subjects/:.ctx1:order/versions", map[string]any{"schema": order, "references": refTo("customer")}); r.status != 200 {
		t.Fatalf("reference within the context: %d %s", r.status, r.body)
	}
	h.wantError("POST", "/subjects/order/versions", map[string]any{"schema": order, "references": refTo("customer")}, 422, 42201,
		`Invalid schema: reference "acme.Customer" names subject 'customer' version 1, which does not exist`)
	// A qualified reference names its own context.
	if r := h.do("POST", "/subjects/:.ctx2:order/versions", map[string]any{"schema": order, "references": refTo(":.shared:customer")}); r.status != 200 {
		t.Fatalf("qualified reference: %d %s", r.status, r.body)
	}
	var ids []int
	h.do("GET", "/subjects/:.ctx1:customer/versions/1/referencedby", nil).json(t, &ids)
	if len(ids) != 1 || ids[0] != 2 {
		t.Fatalf("referencedby :.ctx1:customer = %v, want [2]", ids)
	}
	h.do("GET", "/subjects/:.shared:customer/versions/1/referencedby", nil).json(t, &ids)
	if len(ids) != 1 || ids[0] != 1 {
		t.Fatalf("referencedby :.shared:customer = %v, want [1] (the id in .ctx2)", ids)
	}
	h.do("DELETE", "/subjects/:.ctx1:customer/versions/1", nil)
	h.wantError("DELETE", "/subjects/:.ctx1:customer/versions/1?permanent=true", nil, 422, 42206, "")
	// After a restart the stored schema's references still resolve in its
	// context: the compatibility check parses version 1 with them.
	h2 := newHarnessOn(t, h.log)
	if r := h2.do("POST", "/subjects/:.ctx1:order/versions", map[string]any{"schema": order2, "references": refTo("customer")}); r.status != 200 {
		t.Fatalf("second version after restart: %d %s", r.status, r.body)
	}
}

func TestSchemaByGUIDAndAliasesAcrossContexts(t *testing.T) {
	h := newHarness(t)
	h.register(":.ctx1:a", ctxSchemaA)
	var byID struct {
		GUID string `json:"guid"`
	}
	h.do("GET", "/schemas/ids/1?subject=:.ctx1:a", nil).json(t, &byID)
	var byGUID struct {
		Schema string `json:"schema"`
	}
	if r := h.do("GET", "/schemas/guids/"+byID.GUID, nil); r.status != 200 {
		t.Fatalf("guid of a schema only .ctx1 holds: %d %s", r.status, r.body)
	} else {
		r.json(t, &byGUID)
	}
	if byGUID.Schema != ctxSchemaA {
		t.Fatalf("guid lookup = %q", byGUID.Schema)
	}
	// An alias given as the subject of a lookup by id stands for its
	// target, whose context the id is found in.
	h.put("/config/zz", map[string]any{"alias": ":.ctx1:a"})
	var sc struct {
		Subject string `json:"subject"`
	}
	h.do("GET", "/schemas/ids/1?subject=zz", nil).json(t, &sc)
	if sc.Subject != ":.ctx1:a" {
		t.Fatalf("id 1 for alias zz = %+v, want :.ctx1:a", sc)
	}
}

// The catalogue search covers every context.
func TestCatalogueSearchFindsContextSubjects(t *testing.T) {
	h := newHarness(t)
	h.register(":.staging:searchable-value", ctxSchemaA)
	r := h.do("GET", "/v1/catalog/search?q=searchable", nil)
	if r.status != 200 {
		t.Fatalf("search: %d %s", r.status, r.body)
	}
	var hits []struct {
		Kind    string `json:"kind"`
		Subject string `json:"subject"`
	}
	r.json(t, &hits)
	found := false
	for _, hit := range hits {
		if hit.Kind == "subject" && hit.Subject == ":.staging:searchable-value" {
			found = true
		}
	}
	if !found {
		t.Fatalf("search for searchable = %s, want :.staging:searchable-value", r.body)
	}
}
