package api_test

import "testing"

// TestModeRefusalsSayConfluentsText pins the statuses, codes and exact texts
// Confluent's registry answers when a subject's mode refuses a write
// (AbstractSchemaRegistry.checkRegisterMode and the delete paths): the
// subject unquoted, then its context, empty for the default one.
func TestModeRefusalsSayConfluentsText(t *testing.T) {
	h := newHarness(t)
	h.register("s", recordV1)
	h.register(":.staging:orders", recordV1)
	for _, subject := range []string{"s", ":.staging:orders"} {
		if r := h.do("PUT", "/mode/"+subject, map[string]any{"mode": "READONLY"}); r.status != 200 {
			t.Fatalf("PUT /mode/%s: %d %s", subject, r.status, r.body)
		}
	}
	cases := []struct {
		name, method, path string
		body               any
		want               string
	}{
		{"register in READONLY", "POST", "/subjects/s/versions", map[string]any{"schema": recordV2Default},
			`{"error_code":42205,"message":"Subject s in context  is in read-only mode"}`},
		{"delete a version in READONLY", "DELETE", "/subjects/s/versions/1", nil,
			`{"error_code":42205,"message":"Subject s in context  is in read-only mode"}`},
		{"delete a subject in READONLY", "DELETE", "/subjects/s", nil,
			`{"error_code":42205,"message":"Subject s in context  is in read-only mode"}`},
		{"register in READONLY, in a context", "POST", "/subjects/:.staging:orders/versions", map[string]any{"schema": recordV2Default},
			`{"error_code":42205,"message":"Subject :.staging:orders in context :.staging: is in read-only mode"}`},
		{"an explicit id outside IMPORT", "POST", "/subjects/fresh/versions", map[string]any{"schema": recordV1, "id": 7},
			`{"error_code":42205,"message":"Subject fresh in context  is not in import mode"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := h.do(c.method, c.path, c.body)
			if r.status != 422 || string(r.body) != c.want {
				t.Fatalf("%s %s = %d %s, want 422 %s", c.method, c.path, r.status, r.body, c.want)
			}
		})
	}
}

// TestReadOnlySubjectAnswersASchemaItHolds pins Confluent's registerOrForward
// order: a schema the subject already holds is answered (200, its id) before
// the mode is looked at, so an auto-registering serializer keeps working on
// a READONLY subject; a new schema is refused. With default or override
// metadata or rules in the config the mode is checked first, as there.
func TestReadOnlySubjectAnswersASchemaItHolds(t *testing.T) {
	h := newHarness(t)
	id, _ := h.register("s", recordV1)
	h.register("t", recordV1)
	if r := h.do("PUT", "/config/t", map[string]any{"defaultMetadata": map[string]any{"properties": map[string]string{"owner": "a"}}}); r.status != 200 {
		t.Fatalf("PUT /config/t: %d %s", r.status, r.body)
	}
	for _, subject := range []string{"s", "t"} {
		if r := h.do("PUT", "/mode/"+subject, map[string]any{"mode": "READONLY"}); r.status != 200 {
			t.Fatalf("PUT /mode/%s: %d %s", subject, r.status, r.body)
		}
	}
	var got struct{ ID, Version int }
	for _, body := range []map[string]any{{"schema": recordV1}, {"schema": recordV1, "id": id}} {
		r := h.do("POST", "/subjects/s/versions", body)
		if r.status != 200 {
			t.Fatalf("re-register %v in READONLY: %d %s, want 200", body, r.status, r.body)
		}
		if r.json(t, &got); got.ID != id || got.Version != 1 {
			t.Fatalf("re-register %v in READONLY = %s, want id %d version 1", body, r.body, id)
		}
	}
	refused := []struct {
		path string
		body map[string]any
	}{
		{"/subjects/s/versions", map[string]any{"schema": recordV2Default}},
		{"/subjects/s/versions", map[string]any{"schema": recordV1, "id": id + 50}},
		{"/subjects/t/versions", map[string]any{"schema": recordV1}},
	}
	for _, c := range refused {
		if r := h.do("POST", c.path, c.body); r.status != 422 || r.errorCode(t) != 42205 {
			t.Fatalf("POST %s %v in READONLY: %d %s, want 422 42205", c.path, c.body, r.status, r.body)
		}
	}
}

// TestModeGuardsConfigAndImportAsConfluentDoes pins two more of Confluent's
// mode rules: a READONLY scope refuses config writes (KafkaSchemaRegistry
// updateConfig and deleteSubjectConfig; the global scope is named "null"
// there), and IMPORT takes only registrations that bring their id
// (checkRegisterMode).
func TestModeGuardsConfigAndImportAsConfluentDoes(t *testing.T) {
	h := newHarness(t)
	h.register("s", recordV1)
	if r := h.do("PUT", "/config/s", map[string]any{"compatibility": "FULL"}); r.status != 200 {
		t.Fatalf("PUT /config/s: %d %s", r.status, r.body)
	}
	for _, m := range []struct{ path, mode string }{{"/mode/s", "READONLY"}, {"/mode/imp", "IMPORT"}} {
		if r := h.do("PUT", m.path, map[string]any{"mode": m.mode}); r.status != 200 {
			t.Fatalf("PUT %s: %d %s", m.path, r.status, r.body)
		}
	}
	readOnly := `{"error_code":42205,"message":"Subject s in context  is in read-only mode"}`
	cases := []struct {
		name, method, path string
		body               any
		want               string
	}{
		{"set a READONLY subject's config", "PUT", "/config/s", map[string]any{"compatibility": "NONE"}, readOnly},
		{"delete a READONLY subject's config", "DELETE", "/config/s", nil, readOnly},
		{"register without an id in IMPORT", "POST", "/subjects/imp/versions", map[string]any{"schema": recordV1},
			`{"error_code":42205,"message":"Subject imp in context  is not in read-write mode"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if r := h.do(c.method, c.path, c.body); r.status != 422 || string(r.body) != c.want {
				t.Fatalf("%s %s = %d %s, want 422 %s", c.method, c.path, r.status, r.body, c.want)
			}
		})
	}
	// The refusals wrote nothing: the subject keeps its config.
	if r := h.do("GET", "/config/s", nil); r.status != 200 || string(r.body) != `{"compatibilityLevel":"FULL"}` {
		t.Fatalf("GET /config/s after the refusals: %d %s", r.status, r.body)
	}
	// With its id, IMPORT takes the schema.
	if r := h.do("POST", "/subjects/imp/versions", map[string]any{"schema": recordV1, "id": 40}); r.status != 200 {
		t.Fatalf("register with an id in IMPORT: %d %s", r.status, r.body)
	}

	if r := h.do("PUT", "/mode", map[string]any{"mode": "READONLY"}); r.status != 200 {
		t.Fatalf("PUT /mode: %d %s", r.status, r.body)
	}
	global := `{"error_code":42205,"message":"Subject null in context  is in read-only mode"}`
	for _, method := range []string{"PUT", "DELETE"} {
		var body any
		if method == "PUT" {
			body = map[string]any{"compatibility": "NONE"}
		}
		if r := h.do(method, "/config", body); r.status != 422 || string(r.body) != global {
			t.Fatalf("%s /config in global READONLY = %d %s, want 422 %s", method, r.status, r.body, global)
		}
	}
}
