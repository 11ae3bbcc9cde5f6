package protobuf

import (
	"strings"
	"testing"

	"github.com/charter-registry/charter/compat"
)

// TestTagEditsConfluentMetaOptions: tags go into (confluent.field_meta)
// and (confluent.message_meta), through nested messages and oneofs, the
// import of confluent/meta.proto is added when missing, the option's other
// members are kept, and the result reads back as the field's tags.
func TestTagEditsConfluentMetaOptions(t *testing.T) {
	f := New()
	out, err := f.Tag("syntax = \"proto3\";\npackage acme;\nmessage Person {\n  string phone = 1;\n  message Inner { string secret = 1; }\n  oneof contact { string email = 3; }\n}\n", []compat.EntityTags{
		{Path: "Person.phone", Type: compat.EntityField, Tags: []string{"PII"}},
		{Path: "Person.Inner.secret", Type: compat.EntityField, Tags: []string{"S"}},
		{Path: "Person.contact.email", Type: compat.EntityField, Tags: []string{"E"}},
		{Path: "Person", Type: compat.EntityRecord, Tags: []string{"R"}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`import "confluent/meta.proto";`,
		`option (confluent.message_meta) = { tags: [ "R" ] };`,
		`string phone = 1 [(confluent.field_meta) = { tags: [ "PII" ] }];`,
		`string secret = 1 [(confluent.field_meta) = { tags: [ "S" ] }];`,
		`string email = 3 [(confluent.field_meta) = { tags: [ "E" ] }];`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %s in\n%s", want, out)
		}
	}
	s, err := f.Parse(out, nil)
	if err != nil {
		t.Fatalf("tagged schema does not parse: %v", err)
	}
	var phoneTags []string
	for _, r := range s.(*Schema).Outline().Records {
		for _, fd := range r.Fields {
			if fd.Name == "phone" {
				phoneTags = fd.Tags
			}
		}
	}
	if len(phoneTags) != 1 || phoneTags[0] != "PII" {
		t.Errorf("phone's tags read back as %v", phoneTags)
	}

	out, err = f.Tag("syntax = \"proto3\";\npackage acme;\nimport \"confluent/meta.proto\";\nmessage Person {\n  string id = 2 [(confluent.field_meta).doc = \"x\", (confluent.field_meta).tags = \"OLD\"];\n}\n",
		[]compat.EntityTags{{Path: "Person.id", Type: compat.EntityField, Tags: []string{"PII"}}},
		[]compat.EntityTags{{Path: "Person.id", Type: compat.EntityField, Tags: []string{"OLD"}}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `(confluent.field_meta) = { doc: "x", tags: [ "PII" ] }`) || strings.Contains(out, "OLD") {
		t.Errorf("edit of an existing option:\n%s", out)
	}

	for path, want := range map[string]string{
		"Nope.id":     "No matching Message with name 'Nope' found in the schema",
		"Person.nope": "No matching Field with name 'nope' found in the schema",
	} {
		_, err := f.Tag("syntax = \"proto3\";\nmessage Person { string id = 1; }\n", []compat.EntityTags{{Path: path, Type: compat.EntityField, Tags: []string{"X"}}}, nil)
		if err == nil || err.Error() != want {
			t.Errorf("%s: %v, want %s", path, err, want)
		}
	}
}
