package jsonschema

import (
	"testing"
)

func TestOutline(t *testing.T) {
	text := `{"title": "OrderPlaced", "description": "Placed.", "type": "object",
 "properties": {
  "email": {"type": ["string", "null"], "description": "Who.", "confluent:tags": ["PII"], "$comment": "note"},
  "at": {"type": "string", "format": "date-time"},
  "address": {"$ref": "#/definitions/Address"},
  "status": {"enum": ["NEW", "PAID"]}
 },
 "definitions": {"Address": {"type": "object", "properties": {"street": {"type": "string"}}}}}`
	s, err := New().Parse(text, nil)
	if err != nil {
		t.Fatal(err)
	}
	o := s.(*Schema).Outline()
	if o.Root.Kind != "record" || len(o.Records) != 2 || len(o.Enums) != 1 {
		t.Fatalf("outline %+v", o)
	}
	r := o.Records[0]
	if !r.Top || !r.Named || r.Name != "OrderPlaced" || r.Doc.Text != "Placed." || r.Line != 1 || r.Column != 11 {
		t.Errorf("record %+v", r)
	}
	f := r.Fields
	if f[0].Type.Kind != "string" || !f[0].Type.Nullable || f[0].Tags[0] != "PII" || f[0].Doc.Notes[0] != "note" || f[0].Line != 3 || f[0].Column != 3 || f[0].Path != "#/properties/email" {
		t.Errorf("email %+v", f[0])
	}
	if f[1].Type.Logical != "date-time" || f[2].Type.Kind != "record" || f[2].Type.Name != "Address" || f[3].Type.Kind != "enum" {
		t.Errorf("types %+v %+v %+v", f[1].Type, f[2].Type, f[3].Type)
	}
	if a := o.Records[1]; a.Top || a.Name != "Address" || a.Named || a.Path != "#/definitions/Address" {
		t.Errorf("definition %+v", a)
	}
	if e := o.Enums[0]; e.HasDefaultNotion || len(e.Symbols) != 2 || e.Symbols[1].Path != "#/properties/status/enum/1" {
		t.Errorf("enum %+v", e)
	}
}
