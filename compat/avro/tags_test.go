package avro

import (
	"strings"
	"testing"

	"github.com/charter-registry/charter/compat"
)

// TestTagFindsEntitiesAsConfluent: records are found inside unions,
// arrays and maps; a leading dot and an empty namespace match any
// namespace; tags are added then removed, duplicates folded.
func TestTagFindsEntitiesAsConfluent(t *testing.T) {
	const schema = `{"type":"record","name":"Order","namespace":"acme","fields":[
	 {"name":"lines","type":{"type":"array","items":{"type":"record","name":"Line","fields":[{"name":"sku","type":"string"}]}}},
	 {"name":"notes","type":{"type":"map","values":{"type":"record","name":"Note","fields":[{"name":"text","type":"string"}]}}},
	 {"name":"payer","type":["null",{"type":"record","name":"Payer","fields":[{"name":"iban","type":"string","confluent:tags":["PII"]}]}]}]}`
	f := New()
	got, err := f.Tag(schema, []compat.EntityTags{
		{Path: "acme.Line.sku", Type: compat.EntityField, Tags: []string{"A", "A"}},
		{Path: ".Note.text", Type: compat.EntityField, Tags: []string{"B"}},
		{Path: "Payer", Type: compat.EntityRecord, Tags: []string{"C"}},
		{Path: "acme.Payer.iban", Type: compat.EntityField, Tags: []string{"D"}},
	}, []compat.EntityTags{{Path: "acme.Payer.iban", Type: compat.EntityField, Tags: []string{"PII"}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`{"name":"sku","type":"string","confluent:tags":["A"]}`,
		`{"name":"text","type":"string","confluent:tags":["B"]}`,
		`"name":"Payer","fields":[{"name":"iban","type":"string","confluent:tags":["D"]}],"confluent:tags":["C"]`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %s in\n%s", want, got)
		}
	}
	if _, err := f.Parse(got, nil); err != nil {
		t.Errorf("tagged schema does not parse: %v", err)
	}
	_, err = f.Tag(schema, []compat.EntityTags{{Path: "other.Line.sku", Type: compat.EntityField, Tags: []string{"A"}}}, nil)
	if err == nil || err.Error() != "No matching path 'other.Line.sku' found in the schema" {
		t.Errorf("a namespace that is not the top one: %v", err)
	}
}
