package serde_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/contracts/client"
	"github.com/charter-registry/charter/contracts/serde"
	"github.com/charter-registry/charter/internal/poll"
)

const paymentAvro = `{"type":"record","name":"Payment","namespace":"acme","fields":[
 {"name":"id","type":"string"},
 {"name":"amount","type":"double"},
 {"name":"note","type":["null","string"],"default":null},
 {"name":"tags","type":{"type":"array","items":"string"}}
]}`

type payment struct {
	ID     string   `avro:"id"`
	Amount float64  `avro:"amount"`
	Note   *string  `avro:"note"`
	Tags   []string `avro:"tags"`
}

func TestAvroGenericRoundTrip(t *testing.T) {
	ctx := context.Background()
	cl := startRegistry(t)
	reg := register(t, cl, "payments-value", client.Schema{Schema: paymentAvro})

	ser, err := serde.NewSerializer(cl, compat.Avro)
	if err != nil {
		t.Fatal(err)
	}
	de, err := serde.NewDeserializer(cl, compat.Avro)
	if err != nil {
		t.Fatal(err)
	}
	in := map[string]any{"id": "p-1", "amount": 12.5, "note": "hi", "tags": []any{"a", "b"}}
	b, err := ser.Serialize(ctx, "payments", in)
	if err != nil {
		t.Fatal(err)
	}
	if id, err := serde.SchemaID(b); err != nil || id != reg.ID {
		t.Fatalf("payload id %d, %v; want %d", id, err, reg.ID)
	}
	out, err := de.Deserialize(ctx, "payments", b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(out, in) {
		t.Fatalf("round trip = %#v, want %#v", out, in)
	}

	var got payment
	if err := de.DeserializeInto(ctx, "payments", b, &got); err != nil {
		t.Fatal(err)
	}
	if got.ID != "p-1" || got.Amount != 12.5 || got.Note == nil || *got.Note != "hi" || len(got.Tags) != 2 {
		t.Fatalf("into struct = %+v", got)
	}
}

func TestAvroStructMatchesGenericBytes(t *testing.T) {
	ctx := context.Background()
	cl := startRegistry(t)
	register(t, cl, "payments-value", client.Schema{Schema: paymentAvro})
	ser, err := serde.NewSerializer(cl, compat.Avro)
	if err != nil {
		t.Fatal(err)
	}
	note := "hi"
	fromStruct, err := ser.Serialize(ctx, "payments", payment{ID: "p-1", Amount: 12.5, Note: &note, Tags: []string{"a", "b"}})
	if err != nil {
		t.Fatal(err)
	}
	fromMap, err := ser.Serialize(ctx, "payments", map[string]any{"id": "p-1", "amount": 12.5, "note": "hi", "tags": []any{"a", "b"}})
	if err != nil {
		t.Fatal(err)
	}
	if string(fromStruct) != string(fromMap) {
		t.Fatalf("struct % x != map % x", fromStruct, fromMap)
	}
}

func TestAvroValidationNamesThePath(t *testing.T) {
	ctx := context.Background()
	cl := startRegistry(t)
	register(t, cl, "payments-value", client.Schema{Schema: paymentAvro})
	ser, err := serde.NewSerializer(cl, compat.Avro)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		v    map[string]any
		want string
	}{
		{"wrong type", map[string]any{"id": "p", "amount": "12", "tags": []any{}}, "$.amount: expected double, got string"},
		{"missing field", map[string]any{"id": "p", "tags": []any{}}, "$.amount: missing required field of type double"},
		{"array item", map[string]any{"id": "p", "amount": 1.0, "tags": []any{"a", 3}}, "$.tags[1]: expected string, got int"},
		{"union branch", map[string]any{"id": "p", "amount": 1.0, "note": 7, "tags": []any{}}, "$.note: expected one of null, string, got int"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ser.Serialize(ctx, "payments", tc.v)
			var se *serde.Error
			if !errors.As(err, &se) || se.Kind != serde.KindValidation {
				t.Fatalf("err = %v, want a validation error", err)
			}
			var ve *serde.ValidationError
			if !errors.As(err, &ve) || !strings.Contains(ve.Error(), tc.want) {
				t.Fatalf("err = %v, want it to say %q", err, tc.want)
			}
		})
	}
}

func TestSubjectNameStrategies(t *testing.T) {
	ctx := context.Background()
	cl := startRegistry(t)
	cases := []struct {
		strategy serde.SubjectNameStrategy
		subject  string
	}{
		{serde.TopicName, "orders-value"},
		{serde.RecordName, "acme.Payment"},
		{serde.TopicRecordName, "orders-acme.Payment"},
	}
	for _, tc := range cases {
		t.Run(tc.subject, func(t *testing.T) {
			ser, err := serde.NewSerializer(cl, compat.Avro, serde.SubjectNames(tc.strategy),
				serde.WithSchema(client.Schema{Schema: paymentAvro}), serde.AutoRegister())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ser.Serialize(ctx, "orders", map[string]any{"id": "x", "amount": 1.0, "tags": []any{}}); err != nil {
				t.Fatal(err)
			}
			if _, err := cl.Latest(ctx, tc.subject); err != nil {
				t.Fatalf("subject %s was not registered: %v", tc.subject, err)
			}
		})
	}
}

func TestAutoRegisterIsOffByDefault(t *testing.T) {
	ctx := context.Background()
	cl := startRegistry(t)
	ser, err := serde.NewSerializer(cl, compat.Avro, serde.WithSchema(client.Schema{Schema: paymentAvro}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = ser.Serialize(ctx, "orders", map[string]any{"id": "x", "amount": 1.0, "tags": []any{}})
	if client.Code(err) != client.CodeSubjectNotFound {
		t.Fatalf("err = %v (code %d), want the registry's 40401", err, client.Code(err))
	}
	if _, err := cl.Latest(ctx, "orders-value"); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("the serializer registered a schema: %v", err)
	}
}

func TestUseSchemaIDAndLatestWithMetadata(t *testing.T) {
	ctx := context.Background()
	cl := startRegistry(t)
	v1 := register(t, cl, "payments-value", client.Schema{Schema: paymentAvro, Metadata: &client.Metadata{Properties: map[string]string{"major": "1"}}})
	v2text := strings.Replace(paymentAvro, `"fields":[`, `"fields":[{"name":"extra","type":"int","default":0},`, 1)
	v2 := register(t, cl, "payments-value", client.Schema{Schema: v2text, Metadata: &client.Metadata{Properties: map[string]string{"major": "2"}}})
	if v1.ID == v2.ID {
		t.Fatal("two versions got one id")
	}
	value := map[string]any{"id": "x", "amount": 1.0, "tags": []any{}, "extra": 1}
	for _, tc := range []struct {
		name string
		opt  serde.SerializerOpt
		want int
	}{
		{"fixed id", serde.UseSchemaID(v1.ID), v1.ID},
		{"latest", serde.UseLatest(), v2.ID},
		{"latest with metadata", serde.UseLatestWithMetadata(map[string]string{"major": "1"}), v1.ID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ser, err := serde.NewSerializer(cl, compat.Avro, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			b, err := ser.Serialize(ctx, "payments", value)
			if err != nil {
				t.Fatal(err)
			}
			if id, _ := serde.SchemaID(b); id != tc.want {
				t.Fatalf("id %d, want %d", id, tc.want)
			}
		})
	}
}

// TestLatestIsLookedAtAgainAfterTheTTL: a serializer on the latest version
// moves to a newer version once the client's LatestTTL has passed.
func TestLatestIsLookedAtAgainAfterTheTTL(t *testing.T) {
	ctx := context.Background()
	cl := startRegistry(t, client.LatestTTL(50*time.Millisecond))
	v1 := register(t, cl, "payments-value", client.Schema{Schema: paymentAvro})
	ser, _ := serde.NewSerializer(cl, compat.Avro)
	value := map[string]any{"id": "x", "amount": 1.0, "tags": []any{}, "extra": 1}
	b, err := ser.Serialize(ctx, "payments", value)
	if id, _ := serde.SchemaID(b); err != nil || id != v1.ID {
		t.Fatalf("first write: id %d, %v", id, err)
	}
	v2 := register(t, cl, "payments-value", client.Schema{Schema: strings.Replace(paymentAvro, `"fields":[`, `"fields":[{"name":"extra","type":"int","default":0},`, 1)})
	// The TTL is the client's own clock: the serializer is asked again
	// until it has passed.
	poll.Until(t, time.Minute, fmt.Sprintf("writing with id %d instead of %d after the TTL", v2.ID, v1.ID), func() bool {
		b, err := ser.Serialize(ctx, "payments", value)
		if err != nil {
			t.Fatal(err)
		}
		id, _ := serde.SchemaID(b)
		return id == v2.ID
	})
}
