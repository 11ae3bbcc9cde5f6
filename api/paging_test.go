package api_test

import (
	"fmt"
	"slices"
	"testing"
)

// TestSubjectAndVersionListingsPage pins Confluent's SubjectsResource and
// SubjectVersionsResource: offset and limit skip and cut GET /subjects,
// GET /subjects/{s}/versions and .../referencedby (a limit of 0 or less is
// no limit), deletedAsNegative lists soft-deleted versions as negatives,
// and referencedby lists ids held by soft-deleted versions only with
// deleted=true. A malformed offset or limit is 422, as on GET /schemas.
func TestSubjectAndVersionListingsPage(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.register("address-value", `{"type":"record","name":"Address","fields":[{"name":"street","type":"string"}]}`)
	for i := range 4 {
		h.register(fmt.Sprintf("s%d-value", i), `"string"`)
	}
	if r := h.do("PUT", "/config/pg-value", map[string]any{"compatibility": "NONE"}); r.status != 200 {
		t.Fatalf("config: %d %s", r.status, r.body)
	}
	for _, s := range []string{`"string"`, `"int"`, `"long"`, `"bytes"`} {
		h.register("pg-value", s)
	}
	if r := h.do("DELETE", "/subjects/pg-value/versions/1", nil); r.status != 200 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	var ids []int
	for i, name := range []string{"a", "b", "c"} {
		body := map[string]any{
			"schema":     `{"type":"record","name":"P` + name + `","fields":[{"name":"a","type":"Address"}]}`,
			"references": []map[string]any{{"name": "Address", "subject": "address-value", "version": 1}},
		}
		r := h.do("POST", fmt.Sprintf("/subjects/user%d-value/versions", i), body)
		var out struct{ ID int }
		r.json(t, &out)
		if r.status != 200 {
			t.Fatalf("register: %d %s", r.status, r.body)
		}
		ids = append(ids, out.ID)
	}
	if r := h.do("DELETE", "/subjects/user0-value", nil); r.status != 200 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}

	get := func(path string, want any) {
		t.Helper()
		r := h.do("GET", path, nil)
		if r.status != 200 {
			t.Errorf("GET %s: %d %s", path, r.status, r.body)
			return
		}
		switch w := want.(type) {
		case []string:
			var got []string
			r.json(t, &got)
			if !slices.Equal(got, w) {
				t.Errorf("GET %s = %q, want %q", path, got, w)
			}
		case []int:
			var got []int
			r.json(t, &got)
			if !slices.Equal(got, w) {
				t.Errorf("GET %s = %v, want %v", path, got, w)
			}
		}
	}
	get("/subjects?offset=1&limit=2", []string{"pg-value", "s0-value"})
	get("/subjects?offset=7", []string{"user2-value"})
	get("/subjects?offset=20", []string{})
	get("/subjects?limit=-1&offset=6", []string{"user1-value", "user2-value"})
	get("/subjects?deleted=true&offset=6&limit=1", []string{"user0-value"})
	get("/subjects/pg-value/versions?offset=1&limit=1", []int{3})
	get("/subjects/pg-value/versions?limit=0", []int{2, 3, 4})
	get("/subjects/pg-value/versions?deleted=true&deletedAsNegative=true", []int{-1, 2, 3, 4})
	get("/subjects/pg-value/versions?deletedAsNegative=true", []int{-1, 2, 3, 4})
	get("/subjects/pg-value/versions?deletedOnly=true&deletedAsNegative=true&limit=2", []int{-1, 2})
	get("/subjects/address-value/versions/1/referencedby", ids[1:])
	get("/subjects/address-value/versions/1/referencedby?deleted=true", ids)
	get("/subjects/address-value/versions/1/referencedby?deleted=true&offset=1&limit=1", ids[1:2])

	// A subject whose versions are all soft-deleted is not found unless
	// deleted or deletedOnly is set, deletedAsNegative or not.
	if r := h.do("GET", "/subjects/user0-value/versions?deletedAsNegative=true", nil); r.status != 404 || r.errorCode(t) != 40401 {
		t.Errorf("all deleted, deletedAsNegative: %d %s, want 404 40401", r.status, r.body)
	}
	get("/subjects/user0-value/versions?deletedAsNegative=true&deleted=true", []int{-1})

	for _, path := range []string{"/subjects?offset=1&limit=abc", "/subjects?offset=-1", "/subjects/pg-value/versions?offset=x",
		"/subjects/pg-value/versions?deletedAsNegative=yes", "/subjects/address-value/versions/1/referencedby?limit=1.5"} {
		if r := h.do("GET", path, nil); r.status != 422 || r.errorCode(t) != 422 {
			t.Errorf("GET %s: %d %s, want 422", path, r.status, r.body)
		}
	}
}
