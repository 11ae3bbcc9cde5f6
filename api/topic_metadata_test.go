package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/charter-registry/charter/governance"
	"github.com/charter-registry/charter/internal/registrytest"
)

// TestTopicMetadataAndFieldTags: a topic's owner publishes description,
// SLA, classification and docs; GET .../fields lays out the tags of every
// bound subject's fields, taken from the schema itself (Avro
// confluent:tags, Protobuf (confluent.field_meta).tags, JSON Schema
// confluent:tags) and from its metadata's tag paths.
func TestTopicMetadataAndFieldTags(t *testing.T) {
	r := registrytest.Start(t)
	do := func(method, path string, body any) response {
		t.Helper()
		return send(t, r.URL, method, path, body, "")
	}
	must := func(method, path string, body any) response {
		t.Helper()
		res := do(method, path, body)
		if res.status != http.StatusOK {
			t.Fatalf("%s %s: %d %s", method, path, res.status, res.body)
		}
		return res
	}
	must("POST", "/v1/catalog/teams", map[string]any{"name": "people"})
	var topic governance.Topic
	must("POST", "/v1/catalog/topics", map[string]any{
		"name": "people", "owner": "people", "description": "One record per person",
		"sla":            map[string]any{"freshness": "5m", "ordering": "Per-Key", "retention": "7d"},
		"classification": "Confidential",
		"docs":           []map[string]string{{"title": "Data sheet", "url": "https://wiki.example.com/people"}},
		"bindings":       map[string]any{"other": []string{"people-proto", "people-json"}},
	}).json(t, &topic)
	if topic.SLA == nil || *topic.SLA != (governance.SLA{Freshness: "5m", Ordering: "per-key", Retention: "7d"}) || topic.Classification != "confidential" {
		t.Fatalf("topic metadata %+v %+v", topic.SLA, topic)
	}
	for _, bad := range []map[string]any{
		{"sla": map[string]any{"freshness": "soon"}},
		{"sla": map[string]any{"ordering": "random"}},
		{"sla": map[string]any{"retention": "-1h"}},
		{"classification": "secret"},
	} {
		if res := do("PUT", "/v1/catalog/topics/people", bad); res.status != http.StatusUnprocessableEntity || !strings.Contains(string(res.body), `"error_code":42212`) {
			t.Errorf("PUT %v: %d %s, want 422 42212", bad, res.status, res.body)
		}
	}

	must("POST", "/subjects/people-value/versions", map[string]any{
		"schema":   `{"type":"record","name":"Person","namespace":"acme","fields":[{"name":"id","type":"string"},{"name":"ssn","type":"string","confluent:tags":["PII","GOV_ID"]},{"name":"email","type":["null","string"],"default":null}]}`,
		"metadata": map[string]any{"tags": map[string][]string{"acme.Person.email": {"PII"}, "**.id": {"KEY"}}},
	})
	must("POST", "/subjects/people-proto/versions", map[string]any{"schemaType": "PROTOBUF",
		"schema": "syntax = \"proto3\";\npackage acme;\nimport \"confluent/meta.proto\";\nmessage Contact {\n  string phone = 1 [(confluent.field_meta).tags = \"PII\"];\n  int32 n = 2;\n}\n"})
	must("POST", "/subjects/people-json/versions", map[string]any{"schemaType": "JSON",
		"schema": `{"type":"object","title":"Address","properties":{"postcode":{"type":"string","confluent:tags":["PII"]},"country":{"type":"string"}}}`})

	var f governance.TopicFields
	must("GET", "/v1/catalog/topics/people/fields", nil).json(t, &f)
	tags := map[string][]string{}
	for _, s := range f.Subjects {
		for _, fi := range s.Fields {
			tags[s.Subject+" "+fi.Path] = fi.Tags
		}
	}
	for key, want := range map[string][]string{
		"people-value acme.Person.ssn":    {"PII", "GOV_ID"},
		"people-value acme.Person.email":  {"PII"},
		"people-value acme.Person.id":     {"KEY"},
		"people-proto acme.Contact.phone": {"PII"},
		"people-proto acme.Contact.n":     {},
		"people-json Address.postcode":    {"PII"},
		"people-json Address.country":     {},
	} {
		got, ok := tags[key]
		if !ok || !slices.Equal(got, want) {
			t.Errorf("tags of %s: %v (present %v), want %v (all: %v)", key, got, ok, want, tags)
		}
	}
	pii := f.ByTag["PII"]
	slices.Sort(pii)
	if want := []string{"Address.postcode", "acme.Contact.phone", "acme.Person.email", "acme.Person.ssn"}; !slices.Equal(pii, want) {
		t.Errorf("PII fields %v, want %v", pii, want)
	}
	if res := do("GET", "/v1/catalog/topics/nobody/fields", nil); res.status != http.StatusNotFound {
		t.Errorf("fields of a missing topic: %d", res.status)
	}
}
