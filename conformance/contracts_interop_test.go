//go:build cgo

package conformance

import (
	"bytes"
	"context"
	"reflect"
	"testing"

	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde/avrov2"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde/jsonschema"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde/protobuf"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/contracts/client"
	contractserde "github.com/charter-registry/charter/contracts/serde"
)

// The interop tests pass bytes both ways between confluent-kafka-go's
// serdes and charter's contracts/serde, through one charter instance:
// confluent's serializer registers the schema, ours decodes its bytes, ours
// encodes with the registered schema and confluent's deserializer decodes
// those. Equal bytes for equal values are checked where both sides encode
// deterministically.

func contractsClient(t *testing.T, srv *registryServer) *client.Client {
	t.Helper()
	cl, err := client.New(client.URLs(srv.URL), client.HTTPClient(srv.HTTPClient()), client.Retries(0))
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

func TestContractsInteropAvro(t *testing.T) {
	ctx := context.Background()
	srv := startRegistry(t)
	theirSer, err := avrov2.NewSerializer(newConfluentClient(t, srv), serde.ValueSerde, avrov2.NewSerializerConfig())
	if err != nil {
		t.Fatal(err)
	}
	theirDe, err := avrov2.NewDeserializer(newConfluentClient(t, srv), serde.ValueSerde, avrov2.NewDeserializerConfig())
	if err != nil {
		t.Fatal(err)
	}
	cl := contractsClient(t, srv)
	ourSer, err := contractserde.NewSerializer(cl, compat.Avro)
	if err != nil {
		t.Fatal(err)
	}
	ourDe, err := contractserde.NewDeserializer(cl, compat.Avro)
	if err != nil {
		t.Fatal(err)
	}
	note := "fragile"
	in := shipment{ID: "s-1", Weight: 2.5, Lines: []shipmentLine{{SKU: "a", Qty: 1}, {SKU: "b", Qty: 1 << 40}}, Note: &note}

	theirs, err := theirSer.Serialize("shipments", &in)
	if err != nil {
		t.Fatal(err)
	}
	var fromTheirs shipment
	if err := ourDe.DeserializeInto(ctx, "shipments", theirs, &fromTheirs); err != nil {
		t.Fatalf("ours reading theirs: %v", err)
	}
	if !reflect.DeepEqual(fromTheirs, in) {
		t.Fatalf("ours read %+v from theirs, want %+v", fromTheirs, in)
	}
	generic, err := ourDe.Deserialize(ctx, "shipments", theirs)
	if err != nil || generic.(map[string]any)["id"] != "s-1" {
		t.Fatalf("ours reading theirs generically: %v, %v", generic, err)
	}

	ours, err := ourSer.Serialize(ctx, "shipments", &in)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ours, theirs) {
		t.Fatalf("ours % x\ntheirs % x", ours, theirs)
	}
	var fromOurs shipment
	if err := theirDe.DeserializeInto("shipments", ours, &fromOurs); err != nil {
		t.Fatalf("theirs reading ours: %v", err)
	}
	if !reflect.DeepEqual(fromOurs, in) {
		t.Fatalf("theirs read %+v from ours, want %+v", fromOurs, in)
	}
}

func TestContractsInteropProtobuf(t *testing.T) {
	ctx := context.Background()
	srv := startRegistry(t)
	srv.requireType(t, "PROTOBUF")
	files := compileProtos(t, map[string]string{moneyProtoName: moneyProto, orderProtoName: orderProto}, orderProtoName)
	types := new(protoregistry.Types)
	for _, name := range []string{"acme.v1.Money", "acme.v1.Order", "acme.v1.Order.Line", "acme.v1.OrderCancelled"} {
		if err := types.RegisterMessage(dynamicpb.NewMessageType(messageDescriptor(t, files, name))); err != nil {
			t.Fatal(err)
		}
	}
	theirSer, err := protobuf.NewSerializer(newConfluentClient(t, srv), serde.ValueSerde, protobuf.NewSerializerConfig())
	if err != nil {
		t.Fatal(err)
	}
	cl := contractsClient(t, srv)
	ourDe, err := contractserde.NewDeserializer(cl, compat.Protobuf)
	if err != nil {
		t.Fatal(err)
	}
	ourSer, err := contractserde.NewSerializer(cl, compat.Protobuf)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ msg, js string }{
		{"acme.v1.Order", `{"id":"o-1","total":{"currency":"EUR","units":"1250"},"tags":["a"],"lines":[{"sku":"x","qty":2}]}`},
		{"acme.v1.OrderCancelled", `{"id":"o-1","reason":"customer asked"}`},
		{"acme.v1.Order.Line", `{"sku":"y","qty":7}`},
	}
	for _, tc := range cases {
		t.Run(tc.msg, func(t *testing.T) {
			in := dynamicMessage(t, messageDescriptor(t, files, tc.msg), tc.js)
			theirs, err := theirSer.Serialize("orders", in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ourDe.Deserialize(ctx, "orders", theirs)
			if err != nil {
				t.Fatalf("ours reading theirs: %v", err)
			}
			if !sameMessage(got.(proto.Message), in) {
				t.Fatalf("ours read %v from theirs, want %v", got, in)
			}
			into := dynamicpb.NewMessage(in.Descriptor())
			if err := ourDe.DeserializeInto(ctx, "orders", theirs, into); err != nil || !proto.Equal(into, in) {
				t.Fatalf("ours into: %v, %v", into, err)
			}

			ours, err := ourSer.Serialize(ctx, "orders", in)
			if err != nil {
				t.Fatal(err)
			}
			// dynamicpb writes fields in no fixed order, so compare the
			// header and message indexes byte for byte and the bodies
			// as messages.
			n := len(theirs) - proto.Size(in)
			if n < 6 || !bytes.Equal(ours[:n], theirs[:n]) {
				t.Fatalf("header and indexes: ours % x, theirs % x", ours[:min(n, len(ours))], theirs[:n])
			}
			theirDe, err := protobuf.NewDeserializer(newConfluentClient(t, srv), serde.ValueSerde, protobuf.NewDeserializerConfig())
			if err != nil {
				t.Fatal(err)
			}
			theirDe.ProtoRegistry = types
			back, err := theirDe.Deserialize("orders", ours)
			if err != nil {
				t.Fatalf("theirs reading ours: %v", err)
			}
			if !sameMessage(back.(proto.Message), in) {
				t.Fatalf("theirs read %v from ours, want %v", back, in)
			}
		})
	}
}

func TestContractsInteropJSONSchema(t *testing.T) {
	ctx := context.Background()
	srv := startRegistry(t)
	srv.requireType(t, "JSON")
	theirSer, err := jsonschema.NewSerializer(newConfluentClient(t, srv), serde.ValueSerde, jsonschema.NewSerializerConfig())
	if err != nil {
		t.Fatal(err)
	}
	theirDe, err := jsonschema.NewDeserializer(newConfluentClient(t, srv), serde.ValueSerde, jsonschema.NewDeserializerConfig())
	if err != nil {
		t.Fatal(err)
	}
	cl := contractsClient(t, srv)
	ourSer, err := contractserde.NewSerializer(cl, compat.JSON)
	if err != nil {
		t.Fatal(err)
	}
	ourDe, err := contractserde.NewDeserializer(cl, compat.JSON)
	if err != nil {
		t.Fatal(err)
	}
	in := person{Name: "Ada", Age: 36, Emails: []string{"ada@example.com"}}
	theirs, err := theirSer.Serialize("people", &in)
	if err != nil {
		t.Fatal(err)
	}
	var fromTheirs person
	if err := ourDe.DeserializeInto(ctx, "people", theirs, &fromTheirs); err != nil || !reflect.DeepEqual(fromTheirs, in) {
		t.Fatalf("ours reading theirs: %+v, %v", fromTheirs, err)
	}
	ours, err := ourSer.Serialize(ctx, "people", &in)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ours, theirs) {
		t.Fatalf("ours %q\ntheirs %q", ours, theirs)
	}
	var fromOurs person
	if err := theirDe.DeserializeInto("people", ours, &fromOurs); err != nil || !reflect.DeepEqual(fromOurs, in) {
		t.Fatalf("theirs reading ours: %+v, %v", fromOurs, err)
	}
	// Both refuse a value the registered schema does not allow.
	if _, err := ourSer.Serialize(ctx, "people", map[string]any{"name": "Ada", "age": "old", "emails": []string{}}); contractserde.KindOf(err) != contractserde.KindValidation {
		t.Fatalf("ours accepted age \"old\": %v", err)
	}
}

// sameMessage compares messages whose descriptors may be different
// instances of one schema: same full name, same deterministic bytes.
func sameMessage(a, b proto.Message) bool {
	if a.ProtoReflect().Descriptor().FullName() != b.ProtoReflect().Descriptor().FullName() {
		return false
	}
	o := proto.MarshalOptions{Deterministic: true}
	x, err1 := o.Marshal(a)
	y, err2 := o.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}
