//go:build cgo

package conformance

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"github.com/bufbuild/protocompile"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde/protobuf"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"
)

// The Protobuf sources: order.proto imports money.proto, which confluent's
// serializer registers as a subject of its own (named after the file) and
// references from the order schema.
const (
	moneyProtoName = "acme/v1/money.proto"
	moneyProto     = `syntax = "proto3";
package acme.v1;

message Money {
  string currency = 1;
  int64 units = 2;
}
`
	orderProtoName = "acme/v1/order.proto"
	orderProto     = `syntax = "proto3";
package acme.v1;

import "acme/v1/money.proto";

message Order {
  string id = 1;
  acme.v1.Money total = 2;
  repeated string tags = 3;
  repeated Line lines = 4;

  message Line {
    string sku = 1;
    int32 qty = 2;
  }
}

message OrderCancelled {
  string id = 1;
  string reason = 2;
}
`
)

// compileProtos compiles sources at run time, standing in for generated code:
// confluent's serde takes any proto.Message, and dynamicpb messages are ones.
func compileProtos(t *testing.T, sources map[string]string, names ...string) *protoregistry.Files {
	t.Helper()
	c := protocompile.Compiler{Resolver: &protocompile.SourceResolver{Accessor: protocompile.SourceAccessorFromMap(sources)}}
	linked, err := c.Compile(context.Background(), names...)
	if err != nil {
		t.Fatalf("compile %v: %v", names, err)
	}
	set := &descriptorpb.FileDescriptorSet{}
	seen := map[string]bool{}
	var add func(fd protoreflect.FileDescriptor)
	add = func(fd protoreflect.FileDescriptor) {
		if seen[fd.Path()] {
			return
		}
		seen[fd.Path()] = true
		for i := 0; i < fd.Imports().Len(); i++ {
			add(fd.Imports().Get(i).FileDescriptor)
		}
		set.File = append(set.File, protodesc.ToFileDescriptorProto(fd))
	}
	for _, f := range linked {
		add(f)
	}
	files, err := protodesc.NewFiles(set)
	if err != nil {
		t.Fatalf("build descriptors: %v", err)
	}
	return files
}

func messageDescriptor(t *testing.T, files *protoregistry.Files, name string) protoreflect.MessageDescriptor {
	t.Helper()
	d, err := files.FindDescriptorByName(protoreflect.FullName(name))
	if err != nil {
		t.Fatalf("find %s: %v", name, err)
	}
	md, ok := d.(protoreflect.MessageDescriptor)
	if !ok {
		t.Fatalf("%s is a %T, not a message", name, d)
	}
	return md
}

// dynamicMessage builds a message of md from its protojson form.
func dynamicMessage(t *testing.T, md protoreflect.MessageDescriptor, js string) *dynamicpb.Message {
	t.Helper()
	m := dynamicpb.NewMessage(md)
	if err := protojson.Unmarshal([]byte(js), m); err != nil {
		t.Fatalf("protojson %s: %v", js, err)
	}
	return m
}

func TestConfluentSerdeProtobufRoundTrip(t *testing.T) {
	srv := startRegistry(t)
	srv.requireType(t, "PROTOBUF")

	files := compileProtos(t, map[string]string{moneyProtoName: moneyProto, orderProtoName: orderProto}, orderProtoName)
	types := new(protoregistry.Types)
	for _, name := range []string{"acme.v1.Money", "acme.v1.Order", "acme.v1.Order.Line", "acme.v1.OrderCancelled"} {
		if err := types.RegisterMessage(dynamicpb.NewMessageType(messageDescriptor(t, files, name))); err != nil {
			t.Fatal(err)
		}
	}

	ser, err := protobuf.NewSerializer(newConfluentClient(t, srv), serde.ValueSerde, protobuf.NewSerializerConfig())
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name string
		msg  string
		js   string
		// wantIndexes is the message-index prefix after the 5-byte header:
		// zig-zag varints, with [0] shortened to a single 0.
		wantIndexes []byte
	}{
		{"first message", "acme.v1.Order", `{"id":"o-1","total":{"currency":"EUR","units":"1250"},"tags":["a","b"],"lines":[{"sku":"x","qty":2}]}`, []byte{0x00}},
		{"second message", "acme.v1.OrderCancelled", `{"id":"o-1","reason":"customer asked"}`, []byte{0x02, 0x02}},
		{"nested message", "acme.v1.Order.Line", `{"sku":"y","qty":7}`, []byte{0x04, 0x00, 0x00}},
	}
	var orderID int
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := dynamicMessage(t, messageDescriptor(t, files, tc.msg), tc.js)
			payload, err := ser.Serialize("orders", in)
			if err != nil {
				t.Fatalf("Serialize: %v", err)
			}

			admin := newConfluentClient(t, srv)
			md, err := admin.GetLatestSchemaMetadata("orders-value")
			if err != nil {
				t.Fatalf("orders-value was not registered: %v", err)
			}
			wantRefs := []schemaregistry.Reference{{Name: moneyProtoName, Subject: moneyProtoName, Version: 1}}
			if md.SchemaType != "PROTOBUF" || md.Version != 1 || !slices.Equal(md.References, wantRefs) {
				t.Fatalf("orders-value = type %q version %d refs %+v, want PROTOBUF version 1 refs %+v", md.SchemaType, md.Version, md.References, wantRefs)
			}
			if orderID != 0 && md.ID != orderID {
				t.Fatalf("the same file registered again as id %d, first as %d", md.ID, orderID)
			}
			orderID = md.ID
			subjects, err := admin.GetAllSubjects()
			if err != nil || !slices.Equal(subjects, []string{moneyProtoName, "orders-value"}) {
				t.Fatalf("subjects = %q, %v; want the imported file's subject and orders-value", subjects, err)
			}

			requireWireID(t, payload, md.ID)
			if !bytes.HasPrefix(payload[5:], tc.wantIndexes) {
				t.Fatalf("message indexes % x, want % x", payload[5:min(len(payload), 5+len(tc.wantIndexes))], tc.wantIndexes)
			}
			body := dynamicpb.NewMessage(in.Descriptor())
			if err := proto.Unmarshal(payload[5+len(tc.wantIndexes):], body); err != nil || !proto.Equal(body, in) {
				t.Fatalf("payload body decodes as %v, %v; want %v", body, err, in)
			}

			de, err := protobuf.NewDeserializer(newConfluentClient(t, srv), serde.ValueSerde, protobuf.NewDeserializerConfig())
			if err != nil {
				t.Fatal(err)
			}
			de.ProtoRegistry = types
			out, err := de.Deserialize("orders", payload)
			if err != nil {
				t.Fatalf("Deserialize: %v", err)
			}
			pm, ok := out.(proto.Message)
			if !ok {
				t.Fatalf("Deserialize returned %T", out)
			}
			if got := pm.ProtoReflect().Descriptor().FullName(); got != protoreflect.FullName(tc.msg) {
				t.Fatalf("Deserialize chose %s from charter's schema and the indexes, want %s", got, tc.msg)
			}
			if !proto.Equal(pm, in) {
				t.Fatalf("round trip = %v, want %v", pm, in)
			}
		})
	}
}

// TestConfluentSerdeProtobufUseLatestVersion registers the imported file and
// the importing one by hand, the way a CI pipeline would, and lets the
// serializer take the latest version from charter.
func TestConfluentSerdeProtobufUseLatestVersion(t *testing.T) {
	srv := startRegistry(t)
	srv.requireType(t, "PROTOBUF")

	admin := newConfluentClient(t, srv)
	mustRegister(t, admin, "money-value", schemaregistry.SchemaInfo{Schema: moneyProto, SchemaType: "PROTOBUF"})
	ref := schemaregistry.Reference{Name: moneyProtoName, Subject: "money-value", Version: 1}
	id := mustRegister(t, admin, "orders-value", schemaregistry.SchemaInfo{Schema: orderProto, SchemaType: "PROTOBUF", References: []schemaregistry.Reference{ref}})

	t.Run("an import without its reference is invalid", func(t *testing.T) {
		_, err := admin.Register("broken-value", schemaregistry.SchemaInfo{Schema: orderProto, SchemaType: "PROTOBUF"}, false)
		requireConfluentCode(t, err, codeInvalidSchema)
	})

	files := compileProtos(t, map[string]string{moneyProtoName: moneyProto, orderProtoName: orderProto}, orderProtoName)
	cfg := protobuf.NewSerializerConfig()
	cfg.AutoRegisterSchemas = false
	cfg.UseLatestVersion = true
	ser, err := protobuf.NewSerializer(newConfluentClient(t, srv), serde.ValueSerde, cfg)
	if err != nil {
		t.Fatal(err)
	}
	in := dynamicMessage(t, messageDescriptor(t, files, "acme.v1.Order"), `{"id":"o-2","total":{"currency":"USD","units":"5"}}`)
	payload, err := ser.Serialize("orders", in)
	if err != nil {
		t.Fatalf("Serialize: %v", err)
	}
	requireWireID(t, payload, id)

	de, err := protobuf.NewDeserializer(newConfluentClient(t, srv), serde.ValueSerde, protobuf.NewDeserializerConfig())
	if err != nil {
		t.Fatal(err)
	}
	out := dynamicpb.NewMessage(in.Descriptor())
	if err := de.DeserializeInto("orders", payload, out); err != nil {
		t.Fatalf("DeserializeInto: %v", err)
	}
	if !proto.Equal(out, in) {
		t.Fatalf("round trip = %v, want %v", out, in)
	}
}
