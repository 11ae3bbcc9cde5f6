package protobuf

import (
	"testing"
)

func TestOutline(t *testing.T) {
	text := `syntax = "proto3";
package shop;
import "confluent/meta.proto";
import "google/protobuf/timestamp.proto";
import "google/protobuf/wrappers.proto";

// Placed.
message OrderPlaced {
  // Who.
  string email = 1 [(confluent.field_meta).tags = "PII"];
  google.protobuf.Timestamp at = 2; // When.
  optional string note = 3;
  google.protobuf.StringValue coupon = 4;
  Status status = 5;
  message Line { int64 qty = 1; }
  map<string, string> labels = 6;
}
enum Status {
  STATUS_UNSPECIFIED = 0;
  STATUS_NEW = 1;
}
`
	s, err := New().Parse(text, nil)
	if err != nil {
		t.Fatal(err)
	}
	o := s.(*Schema).Outline()
	if len(o.Records) != 2 || len(o.Enums) != 1 || o.Root.Name != "shop.OrderPlaced" {
		t.Fatalf("outline %+v", o)
	}
	r := o.Records[0]
	if !r.Top || r.Doc.Text != "Placed." || r.Line != 8 || r.Column != 1 || o.Records[1].Top {
		t.Errorf("records %+v %+v", r, o.Records[1])
	}
	f := r.Fields
	if f[0].Doc.Text != "Who." || len(f[0].Tags) != 1 || f[0].Tags[0] != "PII" || f[0].Line != 10 || f[0].Column != 3 || f[0].Path != "#/shop.OrderPlaced/1" {
		t.Errorf("email %+v", f[0])
	}
	if f[1].Type.Logical != "google.protobuf.Timestamp" || f[1].Doc.Text != "When." {
		t.Errorf("at %+v", f[1])
	}
	if !f[2].Type.Nullable || !f[3].Type.Nullable || f[3].Type.Kind != "string" || f[4].Type.Kind != "enum" || f[5].Type.Kind != "map" {
		t.Errorf("types %+v %+v %+v %+v", f[2].Type, f[3].Type, f[4].Type, f[5].Type)
	}
	if e := o.Enums[0]; e.Default != "STATUS_UNSPECIFIED" || e.Symbols[1].Line != 20 {
		t.Errorf("enum %+v", e)
	}
}

func TestOutlineTopsAreMessagesNoOtherUses(t *testing.T) {
	s, err := New().Parse(`syntax = "proto3";
package shop;
message Money { int64 cents = 1; }
message OrderPlaced { Money total = 1; }
message OrderShipped { string order_id = 1; }
`, nil)
	if err != nil {
		t.Fatal(err)
	}
	var tops []string
	for _, r := range s.(*Schema).Outline().Records {
		if r.Top {
			tops = append(tops, r.Name)
		}
	}
	if len(tops) != 2 || tops[0] != "OrderPlaced" || tops[1] != "OrderShipped" {
		t.Errorf("tops %v", tops)
	}
}

func TestOutlineDefaultsAndSymbolDocs(t *testing.T) {
	text := `syntax = "proto2";
package shop;

message Order {
  optional string currency = 1 [default = "EUR"];
  optional int32 qty = 2 [default = 1];
  optional double rate = 3 [default = inf];
  optional Status status = 4 [default = STATUS_NEW];
  optional bytes blob = 5 [default = "ab"];
  optional string id = 6;
}
enum Status {
  // Not known yet.
  STATUS_UNSPECIFIED = 0;
  STATUS_NEW = 1; // Placed, not paid.
}
`
	s, err := New().Parse(text, nil)
	if err != nil {
		t.Fatal(err)
	}
	o := s.(*Schema).Outline()
	want := []string{`"EUR"`, `1`, `"Infinity"`, `"STATUS_NEW"`, `"YWI="`, ``}
	for i, f := range o.Records[0].Fields {
		if f.Default != want[i] {
			t.Errorf("field %s default %q, want %q", f.Name, f.Default, want[i])
		}
	}
	syms := o.Enums[0].Symbols
	if syms[0].Doc.Text != "Not known yet." || syms[1].Doc.Text != "Placed, not paid." {
		t.Errorf("symbol docs %q %q", syms[0].Doc.Text, syms[1].Doc.Text)
	}
}

func TestOutlineProto3HasNoDefaults(t *testing.T) {
	s, err := New().Parse("syntax = \"proto3\";\nmessage M { string a = 1; optional int32 b = 2; }\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range s.(*Schema).Outline().Records[0].Fields {
		if f.Default != "" {
			t.Errorf("proto3 field %s has default %q", f.Name, f.Default)
		}
	}
}
