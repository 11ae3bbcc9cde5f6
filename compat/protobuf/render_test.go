package protobuf

import (
	"encoding/base64"
	"testing"

	"github.com/charter-registry/charter/compat"
)

// TestRenderIgnoreExtensions pins Confluent's format=ignore_extensions:
// extension ranges, extend blocks and custom options go; Confluent's own
// options and standard options stay.
func TestRenderIgnoreExtensions(t *testing.T) {
	src := `syntax = "proto2";
package acme;
import "google/protobuf/descriptor.proto";
import "confluent/meta.proto";
option (acme.owner) = "team-a";
extend google.protobuf.FieldOptions { optional string pii = 50001; }
extend google.protobuf.FileOptions { optional string owner = 50002; }
// An order.
message Order {
  option (confluent.message_meta) = { doc: "hi" };
  optional string id = 1 [(pii) = "yes", (confluent.field_meta).doc = "d", deprecated = true];
  extensions 100 to 200;
  message Line { optional string sku = 1 [(pii) = "no"]; extensions 10 to 20; }
}
extend Order { optional int32 x = 100; }
enum Kind { KIND_UNKNOWN = 0; }
`
	s, err := New().Parse(src, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, ok, err := compat.Render(s, "IGNORE_EXTENSIONS")
	if err != nil || !ok {
		t.Fatalf("Render = %v, %v", ok, err)
	}
	want := `syntax = "proto2";

package acme;

import "google/protobuf/descriptor.proto";

import "confluent/meta.proto";

// An order.
message Order {
  option (confluent.message_meta) = { doc: "hi" };

  optional string id = 1 [
    (confluent.field_meta) = { doc: "d" },
    deprecated = true
  ];

  message Line {
    optional string sku = 1;
  }
}

enum Kind {
  KIND_UNKNOWN = 0;
}
`
	if got != want {
		t.Errorf("ignore_extensions:\n%s\nwant:\n%s", got, want)
	}
	if _, err := New().Parse(got, nil); err != nil {
		t.Errorf("the rendering does not parse: %v", err)
	}
}

// TestRenderSerializedRoundTrips checks that format=serialized decodes back
// to the same schema.
func TestRenderSerializedRoundTrips(t *testing.T) {
	f := New()
	s, err := f.Parse("syntax = \"proto3\";\npackage acme;\nmessage A { string a = 1; int32 b = 2; }\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	text, ok, err := compat.Render(s, "serialized")
	if err != nil || !ok {
		t.Fatalf("Render = %v, %v", ok, err)
	}
	b, err := base64.StdEncoding.DecodeString(text)
	if err != nil {
		t.Fatal(err)
	}
	back, err := f.ParseSerialized(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	if back.Normalized() != s.Normalized() {
		t.Errorf("round trip changed the schema:\n%s\nwant\n%s", back.Normalized(), s.Normalized())
	}
	if _, ok, _ := compat.Render(s, "resolved"); ok {
		t.Error("Protobuf claims the Avro-only rendering resolved")
	}
}
