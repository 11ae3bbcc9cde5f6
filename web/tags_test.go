package web

import (
	"testing"

	"github.com/charter-registry/charter/compat"
)

// TestTaggedFieldsAreShownAndSearchable: the subject page lists the
// latest version's tagged fields with their tags, for Avro, JSON Schema and
// Protobuf, and searching for a tag finds the fields carrying it.
func TestTaggedFieldsAreShownAndSearchable(t *testing.T) {
	h := newHarness(t)
	h.register("people-value", compat.Avro, `{"type":"record","name":"Person","namespace":"acme","fields":[{"name":"id","type":"string"},{"name":"ssn","type":"string","confluent:tags":["PII","GOV_ID"]}]}`)
	h.register("people-json-value", compat.JSON, `{"type":"object","title":"Person","properties":{"email":{"type":"string","confluent:tags":["PII"]},"n":{"type":"integer"}}}`)
	h.register("people-proto-value", compat.Protobuf, "syntax = \"proto3\";\npackage acme;\nimport \"confluent/meta.proto\";\nmessage Person {\n  string phone = 1 [(confluent.field_meta).tags = \"PII\"];\n  int32 n = 2;\n}\n")
	h.register("plain-value", compat.Avro, `{"type":"record","name":"Plain","fields":[{"name":"x","type":"string"}]}`)

	body := h.ok("/ui/subjects/people-value")
	contains(t, body, `<h2 id="h-tags">Tagged fields <span class="count">1</span></h2>`, `<td><code>acme.Person</code></td><td><code>ssn</code></td><td><span class="badge">PII</span> <span class="badge">GOV_ID</span> </td>`)
	contains(t, h.ok("/ui/subjects/people-json-value"), `<td><code>email</code></td><td><span class="badge">PII</span> </td>`)
	contains(t, h.ok("/ui/subjects/people-proto-value"), `<td><code>acme.Person</code></td><td><code>phone</code></td><td><span class="badge">PII</span> </td>`)
	contains(t, h.ok("/ui/subjects/plain-value"), `Tagged fields <span class="count">0</span>`, "No field of v1 carries a tag")

	body = h.ok("/ui/search?q=pii")
	contains(t, body, `<code class="field">ssn [PII]</code>`, `<code class="field">email [PII]</code>`, `<code class="field">phone [PII]</code>`)
	lacks(t, body, `href="/ui/subjects/plain-value#v1"`)
	contains(t, h.ok("/ui/search?q=gov_id"), `<code class="field">ssn [GOV_ID]</code>`)
}
