package serde_test

import (
	"context"
	"testing"

	havro "github.com/hamba/avro/v2"
	"github.com/jhump/protoreflect/v2/protoprint"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/apipb"
	"google.golang.org/protobuf/types/known/typepb"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/contracts/client"
	"github.com/charter-registry/charter/contracts/serde"
)

// The benchmarks compare the cache-hit path of the serde with the raw
// encoding it wraps, in the same run: hamba/avro Marshal/Unmarshal with the
// same parsed schema, and proto.Marshal/Unmarshal of a generated message.

func benchPayment() payment {
	note := "fragile"
	return payment{ID: "p-0001", Amount: 1234.5, Note: &note, Tags: []string{"a", "bb", "ccc"}}
}

func BenchmarkAvroSerialize(b *testing.B) {
	ctx := context.Background()
	cl := startRegistry(b)
	reg := register(b, cl, "payments-value", client.Schema{Schema: paymentAvro})
	schema := havro.MustParse(paymentAvro)
	api := havro.Config{}.Freeze()
	v := benchPayment()
	b.Run("raw-hamba", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := api.Marshal(schema, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, mode := range []struct {
		name string
		opt  serde.SerializerOpt
	}{{"contracts-id", serde.UseSchemaID(reg.ID)}, {"contracts-latest", serde.UseLatest()}} {
		ser, err := serde.NewSerializer(cl, compat.Avro, mode.opt)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ser.Serialize(ctx, "payments", &v); err != nil {
			b.Fatal(err)
		}
		b.Run(mode.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ser.Serialize(ctx, "payments", &v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkAvroDeserialize(b *testing.B) {
	ctx := context.Background()
	cl := startRegistry(b)
	register(b, cl, "payments-value", client.Schema{Schema: paymentAvro})
	schema := havro.MustParse(paymentAvro)
	api := havro.Config{MaxByteSliceSize: serde.DefaultMaxByteSliceSize, MaxSliceAllocSize: serde.DefaultMaxByteSliceSize}.Freeze()
	v := benchPayment()
	ser, _ := serde.NewSerializer(cl, compat.Avro)
	payload, err := ser.Serialize(ctx, "payments", &v)
	if err != nil {
		b.Fatal(err)
	}
	body := payload[serde.HeaderSize:]
	de, _ := serde.NewDeserializer(cl, compat.Avro)
	b.Run("raw-hamba", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var out payment
			if err := api.Unmarshal(schema, body, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("contracts", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var out payment
			if err := de.DeserializeInto(ctx, "payments", payload, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func benchMethod() *apipb.Method {
	return &apipb.Method{Name: "CreateOrder", RequestTypeUrl: "type.googleapis.com/acme.v1.CreateOrderRequest",
		ResponseTypeUrl: "type.googleapis.com/acme.v1.Order", ResponseStreaming: true,
		Options: []*typepb.Option{{Name: "idempotency_level"}}}
}

func protoBench(b *testing.B) (*client.Client, int, context.Context) {
	cl := startRegistry(b)
	text, err := (&protoprint.Printer{}).PrintProtoToString(apipb.File_google_protobuf_api_proto)
	if err != nil {
		b.Fatal(err)
	}
	reg := register(b, cl, "methods-value", client.Schema{SchemaType: compat.Protobuf, Schema: text})
	return cl, reg.ID, context.Background()
}

func BenchmarkProtobufSerialize(b *testing.B) {
	cl, id, ctx := protoBench(b)
	m := benchMethod()
	b.Run("raw-proto", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := proto.Marshal(m); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, mode := range []struct {
		name string
		opt  serde.SerializerOpt
	}{{"contracts-id", serde.UseSchemaID(id)}, {"contracts-latest", serde.UseLatest()}} {
		ser, err := serde.NewSerializer(cl, compat.Protobuf, mode.opt)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ser.Serialize(ctx, "methods", m); err != nil {
			b.Fatal(err)
		}
		b.Run(mode.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ser.Serialize(ctx, "methods", m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkProtobufDeserialize(b *testing.B) {
	cl, _, ctx := protoBench(b)
	m := benchMethod()
	ser, _ := serde.NewSerializer(cl, compat.Protobuf)
	payload, err := ser.Serialize(ctx, "methods", m)
	if err != nil {
		b.Fatal(err)
	}
	raw, _ := proto.Marshal(m)
	de, _ := serde.NewDeserializer(cl, compat.Protobuf)
	b.Run("raw-proto", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var out apipb.Method
			if err := proto.Unmarshal(raw, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("contracts", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var out apipb.Method
			if err := de.DeserializeInto(ctx, "methods", payload, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkAvroSerializeWithRule measures a write under a CEL condition,
// which sees the value in its generic form.
func BenchmarkAvroSerializeWithRule(b *testing.B) {
	ctx := context.Background()
	cl := startRegistry(b)
	register(b, cl, "payments-value", client.Schema{Schema: paymentAvro, RuleSet: &client.RuleSet{DomainRules: []client.Rule{
		{Name: "positive", Kind: "CONDITION", Mode: "WRITE", Type: "CEL", Expr: "message.amount > 0.0"},
	}}})
	v := benchPayment()
	ser, _ := serde.NewSerializer(cl, compat.Avro)
	for _, tc := range []struct {
		name string
		v    any
	}{{"struct", &v}, {"map", map[string]any{"id": "p-0001", "amount": 1234.5, "note": "fragile", "tags": []any{"a", "bb", "ccc"}}}} {
		if _, err := ser.Serialize(ctx, "payments", tc.v); err != nil {
			b.Fatal(err)
		}
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ser.Serialize(ctx, "payments", tc.v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
