package conformance

import (
	"testing"

	"github.com/hamba/avro/v2"
)

// The Avro schemas the tests register. orderV2 adds a field with a default,
// which every level accepts; orderNoDefault adds one without, which BACKWARD
// (and so FULL) refuses because a v2 reader cannot fill it from v1 data.
const (
	orderV1 = `{"type":"record","name":"Order","namespace":"com.acme","fields":[{"name":"id","type":"string"},{"name":"amount","type":"double"}]}`

	// orderV1Spaced is orderV1 laid out by a person: same schema, other text.
	orderV1Spaced = `{
  "type": "record",
  "namespace": "com.acme",
  "name": "Order",
  "fields": [
    {"name": "id",     "type": "string"},
    {"name": "amount", "type": "double"}
  ]
}`

	orderV2 = `{"type":"record","name":"Order","namespace":"com.acme","fields":[{"name":"id","type":"string"},{"name":"amount","type":"double"},{"name":"currency","type":"string","default":"EUR"}]}`

	orderNoDefault = `{"type":"record","name":"Order","namespace":"com.acme","fields":[{"name":"id","type":"string"},{"name":"amount","type":"double"},{"name":"customer","type":"string"}]}`

	orderAmountString = `{"type":"record","name":"Order","namespace":"com.acme","fields":[{"name":"id","type":"string"},{"name":"amount","type":"string"}]}`

	addressAvro = `{"type":"record","name":"Address","namespace":"com.acme","fields":[{"name":"street","type":"string"},{"name":"city","type":"string"}]}`

	// customerAvro uses com.acme.Address without declaring it: it parses
	// only with a reference to a subject that holds Address.
	customerAvro = `{"type":"record","name":"Customer","namespace":"com.acme","fields":[{"name":"name","type":"string"},{"name":"address","type":"com.acme.Address"}]}`
)

// parseAvro parses text with its referenced schemas in a private cache (the
// global one would let earlier tests' names leak into later ones).
func parseAvro(t *testing.T, text string, refs ...string) avro.Schema {
	t.Helper()
	cache := &avro.SchemaCache{}
	for _, r := range refs {
		if _, err := avro.ParseWithCache(r, "", cache); err != nil {
			t.Fatalf("parse referenced schema %s: %v", r, err)
		}
	}
	s, err := avro.ParseWithCache(text, "", cache)
	if err != nil {
		t.Fatalf("parse schema %s: %v", text, err)
	}
	return s
}

// requireSameAvro fails unless got and want are the same Avro schema: equal
// Parsing Canonical Forms. The registry may store another text (Confluent
// serves its own rendering), but never another schema.
func requireSameAvro(t *testing.T, got, want string, refs ...string) {
	t.Helper()
	g, w := parseAvro(t, got, refs...), parseAvro(t, want, refs...)
	if g.String() != w.String() {
		t.Fatalf("schema served is not the schema registered:\n got  %s\n want %s", g.String(), w.String())
	}
}
