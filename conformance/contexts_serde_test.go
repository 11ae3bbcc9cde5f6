//go:build cgo

package conformance

import (
	"testing"

	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde/avrov2"
)

// TestConfluentSerdeAvroInAContext: confluent-kafka-go's Avro serializer
// writes into context .staging (a subject name strategy that qualifies the
// topic's subject), and two deserializers read the records back: one with
// the same strategy, which asks for the id in .staging, and one with the
// default TopicNameStrategy, which knows no context and finds the id
// because an unqualified subject the default context lacks is looked up in
// every other context, as Confluent does. The default context holds a
// different schema under the same id, which neither may return.
func TestConfluentSerdeAvroInAContext(t *testing.T) {
	srv := startRegistry(t)
	staging := func(topic string, st serde.Type, _ schemaregistry.SchemaInfo) (string, error) {
		return ":.staging:" + topic + map[serde.Type]string{serde.KeySerde: "-key", serde.ValueSerde: "-value"}[st], nil
	}
	// id 1 of the default context is another schema under another subject.
	mustRegister(t, newConfluentClient(t, srv), "unrelated-value", avroInfo(ctxOrderB))

	serConf := avrov2.NewSerializerConfig()
	ser, err := avrov2.NewSerializer(newConfluentClient(t, srv), serde.ValueSerde, serConf)
	if err != nil {
		t.Fatal(err)
	}
	ser.SubjectNameStrategy = staging
	in := shipment{ID: "s-1", Weight: 1.5, Lines: []shipmentLine{{SKU: "a", Qty: 2}}}
	payload, err := ser.Serialize("shipments", &in)
	if err != nil {
		t.Fatal(err)
	}
	md, err := newConfluentClient(t, srv).GetLatestSchemaMetadata(":.staging:shipments-value")
	if err != nil {
		t.Fatalf("the serializer did not register under :.staging:shipments-value: %v", err)
	}
	if md.ID != 1 {
		t.Fatalf("id in .staging = %d, want 1 (its own id space)", md.ID)
	}
	requireWireID(t, payload, 1)

	for _, tc := range []struct {
		name     string
		strategy serde.SubjectNameStrategyFunc
	}{
		{"qualified strategy", staging},
		{"default strategy", serde.TopicNameStrategy},
	} {
		t.Run(tc.name, func(t *testing.T) {
			deser, err := avrov2.NewDeserializer(newConfluentClient(t, srv), serde.ValueSerde, avrov2.NewDeserializerConfig())
			if err != nil {
				t.Fatal(err)
			}
			deser.SubjectNameStrategy = tc.strategy
			var out shipment
			if err := deser.DeserializeInto("shipments", payload, &out); err != nil {
				t.Fatal(err)
			}
			if out.ID != in.ID || out.Weight != in.Weight || len(out.Lines) != 1 || out.Lines[0] != in.Lines[0] {
				t.Fatalf("read back %+v, want %+v", out, in)
			}
		})
	}
}
