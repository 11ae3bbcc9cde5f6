package api_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
)

func TestSameSchemaInTwoSubjectsSharesOneID(t *testing.T) {
	h := newHarness(t)
	id1, v1 := h.register("a-value", recordV1)
	id2, v2 := h.register("b-value", recordV1)
	if id1 != id2 || v1 != 1 || v2 != 1 {
		t.Fatalf("ids %d/%d versions %d/%d; want one id and version 1 in each", id1, id2, v1, v2)
	}
	var subjects []string
	h.do("GET", fmt.Sprintf("/schemas/ids/%d/subjects", id1), nil).json(t, &subjects)
	if !slices.Equal(subjects, []string{"a-value", "b-value"}) {
		t.Fatalf("subjects of id %d: %v", id1, subjects)
	}
}

func TestReRegisteringReturnsExistingVersionWithoutWriting(t *testing.T) {
	h := newHarness(t)
	id, v := h.register("orders-value", recordV1)
	before := h.end()
	id2, v2 := h.register("orders-value", recordV1)
	if id2 != id || v2 != v {
		t.Fatalf("re-register gave id %d version %d, want %d/%d", id2, v2, id, v)
	}
	if after := h.end(); after != before {
		t.Fatalf("re-register wrote to the log: end %d -> %d", before, after)
	}
	// Whitespace does not make a new schema either.
	id3, _ := h.register("orders-value", strings.ReplaceAll(recordV1, ",", " ,\n "))
	if id3 != id {
		t.Fatalf("reformatted schema got id %d, want %d", id3, id)
	}
}

func TestSubjectNamesWithSlashRoundTrip(t *testing.T) {
	h := newHarness(t)
	subject := "team/orders-value"
	esc := url.PathEscape(subject)
	if !strings.Contains(esc, "%2F") {
		t.Fatalf("escape %q", esc)
	}
	h.register(esc, recordV1)
	var subjects []string
	h.do("GET", "/subjects", nil).json(t, &subjects)
	if !slices.Equal(subjects, []string{subject}) {
		t.Fatalf("subjects %v, want [%s]", subjects, subject)
	}
	var got struct {
		Subject string
		Version int
	}
	r := h.do("GET", "/subjects/"+esc+"/versions/latest", nil)
	r.json(t, &got)
	if got.Subject != subject || got.Version != 1 {
		t.Fatalf("latest: %s", r.body)
	}
}

func TestCompatibilityEnforcedOnRegister(t *testing.T) {
	h := newHarness(t)
	h.register("orders-value", recordV1)
	r := h.do("POST", "/subjects/orders-value/versions", map[string]any{"schema": recordV2NoDef})
	if r.status != 409 || r.errorCode(t) != 40901 {
		t.Fatalf("incompatible register: %d %s", r.status, r.body)
	}
	if !strings.Contains(string(r.body), "READER_FIELD_MISSING_DEFAULT_VALUE") || !strings.Contains(string(r.body), "/fields/1") {
		t.Fatalf("409 message does not name the rule and path: %s", r.body)
	}
	if _, v := h.register("orders-value", recordV2Default); v != 2 {
		t.Fatalf("compatible change got version %d", v)
	}
}

func TestVerboseCompatibilityNamesRuleAndPath(t *testing.T) {
	h := newHarness(t)
	h.register("orders-value", recordV1)
	r := h.do("POST", "/compatibility/subjects/orders-value/versions/latest?verbose=true", map[string]any{"schema": recordV2NoDef})
	var out struct {
		IsCompatible bool     `json:"is_compatible"`
		Messages     []string `json:"messages"`
		Violations   []struct {
			Rule, Path, Message string
			OldVersion          int
		} `json:"violations"`
	}
	r.json(t, &out)
	if out.IsCompatible || len(out.Messages) == 0 || len(out.Violations) != 1 {
		t.Fatalf("verbose result: %s", r.body)
	}
	v := out.Violations[0]
	if v.Rule != "READER_FIELD_MISSING_DEFAULT_VALUE" || v.Path != "/fields/1" || v.OldVersion != 1 || v.Message == "" {
		t.Fatalf("violation %+v", v)
	}
	// latest on an empty subject is compatible.
	r = h.do("POST", "/compatibility/subjects/nothing-here/versions/latest", map[string]any{"schema": recordV1})
	if r.status != 200 || !strings.Contains(string(r.body), `"is_compatible":true`) {
		t.Fatalf("empty subject: %d %s", r.status, r.body)
	}
	// A numbered version of a missing subject is 40402: Confluent looks
	// only the version up.
	if r = h.do("POST", "/compatibility/subjects/nothing-here/versions/1", map[string]any{"schema": recordV1}); r.status != 404 || r.errorCode(t) != 40402 {
		t.Fatalf("missing subject: %d %s", r.status, r.body)
	}
}

func TestTransitiveLevelsSkipSoftDeletedVersions(t *testing.T) {
	h := newHarness(t)
	h.do("PUT", "/config/s", map[string]string{"compatibility": "BACKWARD_TRANSITIVE"})
	// v1 has field a; v2 drops it; v3 re-adds a as int: incompatible with v1
	// only.
	v1 := `{"type":"record","name":"R","fields":[{"name":"a","type":"string"}]}`
	v2 := `{"type":"record","name":"R","fields":[]}`
	v3 := `{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":0}]}`
	h.register("s", v1)
	h.register("s", v2)
	if r := h.do("POST", "/subjects/s/versions", map[string]any{"schema": v3}); r.status != 409 {
		t.Fatalf("transitive check missed v1: %d %s", r.status, r.body)
	}
	if r := h.do("DELETE", "/subjects/s/versions/1", nil); r.status != 200 {
		t.Fatalf("soft delete: %d %s", r.status, r.body)
	}
	if _, v := h.register("s", v3); v != 3 {
		t.Fatalf("after soft-deleting v1, v3 got version %d", v)
	}
}

func TestDeleteSemantics(t *testing.T) {
	h := newHarness(t)
	h.register("s", recordV1)
	h.register("s", recordV2Default)
	steps := []struct {
		method, path string
		status, code int
	}{
		{"DELETE", "/subjects/s/versions/1?permanent=true", 404, 40407},
		{"DELETE", "/subjects/s/versions/1", 200, 0},
		{"DELETE", "/subjects/s/versions/1", 404, 40406},
		{"GET", "/subjects/s/versions/1", 404, 40402},
		{"GET", "/subjects/s/versions/1?deleted=true", 200, 0},
		{"DELETE", "/subjects/s?permanent=true", 404, 40405},
		{"DELETE", "/subjects/s", 200, 0},
		{"DELETE", "/subjects/s", 404, 40404},
		{"GET", "/subjects/s/versions", 404, 40401},
		{"GET", "/subjects/s/versions?deleted=true", 200, 0},
		{"DELETE", "/subjects/s?permanent=true", 200, 0},
		{"GET", "/subjects/s/versions?deleted=true", 404, 40401},
		{"GET", "/schemas/ids/1", 404, 40403},
		{"GET", "/subjects/missing/versions/latest", 404, 40401},
		{"GET", "/subjects/s/versions/banana", 422, 42202},
		{"GET", "/subjects/s/versions/0", 422, 42202},
	}
	for _, st := range steps {
		r := h.do(st.method, st.path, nil)
		if r.status != st.status {
			t.Fatalf("%s %s: %d, want %d: %s", st.method, st.path, r.status, st.status, r.body)
		}
		if st.code != 0 && r.errorCode(t) != st.code {
			t.Fatalf("%s %s: %s, want code %d", st.method, st.path, r.body, st.code)
		}
	}
	// Ids are never reused, even after the newest schema was hard-deleted.
	id, _ := h.register("t", `{"type":"record","name":"Fresh","fields":[]}`)
	if id != 3 {
		t.Fatalf("new schema after hard delete got id %d, want 3", id)
	}
}

func TestReferencesResolveAndBlockDeletes(t *testing.T) {
	h := newHarness(t)
	addr := `{"type":"record","name":"Address","namespace":"acme","fields":[{"name":"city","type":"string"}]}`
	aid, _ := h.register("address", addr)
	user := map[string]any{
		"schema":     `{"type":"record","name":"User","namespace":"acme","fields":[{"name":"home","type":"acme.Address"}]}`,
		"references": []map[string]any{{"name": "acme.Address", "subject": "address", "version": 1}},
	}
	r := h.do("POST", "/subjects/user/versions", user)
	if r.status != 200 {
		t.Fatalf("register with reference: %d %s", r.status, r.body)
	}
	var uid struct{ ID int }
	r.json(t, &uid)
	var refBy []int
	h.do("GET", "/subjects/address/versions/1/referencedby", nil).json(t, &refBy)
	if !slices.Equal(refBy, []int{uid.ID}) {
		t.Fatalf("referencedby %v, want [%d]", refBy, uid.ID)
	}
	if r := h.do("DELETE", "/subjects/address/versions/1", nil); r.status != 422 || r.errorCode(t) != 42206 {
		t.Fatalf("delete referenced: %d %s", r.status, r.body)
	}
	// Without the reference the name does not resolve.
	r = h.do("POST", "/subjects/user2/versions", map[string]any{"schema": user["schema"]})
	if r.status != 422 || r.errorCode(t) != 42201 {
		t.Fatalf("unresolved name: %d %s", r.status, r.body)
	}
	var got struct {
		References []map[string]any `json:"references"`
	}
	h.do("GET", fmt.Sprintf("/schemas/ids/%d", uid.ID), nil).json(t, &got)
	if len(got.References) != 1 || aid == uid.ID {
		t.Fatalf("references not returned: %+v", got)
	}
}

func TestConfigAndModeEndpoints(t *testing.T) {
	h := newHarness(t)
	cases := []struct {
		method, path string
		body         any
		status, code int
		contains     string
	}{
		{"GET", "/config", nil, 200, 0, `"compatibilityLevel":"BACKWARD"`},
		{"PUT", "/config", map[string]any{"compatibility": "full_transitive"}, 200, 0, `"compatibility":"FULL_TRANSITIVE"`},
		{"GET", "/config", nil, 200, 0, `"compatibilityLevel":"FULL_TRANSITIVE"`},
		{"PUT", "/config", map[string]any{"normalize": true}, 200, 0, `"compatibility":"FULL_TRANSITIVE"`},
		{"GET", "/config", nil, 200, 0, `"normalize":true`},
		{"GET", "/config/s", nil, 404, 40408, ""},
		{"GET", "/config/s?defaultToGlobal=true", nil, 200, 0, `"compatibilityLevel":"FULL_TRANSITIVE"`},
		{"PUT", "/config/s", map[string]any{"compatibility": "NONE"}, 200, 0, `"compatibility":"NONE"`},
		{"GET", "/config/s", nil, 200, 0, `"compatibilityLevel":"NONE"`},
		{"PUT", "/config/s", map[string]any{"compatibility": "SIDEWAYS"}, 422, 42203, ""},
		{"DELETE", "/config/s", nil, 200, 0, `"compatibilityLevel":"NONE"`},
		{"GET", "/config/s", nil, 404, 40408, ""},
		{"DELETE", "/config", nil, 200, 0, `"compatibilityLevel":"FULL_TRANSITIVE"`},
		{"GET", "/config", nil, 200, 0, `"compatibilityLevel":"BACKWARD"`},
		{"GET", "/mode", nil, 200, 0, `"mode":"READWRITE"`},
		{"PUT", "/mode/s", map[string]any{"mode": "READONLY"}, 200, 0, `"mode":"READONLY"`},
		{"POST", "/subjects/s/versions", map[string]any{"schema": recordV1}, 422, 42205, ""},
		{"GET", "/mode/s", nil, 200, 0, `"mode":"READONLY"`},
		{"GET", "/mode/other", nil, 404, 40409, ""},
		{"GET", "/mode/other?defaultToGlobal=true", nil, 200, 0, `"mode":"READWRITE"`},
		{"PUT", "/mode/s", map[string]any{"mode": "SOMETIMES"}, 422, 42204, ""},
		{"DELETE", "/mode/s", nil, 200, 0, `"mode":"READONLY"`},
		{"POST", "/subjects/s/versions", map[string]any{"schema": recordV1}, 200, 0, `"id":1`},
		{"PUT", "/mode", map[string]any{"mode": "IMPORT"}, 422, 42205, ""},
		{"PUT", "/mode?force=true", map[string]any{"mode": "IMPORT"}, 200, 0, `"mode":"IMPORT"`},
		{"POST", "/subjects/imported/versions", map[string]any{"schema": recordV2Default, "id": 100, "version": 7}, 200, 0, `"id":100`},
		{"POST", "/subjects/imported/versions", map[string]any{"schema": recordV2Default, "id": 100, "version": 7}, 200, 0, `"version":7`},
		{"POST", "/subjects/other/versions", map[string]any{"schema": recordV2NoDef, "id": 100}, 422, 42205, ""},
		{"PUT", "/mode", map[string]any{"mode": "READWRITE"}, 200, 0, `"mode":"READWRITE"`},
		{"POST", "/subjects/s/versions", map[string]any{"schema": recordV2Default, "id": 5}, 422, 42205, ""},
		{"GET", "/schemas/ids/100", nil, 200, 0, `"schema"`},
		{"POST", "/subjects/fresh/versions", map[string]any{"schema": `{"type":"fixed","name":"F","size":4}`}, 200, 0, `"id":101`},
	}
	for i, c := range cases {
		r := h.do(c.method, c.path, c.body)
		if r.status != c.status {
			t.Fatalf("%d: %s %s: %d, want %d: %s", i, c.method, c.path, r.status, c.status, r.body)
		}
		if c.code != 0 && r.errorCode(t) != c.code {
			t.Fatalf("%d: %s %s: %s, want code %d", i, c.method, c.path, r.body, c.code)
		}
		if c.contains != "" && !strings.Contains(string(r.body), c.contains) {
			t.Fatalf("%d: %s %s: body %s lacks %s", i, c.method, c.path, r.body, c.contains)
		}
	}
}

func TestListingEndpoints(t *testing.T) {
	h := newHarness(t)
	h.register("a-value", recordV1)
	h.register("a-value", recordV2Default)
	h.register("b-value", `{"type":"enum","name":"E","symbols":["X"]}`)
	h.do("DELETE", "/subjects/b-value", nil)
	check := func(path string, want any) {
		t.Helper()
		r := h.do("GET", path, nil)
		wantJSON, _ := json.Marshal(want)
		var got, exp any
		r.json(t, &got)
		_ = json.Unmarshal(wantJSON, &exp)
		if fmt.Sprint(got) != fmt.Sprint(exp) {
			t.Fatalf("GET %s = %s, want %s", path, r.body, wantJSON)
		}
	}
	check("/subjects", []string{"a-value"})
	check("/subjects?deleted=true", []string{"a-value", "b-value"})
	check("/subjects?deletedOnly=true", []string{"b-value"})
	check("/subjects?subjectPrefix=b", []string{})
	check("/subjects/a-value/versions", []int{1, 2})
	check("/schemas/types", []string{"JSON", "PROTOBUF", "AVRO"})
	check("/schemas/ids/2/versions", []map[string]any{{"subject": "a-value", "version": 2}})
	check("/contexts", []string{"."})
	var list []struct {
		Subject string
		Version int
	}
	h.do("GET", "/schemas?latestOnly=true&deleted=true", nil).json(t, &list)
	if len(list) != 2 || list[0].Version != 2 || list[1].Subject != "b-value" {
		t.Fatalf("latestOnly list: %+v", list)
	}
	h.do("GET", "/schemas?offset=1&limit=1", nil).json(t, &list)
	if len(list) != 1 || list[0].Version != 2 {
		t.Fatalf("paged list: %+v", list)
	}
	r := h.do("GET", "/subjects/a-value/versions/1/schema", nil)
	if string(r.body) != recordV1 {
		t.Fatalf("raw schema: %s", r.body)
	}
	r = h.do("POST", "/subjects/a-value", map[string]any{"schema": recordV1})
	if r.status != 200 || !strings.Contains(string(r.body), `"version":1`) {
		t.Fatalf("lookup: %d %s", r.status, r.body)
	}
	// Confluent's exact answer to a lookup miss in an existing subject.
	if r = h.do("POST", "/subjects/a-value", map[string]any{"schema": recordV2NoDef}); r.status != 404 || string(r.body) != `{"error_code":40403,"message":"Schema not found"}` {
		t.Fatalf("lookup of unknown schema: %d %s", r.status, r.body)
	}
	if r = h.do("GET", "/v1/metadata/id", nil); r.status != 200 || !strings.Contains(string(r.body), "schema-registry-cluster") {
		t.Fatalf("metadata id: %s", r.body)
	}
}

func TestRootAnswersAPIClientsWithJSON(t *testing.T) {
	h := newHarness(t)
	if r := h.do("GET", "/", nil); r.status != 200 || string(r.body) != "{}" {
		t.Fatalf("API GET /: %d %s", r.status, r.body)
	}
}
