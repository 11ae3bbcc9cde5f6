package api_test

import (
	"encoding/json"
	"strings"
	"testing"
)

const taggedOrder = `{"type":"record","name":"Order","namespace":"com.acme","fields":[{"name":"id","type":"string"},{"name":"ssn","type":"string"},{"name":"customer","type":{"type":"record","name":"Customer","fields":[{"name":"email","type":"string"}]}}]}`

func versionText(t *testing.T, h *harness, subject, version string) string {
	t.Helper()
	r := h.do("GET", "/subjects/"+subject+"/versions/"+version, nil)
	if r.status != 200 {
		t.Fatalf("get %s/%s: %d %s", subject, version, r.status, r.body)
	}
	var out struct {
		Schema   string
		Version  int
		RuleSet  json.RawMessage
		Metadata json.RawMessage
	}
	r.json(t, &out)
	return out.Schema
}

func entityTags(path, typ string, tags ...string) map[string]any {
	return map[string]any{"schemaEntity": map[string]any{"entityPath": path, "entityType": typ}, "tags": tags}
}

// TestSchemaTagsOnRegister: schemaTagsToAdd and schemaTagsToRemove edit
// the inline confluent:tags of the registered Avro schema, as Confluent's
// AvroSchema.copy(tagsToAdd, tagsToRemove) does.
func TestSchemaTagsOnRegister(t *testing.T) {
	h := newHarness(t)
	r := h.do("POST", "/subjects/orders-value/versions", map[string]any{
		"schema": taggedOrder,
		"schemaTagsToAdd": []any{
			entityTags("com.acme.Order.ssn", "sr_field", "PII"),
			entityTags("com.acme.Order", "sr_record", "SENSITIVE"),
			entityTags("com.acme.Customer.email", "sr_field", "PII", "CONTACT"),
		},
		"schemaTagsToRemove": []any{entityTags("com.acme.Customer.email", "sr_field", "CONTACT")},
	})
	if r.status != 200 {
		t.Fatalf("register: %d %s", r.status, r.body)
	}
	got := versionText(t, h, "orders-value", "1")
	for _, want := range []string{
		`{"name":"ssn","type":"string","confluent:tags":["PII"]}`,
		`{"name":"email","type":"string","confluent:tags":["PII"]}`,
		`"confluent:tags":["SENSITIVE"]`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("registered schema lacks %s:\n%s", want, got)
		}
	}
	// Looking the tagged schema up with the same tag edits finds it.
	r = h.do("POST", "/subjects/orders-value", map[string]any{
		"schema": taggedOrder,
		"schemaTagsToAdd": []any{
			entityTags("com.acme.Order.ssn", "sr_field", "PII"),
			entityTags("com.acme.Order", "sr_record", "SENSITIVE"),
			entityTags("com.acme.Customer.email", "sr_field", "PII"),
		},
	})
	if r.status != 200 {
		t.Errorf("lookup with tags: %d %s", r.status, r.body)
	}

	r = h.do("POST", "/subjects/orders-value/versions", map[string]any{"schema": taggedOrder, "schemaTagsToAdd": []any{entityTags("com.acme.Order.nope", "sr_field", "PII")}})
	if r.status != 422 || r.errorCode(t) != 42201 || !strings.Contains(string(r.body), `"java.lang.IllegalArgumentException: No matching path 'com.acme.Order.nope' found in the schema"`) {
		t.Errorf("unknown path: %d %s", r.status, r.body)
	}
	r = h.do("POST", "/subjects/orders-value/versions", map[string]any{"schema": taggedOrder, "schemaTagsToAdd": []any{entityTags("com.acme.Order.ssn", "sr_thing", "PII")}})
	if r.status != 422 || r.errorCode(t) != 42201 {
		t.Errorf("unknown entity type: %d %s", r.status, r.body)
	}
	r = h.do("POST", "/subjects/person-proto/versions", map[string]any{"schemaType": "PROTOBUF", "schema": "syntax = \"proto3\";\nmessage P { string ssn = 1; }\n", "schemaTagsToAdd": []any{entityTags("P.ssn", "sr_field", "PII")}})
	if r.status != 200 {
		t.Fatalf("Protobuf tags: %d %s", r.status, r.body)
	}
	if got := versionText(t, h, "person-proto", "1"); !strings.Contains(got, `string ssn = 1 [(confluent.field_meta) = { tags: [ "PII" ] }];`) || !strings.Contains(got, `import "confluent/meta.proto";`) {
		t.Errorf("Protobuf schema registered with tags:\n%s", got)
	}
	r = h.do("POST", "/subjects/person-proto/versions", map[string]any{"schemaType": "PROTOBUF", "schema": "syntax = \"proto3\";\nmessage P { string ssn = 1; }\n", "schemaTagsToAdd": []any{entityTags("Q.ssn", "sr_field", "PII")}})
	if r.status != 422 || r.errorCode(t) != 42201 || !strings.Contains(string(r.body), "No matching Message with name 'Q' found in the schema") {
		t.Errorf("unknown Protobuf message: %d %s", r.status, r.body)
	}
}

// TestSchemaTagsOnJSONSchema: Confluent's JSON Schema paths ("object",
// then a property; "definitions" and "$defs"; "array" for items).
func TestSchemaTagsOnJSONSchema(t *testing.T) {
	h := newHarness(t)
	schema := `{"type":"object","properties":{"ssn":{"type":"string"},"address":{"type":"object","properties":{"street":{"type":"string"}}},"phones":{"type":"array","items":{"type":"object","properties":{"number":{"type":"string"}}}},"a.b":{"type":"string"}},"definitions":{"Card":{"type":"object","properties":{"pan":{"type":"string"}}}}}`
	r := h.do("POST", "/subjects/person-json/versions", map[string]any{"schemaType": "JSON", "schema": schema, "schemaTagsToAdd": []any{
		entityTags("object.ssn", "sr_field", "PII"),
		entityTags("object.address.object.street", "sr_field", "ADDRESS"),
		entityTags("object.phones.array.object.number", "sr_field", "PHONE"),
		entityTags("object.a.b", "sr_field", "DOTTED"),
		entityTags("object.definitions.Card.object.pan", "sr_field", "PCI"),
		entityTags("object", "sr_record", "PERSON"),
	}})
	if r.status != 200 {
		t.Fatalf("register: %d %s", r.status, r.body)
	}
	got := versionText(t, h, "person-json", "1")
	for _, want := range []string{
		`"ssn":{"type":"string","confluent:tags":["PII"]}`,
		`"street":{"type":"string","confluent:tags":["ADDRESS"]}`,
		`"number":{"type":"string","confluent:tags":["PHONE"]}`,
		`"a.b":{"type":"string","confluent:tags":["DOTTED"]}`,
		`"pan":{"type":"string","confluent:tags":["PCI"]}`,
		`"confluent:tags":["PERSON"]}`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("registered schema lacks %s:\n%s", want, got)
		}
	}
	r = h.do("POST", "/subjects/person-json/versions", map[string]any{"schemaType": "JSON", "schema": schema, "schemaTagsToAdd": []any{entityTags("object.nope", "sr_field", "PII")}})
	if r.status != 422 || r.errorCode(t) != 42201 || !strings.Contains(string(r.body), "No matching path 'object.nope' found in the schema") {
		t.Errorf("unknown path: %d %s", r.status, r.body)
	}
	r = h.do("POST", "/subjects/person-json/versions", map[string]any{"schemaType": "JSON", "schema": schema, "schemaTagsToAdd": []any{entityTags("object.x.anyof.0.object.y", "sr_field", "PII")}})
	if r.status != 422 || r.errorCode(t) != 42201 {
		t.Errorf("composition paths are refused: %d %s", r.status, r.body)
	}
}

// TestTagAVersion: POST /subjects/{s}/versions/{v}/tags registers a new
// version with the tags, metadata and rules asked for.
func TestTagAVersion(t *testing.T) {
	h := newHarness(t)
	h.register("orders-value", taggedOrder)
	rules := map[string]any{"domainRules": []any{map[string]any{"name": "encrypt-pii", "kind": "TRANSFORM", "mode": "WRITEREAD", "type": "ENCRYPT", "tags": []string{"PII"}, "params": map[string]string{"encrypt.kek.name": "k"}}}}
	r := h.do("POST", "/subjects/orders-value/versions/1/tags", map[string]any{
		"newVersion":   2,
		"tagsToAdd":    []any{entityTags("com.acme.Order.ssn", "sr_field", "PII")},
		"rulesToMerge": rules,
	})
	if r.status != 200 {
		t.Fatalf("tag version 1: %d %s", r.status, r.body)
	}
	got := versionText(t, h, "orders-value", "2")
	if !strings.Contains(got, `{"name":"ssn","type":"string","confluent:tags":["PII"]}`) {
		t.Errorf("version 2: %s", got)
	}
	r = h.do("GET", "/subjects/orders-value/versions/2", nil)
	if !strings.Contains(string(r.body), `"encrypt-pii"`) {
		t.Errorf("version 2 lacks the merged rule: %s", r.body)
	}
	// Removing the tag again gives a third version without it.
	r = h.do("POST", "/subjects/orders-value/versions/latest/tags", map[string]any{"tagsToRemove": []any{entityTags("com.acme.Order.ssn", "sr_field", "PII")}, "rulesToRemove": []string{"encrypt-pii"}})
	if r.status != 200 {
		t.Fatalf("untag: %d %s", r.status, r.body)
	}
	got = versionText(t, h, "orders-value", "3")
	if strings.Contains(got, "confluent:tags") {
		t.Errorf("version 3 still tagged: %s", got)
	}
	if r := h.do("GET", "/subjects/orders-value/versions/3", nil); strings.Contains(string(r.body), "encrypt-pii") {
		t.Errorf("version 3 keeps the removed rule: %s", r.body)
	}

	for _, c := range []struct {
		path string
		body map[string]any
		st   int
		code int
	}{
		{"/subjects/nope/versions/1/tags", map[string]any{}, 404, 40401},
		{"/subjects/orders-value/versions/9/tags", map[string]any{}, 404, 40402},
		{"/subjects/orders-value/versions/0/tags", map[string]any{}, 422, 42202},
		{"/subjects/orders-value/versions/1/tags", map[string]any{"ruleSet": rules, "rulesToMerge": rules}, 422, 42210},
		{"/subjects/orders-value/versions/1/tags", map[string]any{"newVersion": 9, "tagsToAdd": []any{entityTags("com.acme.Order.id", "sr_field", "X")}}, 422, 42202},
		{"/subjects/orders-value/versions/1/tags", map[string]any{"tagsToAdd": []any{entityTags("com.acme.Nope", "sr_record", "X")}}, 422, 42201},
	} {
		r := h.do("POST", c.path, c.body)
		if r.status != c.st || r.errorCode(t) != c.code {
			t.Errorf("POST %s %v: got %d %s, want %d/%d", c.path, c.body, r.status, r.body, c.st, c.code)
		}
	}
}
