package avro

import (
	"testing"
)

func TestOutline(t *testing.T) {
	text := `{"type": "record", "name": "OrderPlaced", "namespace": "shop", "doc": "Placed.",
 "fields": [
  {"name": "email", "type": ["null", "string"], "doc": "Who.", "confluent:tags": ["PII"]},
  {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
  {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["UNKNOWN", "NEW"], "default": "UNKNOWN"}},
  {"name": "again", "type": "Status"}
 ]}`
	s, err := New().Parse(text, nil)
	if err != nil {
		t.Fatal(err)
	}
	o := s.(*Schema).Outline()
	if o.Root.Kind != "record" || o.Root.Name != "shop.OrderPlaced" || len(o.Records) != 1 || len(o.Enums) != 1 {
		t.Fatalf("outline %+v", o)
	}
	r := o.Records[0]
	if !r.Top || !r.Named || r.Name != "OrderPlaced" || r.Doc.Text != "Placed." || r.Line != 1 || r.Column != 28 {
		t.Errorf("record %+v", r)
	}
	email := r.Fields[0]
	if email.Type.Kind != "string" || !email.Type.Nullable || email.Tags[0] != "PII" || email.Path != "/fields/0" || email.Line != 3 || email.Column != 3 {
		t.Errorf("email %+v", email)
	}
	if at := r.Fields[1].Type; at.Kind != "long" || at.Logical != "timestamp-millis" {
		t.Errorf("at %+v", at)
	}
	if again := r.Fields[3].Type; again.Kind != "enum" || again.Name != "shop.Status" {
		t.Errorf("a reference to the enum: %+v", again)
	}
	e := o.Enums[0]
	if e.Default != "UNKNOWN" || len(e.Symbols) != 2 || e.Symbols[1].Name != "NEW" || e.Symbols[1].Line != 5 || e.Symbols[1].Path != "/fields/2/type/symbols/1" {
		t.Errorf("enum %+v", e)
	}
}

func TestOutlineDefaults(t *testing.T) {
	text := `{"type": "record", "name": "Order", "fields": [
  {"name": "total", "type": "double", "default": 0.0},
  {"name": "note", "type": ["null", "string"], "default": null},
  {"name": "labels", "type": {"type": "map", "values": "string"}, "default": {"b": "x", "a": "y"}},
  {"name": "name", "type": "string", "default": ""},
  {"name": "id", "type": "string"}
 ]}`
	s, err := New().Parse(text, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`0.0`, `null`, `{"b":"x","a":"y"}`, `""`, ``}
	for i, f := range s.(*Schema).Outline().Records[0].Fields {
		if f.Default != want[i] {
			t.Errorf("field %s default %q, want %q", f.Name, f.Default, want[i])
		}
	}
}
