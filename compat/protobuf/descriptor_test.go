package protobuf

import (
	"encoding/base64"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"
)

// TestDescriptorWithoutJSONNames pins what Confluent accepts: a base64
// FileDescriptorProto whose fields carry no json_name (as hand-built or
// non-protoc descriptors do). It parses, prints like the .proto text, and
// keeps a json_name that is given.
func TestDescriptorWithoutJSONNames(t *testing.T) {
	field := func(name string, n int32, typ descriptorpb.FieldDescriptorProto_Type) *descriptorpb.FieldDescriptorProto {
		return &descriptorpb.FieldDescriptorProto{Name: proto.String(name), Number: proto.Int32(n), Type: typ.Enum(), Label: descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL.Enum()}
	}
	custom := field("d", 4, descriptorpb.FieldDescriptorProto_TYPE_BOOL)
	custom.JsonName = proto.String("dee")
	fdp := &descriptorpb.FileDescriptorProto{
		Name:    proto.String("anything.proto"),
		Syntax:  proto.String("proto3"),
		Package: proto.String("acme"),
		MessageType: []*descriptorpb.DescriptorProto{{
			Name: proto.String("M"),
			Field: []*descriptorpb.FieldDescriptorProto{
				field("a", 1, descriptorpb.FieldDescriptorProto_TYPE_STRING),
				field("b_c", 2, descriptorpb.FieldDescriptorProto_TYPE_INT32),
				field("e", 3, descriptorpb.FieldDescriptorProto_TYPE_INT64),
				custom,
			},
			NestedType: []*descriptorpb.DescriptorProto{{
				Name:  proto.String("N"),
				Field: []*descriptorpb.FieldDescriptorProto{field("x", 1, descriptorpb.FieldDescriptorProto_TYPE_STRING), field("y", 2, descriptorpb.FieldDescriptorProto_TYPE_STRING)},
			}},
		}},
	}
	b, err := proto.Marshal(fdp)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New().Parse(base64.StdEncoding.EncodeToString(b), nil)
	if err != nil {
		t.Fatalf("a descriptor without json_name is refused: %v", err)
	}
	text := `syntax = "proto3";
package acme;
message M {
  string a = 1;
  int32 b_c = 2;
  int64 e = 3;
  bool d = 4 [json_name = "dee"];
  message N { string x = 1; string y = 2; }
}
`
	fromText, err := New().Parse(text, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Canonical() != fromText.Canonical() {
		t.Errorf("the descriptor prints\n%s\nthe text prints\n%s", s.Canonical(), fromText.Canonical())
	}
}
