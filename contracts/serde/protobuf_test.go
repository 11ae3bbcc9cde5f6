package serde_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/bufbuild/protocompile"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/contracts/client"
	"github.com/charter-registry/charter/contracts/serde"
)

var protoSources = map[string]string{
	"acme/v1/money.proto": `syntax = "proto3";
package acme.v1;
message Money { string currency = 1; int64 units = 2; }
`,
	"acme/v1/order.proto": `syntax = "proto3";
package acme.v1;
import "acme/v1/money.proto";
message Order {
  string id = 1;
  acme.v1.Money total = 2;
  repeated Line lines = 3;
  message Line { string sku = 1; int32 qty = 2; }
}
message OrderCancelled { string id = 1; string reason = 2; }
`,
}

func compileOrder(t testing.TB) protoreflect.FileDescriptor {
	t.Helper()
	c := protocompile.Compiler{Resolver: protocompile.WithStandardImports(&protocompile.SourceResolver{Accessor: protocompile.SourceAccessorFromMap(protoSources)})}
	files, err := c.Compile(context.Background(), "acme/v1/order.proto")
	if err != nil {
		t.Fatal(err)
	}
	return files[0]
}

func dynamic(t testing.TB, fd protoreflect.FileDescriptor, name, js string) *dynamicpb.Message {
	t.Helper()
	d := fd.Messages().ByName(protoreflect.Name(name))
	if d == nil {
		d = fd.Messages().ByName("Order").Messages().ByName(protoreflect.Name(name))
	}
	m := dynamicpb.NewMessage(d)
	if err := protojson.Unmarshal([]byte(js), m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestProtobufAutoRegisterAndIndexes(t *testing.T) {
	ctx := context.Background()
	cl := startRegistry(t)
	fd := compileOrder(t)
	ser, err := serde.NewSerializer(cl, compat.Protobuf, serde.AutoRegister())
	if err != nil {
		t.Fatal(err)
	}
	de, err := serde.NewDeserializer(cl, compat.Protobuf)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		msg, js string
		indexes []byte
	}{
		{"Order", `{"id":"o-1","total":{"currency":"EUR","units":"1250"},"lines":[{"sku":"x","qty":2}]}`, []byte{0}},
		{"OrderCancelled", `{"id":"o-1","reason":"asked"}`, []byte{2, 2}},
		{"Line", `{"sku":"y","qty":7}`, []byte{4, 0, 0}},
	}
	for _, tc := range cases {
		t.Run(tc.msg, func(t *testing.T) {
			in := dynamic(t, fd, tc.msg, tc.js)
			b, err := ser.Serialize(ctx, "orders", in)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(b[serde.HeaderSize:], tc.indexes) {
				t.Fatalf("indexes % x, want % x", b[serde.HeaderSize:], tc.indexes)
			}
			out, err := de.Deserialize(ctx, "orders", b)
			if err != nil {
				t.Fatal(err)
			}
			if !sameProto(t, out.(proto.Message), in) {
				t.Fatalf("round trip %v, want %v", out, in)
			}
			into := dynamicpb.NewMessage(in.Descriptor())
			if err := de.DeserializeInto(ctx, "orders", b, into); err != nil || !proto.Equal(into, in) {
				t.Fatalf("into: %v, %v", into, err)
			}
		})
	}
	money, err := cl.Latest(ctx, "acme/v1/money.proto")
	if err != nil {
		t.Fatalf("the import was not registered under its path: %v", err)
	}
	order, err := cl.Latest(ctx, "orders-value")
	if err != nil || len(order.References) != 1 || order.References[0] != (client.Reference{Name: "acme/v1/money.proto", Subject: "acme/v1/money.proto", Version: money.Version}) {
		t.Fatalf("orders-value = %+v, %v", order, err)
	}
}

func TestProtobufMessageNotInSchema(t *testing.T) {
	ctx := context.Background()
	cl := startRegistry(t)
	fd := compileOrder(t)
	register(t, cl, "orders-value", client.Schema{SchemaType: compat.Protobuf, Schema: `syntax = "proto3"; package other; message Thing { string id = 1; }`})
	ser, err := serde.NewSerializer(cl, compat.Protobuf)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ser.Serialize(ctx, "orders", dynamic(t, fd, "OrderCancelled", `{"id":"x"}`))
	if serde.KindOf(err) != serde.KindSchema {
		t.Fatalf("err = %v, want a schema error", err)
	}
	de, _ := serde.NewDeserializer(cl, compat.Protobuf)
	into := dynamic(t, fd, "OrderCancelled", `{}`)
	thing := append(serde.AppendHeader(nil, 1), 0, 0x0a, 1, 'x')
	if err := de.DeserializeInto(ctx, "orders", thing, into); serde.KindOf(err) != serde.KindDecode {
		t.Fatalf("decoding other.Thing into acme.v1.OrderCancelled: err = %v", err)
	}
	var se *serde.Error
	if errors.As(err, &se); se == nil || se.SchemaID != 1 {
		t.Fatalf("err = %#v", err)
	}
}

// sameProto compares messages that may come from different descriptors
// of the same schema: same full name and same deterministic encoding.
func sameProto(t testing.TB, a, b proto.Message) bool {
	t.Helper()
	if a.ProtoReflect().Descriptor().FullName() != b.ProtoReflect().Descriptor().FullName() {
		return false
	}
	o := proto.MarshalOptions{Deterministic: true}
	x, err1 := o.Marshal(a)
	y, err2 := o.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}
