package serde_test

import (
	"context"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/contracts/client"
	"github.com/charter-registry/charter/contracts/serde"
)

func FuzzParseHeader(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 1, 2})
	f.Add([]byte{1})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		id, rest, err := serde.ParseHeader(b)
		if err != nil {
			return
		}
		if len(rest) != len(b)-serde.HeaderSize || b[0] != 0 {
			t.Fatalf("accepted % x as id %d", b, id)
		}
		if again := serde.AppendHeader(nil, id); string(again) != string(b[:serde.HeaderSize]) {
			t.Fatalf("id %d re-encodes as % x, read from % x", id, again, b[:serde.HeaderSize])
		}
	})
}

// fuzzDeserializer registers schema under topic "f" and returns a
// deserializer plus the schema's wire header; every fuzzed body goes after
// that header, so the decoder, not the registry, sees the corruption.
func fuzzDeserializer(f *testing.F, format compat.Type, schema string) (*serde.Deserializer, *serde.Serializer, []byte) {
	cl := startRegistry(f)
	reg := register(f, cl, "f-value", client.Schema{SchemaType: format, Schema: schema})
	de, err := serde.NewDeserializer(cl, format, serde.MaxByteSliceSize(1<<16))
	if err != nil {
		f.Fatal(err)
	}
	ser, err := serde.NewSerializer(cl, format)
	if err != nil {
		f.Fatal(err)
	}
	return de, ser, serde.AppendHeader(nil, reg.ID)
}

func checkKind(t *testing.T, err error) {
	switch serde.KindOf(err) {
	case "", serde.KindDecode, serde.KindBadMagic:
	default:
		t.Fatalf("unexpected error kind: %v", err)
	}
}

func FuzzAvroDeserialize(f *testing.F) {
	de, ser, hdr := fuzzDeserializer(f, compat.Avro, paymentAvro)
	good, err := ser.Serialize(context.Background(), "f", map[string]any{"id": "x", "amount": 1.5, "note": "n", "tags": []any{"a"}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good[serde.HeaderSize:])
	f.Add([]byte{0x02, 'x'})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, body []byte) {
		data := append(append([]byte(nil), hdr...), body...)
		_, err := de.Deserialize(context.Background(), "f", data)
		checkKind(t, err)
		var p payment
		checkKind(t, de.DeserializeInto(context.Background(), "f", data, &p))
	})
}

func FuzzProtobufDeserialize(f *testing.F) {
	de, _, hdr := fuzzDeserializer(f, compat.Protobuf, protoSources["acme/v1/money.proto"])
	fd := compileOrder(f)
	m := dynamic(f, fd.Imports().Get(0).FileDescriptor, "Money", `{"currency":"EUR","units":"5"}`)
	b, err := proto.Marshal(m)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(append([]byte{0}, b...))
	f.Add([]byte{2, 2, 0x0a})
	f.Add([]byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x01})
	f.Fuzz(func(t *testing.T, body []byte) {
		data := append(append([]byte(nil), hdr...), body...)
		_, err := de.Deserialize(context.Background(), "f", data)
		checkKind(t, err)
	})
}

func FuzzJSONDeserialize(f *testing.F) {
	de, _, hdr := fuzzDeserializer(f, compat.JSON, paymentJSON)
	f.Add([]byte(`{"id":"p","amount":1,"lines":[{"qty":1}]}`))
	f.Add([]byte(`{"id":`))
	f.Add([]byte(`[[[[[[[[1]]]]]]]]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		data := append(append([]byte(nil), hdr...), body...)
		_, err := de.Deserialize(context.Background(), "f", data)
		checkKind(t, err)
		var p jsonPayment
		checkKind(t, de.DeserializeInto(context.Background(), "f", data, &p))
	})
}
