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

func TestOutlineDefaultsAndSymbolDocs(t *testing.T) {
	text := `{"title": "Order", "type": "object", "properties": {
  "currency": {"type": "string", "default": "EUR"},
  "limits": {"type": "object", "default": {"max": 10.50, "tags": ["a"]}},
  "id": {"type": "string"},
  "status": {"description": "Where the order is.", "oneOf": [
    {"const": "NEW", "description": "Placed, not paid."},
    {"const": "PAID", "title": "Paid in full."},
    {"const": "GONE"}
  ]}
 }}`
	s, err := New().Parse(text, nil)
	if err != nil {
		t.Fatal(err)
	}
	o := s.(*Schema).Outline()
	f := o.Records[0].Fields
	if f[0].Default != `"EUR"` || f[1].Default != `{"max":10.50,"tags":["a"]}` || f[2].Default != "" {
		t.Errorf("defaults %q %q %q", f[0].Default, f[1].Default, f[2].Default)
	}
	if f[3].Type.Kind != "enum" || f[3].Type.Name != "status" || f[3].Doc.Text != "Where the order is." {
		t.Errorf("status field %+v", f[3])
	}
	if len(o.Enums) != 1 {
		t.Fatalf("enums %+v", o.Enums)
	}
	e := o.Enums[0]
	got := [][2]string{}
	for _, s := range e.Symbols {
		got = append(got, [2]string{s.Name, s.Doc.Text})
	}
	want := [][2]string{{"NEW", "Placed, not paid."}, {"PAID", "Paid in full."}, {"GONE", ""}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("symbols %v, want %v", got, want)
	}
	if e.Symbols[1].Path != "#/properties/status/oneOf/1/const" || e.Symbols[1].Line != 7 {
		t.Errorf("symbol position %+v", e.Symbols[1].Pos)
	}
}
