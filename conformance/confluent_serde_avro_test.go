//go:build cgo

package conformance

import (
	"bytes"
	"encoding/binary"
	"reflect"
	"testing"

	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/rules/cel"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde/avrov2"
	"github.com/google/uuid"
	"github.com/hamba/avro/v2"
)

// shipment is a Go value whose Avro schema avrov2 derives by reflection:
// a record with a nested record array, a long and a nullable string.
type shipment struct {
	ID     string         `avro:"id"`
	Weight float64        `avro:"weight"`
	Lines  []shipmentLine `avro:"lines"`
	Note   *string        `avro:"note"`
}

type shipmentLine struct {
	SKU string `avro:"sku"`
	Qty int64  `avro:"qty"`
}

// requireWireID fails unless payload starts with Confluent's header: magic
// byte 0 and the 4-byte big-endian schema id.
func requireWireID(t *testing.T, payload []byte, id int) {
	t.Helper()
	if len(payload) < 5 || payload[0] != 0 {
		t.Fatalf("payload % x does not start with magic byte 0 and a 4-byte id", payload[:min(5, len(payload))])
	}
	if got := int(binary.BigEndian.Uint32(payload[1:5])); got != id {
		t.Fatalf("payload carries schema id %d, want %d", got, id)
	}
}

func TestConfluentSerdeAvroAutoRegister(t *testing.T) {
	srv := startRegistry(t)
	ser, err := avrov2.NewSerializer(newConfluentClient(t, srv), serde.ValueSerde, avrov2.NewSerializerConfig())
	if err != nil {
		t.Fatal(err)
	}
	note := "fragile"
	values := []shipment{
		{ID: "s-1", Weight: 2.5, Lines: []shipmentLine{{SKU: "a", Qty: 1}, {SKU: "b", Qty: 1 << 40}}, Note: &note},
		{ID: "s-2", Weight: 0, Lines: []shipmentLine{}, Note: nil},
	}
	derived, err := avrov2.StructToSchema(reflect.TypeOf(shipment{}))
	if err != nil {
		t.Fatal(err)
	}

	for i, in := range values {
		payload, err := ser.Serialize("shipments", &in)
		if err != nil {
			t.Fatalf("Serialize value %d: %v", i, err)
		}

		md, err := newConfluentClient(t, srv).GetLatestSchemaMetadata("shipments-value")
		if err != nil {
			t.Fatalf("the serializer did not register under shipments-value: %v", err)
		}
		if md.ID != 1 || md.Version != 1 {
			t.Fatalf("registered id %d version %d, want id 1 version 1", md.ID, md.Version)
		}
		requireSameAvro(t, md.Schema, derived.String())
		requireWireID(t, payload, md.ID)
		body, err := avro.Marshal(derived, in)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(payload[5:], body) {
			t.Fatalf("payload body % x, want the Avro encoding % x", payload[5:], body)
		}

		// A consumer with its own client resolves the id through charter.
		de, err := avrov2.NewDeserializer(newConfluentClient(t, srv), serde.ValueSerde, avrov2.NewDeserializerConfig())
		if err != nil {
			t.Fatal(err)
		}
		var out shipment
		if err := de.DeserializeInto("shipments", payload, &out); err != nil {
			t.Fatalf("DeserializeInto: %v", err)
		}
		if !reflect.DeepEqual(out, in) {
			t.Fatalf("round trip = %+v, want %+v", out, in)
		}
	}
}

// TestConfluentSerdeAvroUseLatestVersion registers two versions by hand and
// lets the serdes pick schemas from charter instead of deriving them.
func TestConfluentSerdeAvroUseLatestVersion(t *testing.T) {
	srv := startRegistry(t)
	admin := newConfluentClient(t, srv)
	v1 := mustRegister(t, admin, "orders-value", avroInfo(orderV1))
	v2 := mustRegister(t, admin, "orders-value", avroInfo(orderV2))

	t.Run("serializer writes with the latest version", func(t *testing.T) {
		cfg := avrov2.NewSerializerConfig()
		cfg.AutoRegisterSchemas = false
		cfg.UseLatestVersion = true
		ser, err := avrov2.NewSerializer(newConfluentClient(t, srv), serde.ValueSerde, cfg)
		if err != nil {
			t.Fatal(err)
		}
		in := orderWithCurrency{ID: "o-7", Amount: 99.5, Currency: "USD"}
		payload, err := ser.Serialize("orders", &in)
		if err != nil {
			t.Fatalf("Serialize: %v", err)
		}
		requireWireID(t, payload, v2)
		var out orderWithCurrency
		if err := avro.Unmarshal(parseAvro(t, orderV2), payload[5:], &out); err != nil || out != in {
			t.Fatalf("body decodes as %+v, %v; want %+v", out, err, in)
		}

		de, err := avrov2.NewDeserializer(newConfluentClient(t, srv), serde.ValueSerde, avrov2.NewDeserializerConfig())
		if err != nil {
			t.Fatal(err)
		}
		var back orderWithCurrency
		if err := de.DeserializeInto("orders", payload, &back); err != nil || back != in {
			t.Fatalf("DeserializeInto = %+v, %v; want %+v", back, err, in)
		}
	})

	t.Run("reader on the latest version upgrades version 1 data", func(t *testing.T) {
		cfg := avrov2.NewSerializerConfig()
		cfg.AutoRegisterSchemas = false
		cfg.UseSchemaID = v1
		ser, err := avrov2.NewSerializer(newConfluentClient(t, srv), serde.ValueSerde, cfg)
		if err != nil {
			t.Fatal(err)
		}
		in := order{ID: "o-8", Amount: 3}
		payload, err := ser.Serialize("orders", &in)
		if err != nil {
			t.Fatalf("Serialize with UseSchemaID: %v", err)
		}
		requireWireID(t, payload, v1)

		dcfg := avrov2.NewDeserializerConfig()
		dcfg.UseLatestVersion = true
		de, err := avrov2.NewDeserializer(newConfluentClient(t, srv), serde.ValueSerde, dcfg)
		if err != nil {
			t.Fatal(err)
		}
		var out orderWithCurrency
		if err := de.DeserializeInto("orders", payload, &out); err != nil {
			t.Fatalf("DeserializeInto with UseLatestVersion: %v", err)
		}
		if want := (orderWithCurrency{ID: "o-8", Amount: 3, Currency: "EUR"}); out != want {
			t.Fatalf("v1 data read with the latest schema = %+v, want %+v", out, want)
		}
	})

	t.Run("serializer without auto-register refuses an unknown schema", func(t *testing.T) {
		cfg := avrov2.NewSerializerConfig()
		cfg.AutoRegisterSchemas = false
		ser, err := avrov2.NewSerializer(newConfluentClient(t, srv), serde.ValueSerde, cfg)
		if err != nil {
			t.Fatal(err)
		}
		_, err = ser.Serialize("orders", &shipment{ID: "x"})
		requireConfluentCode(t, err, codeSchemaNotFound)
	})
}

// TestConfluentSerdeAvroDataContract registers a schema with a CEL domain
// rule and lets confluent's serializer enforce the rule set it reads back
// from charter: what charter stores must be what the client executes.
func TestConfluentSerdeAvroDataContract(t *testing.T) {
	srv := startRegistry(t)
	// CEL over a Go struct sees the Go field names.
	rule := schemaregistry.Rule{Name: "positiveAmount", Kind: "CONDITION", Mode: "WRITE", Type: "CEL", Expr: "message.Amount > 0.0", OnFailure: "ERROR"}
	info := avroInfo(orderV1)
	info.Metadata = &schemaregistry.Metadata{Properties: map[string]string{"owner": "payments"}}
	info.RuleSet = &schemaregistry.RuleSet{DomainRules: []schemaregistry.Rule{rule}}
	id := mustRegister(t, newConfluentClient(t, srv), "orders-value", info)

	md, err := newConfluentClient(t, srv).GetLatestSchemaMetadata("orders-value")
	if err != nil {
		t.Fatal(err)
	}
	if md.Metadata == nil || md.Metadata.Properties["owner"] != "payments" {
		t.Fatalf("metadata served = %+v, want owner=payments", md.Metadata)
	}
	if md.RuleSet == nil || len(md.RuleSet.DomainRules) != 1 || !reflect.DeepEqual(md.RuleSet.DomainRules[0], rule) {
		t.Fatalf("ruleSet served = %+v, want [%+v]", md.RuleSet, rule)
	}

	cel.Register()
	cfg := avrov2.NewSerializerConfig()
	cfg.AutoRegisterSchemas = false
	cfg.UseLatestVersion = true
	ser, err := avrov2.NewSerializer(newConfluentClient(t, srv), serde.ValueSerde, cfg)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := ser.Serialize("orders", &order{ID: "o-1", Amount: 5})
	if err != nil {
		t.Fatalf("a value that satisfies the rule was refused: %v", err)
	}
	requireWireID(t, payload, id)
	if _, err := ser.Serialize("orders", &order{ID: "o-2", Amount: -5}); err == nil {
		t.Fatal("a value that breaks message.Amount > 0.0 was serialized: the rule set did not reach the serializer")
	}
}

// TestConfluentSerdeAvroGUIDHeader uses Confluent Platform 8's header wire
// format: the payload carries no id, the record header __value_schema_id
// carries magic byte 1 and the schema GUID, and the consumer resolves the
// GUID at GET /schemas/guids/{guid}.
func TestConfluentSerdeAvroGUIDHeader(t *testing.T) {
	srv := startRegistry(t)
	srv.requireRoute(t, "GET", "/schemas/guids/"+uuid.Nil.String(), "the header (GUID) wire format")

	ser, err := avrov2.NewSerializer(newConfluentClient(t, srv), serde.ValueSerde, avrov2.NewSerializerConfig())
	if err != nil {
		t.Fatal(err)
	}
	ser.SchemaIDSerializer = serde.HeaderSchemaIDSerializer
	in := order{ID: "o-3", Amount: 1.5}
	headers, payload, err := ser.SerializeWithHeaders("orders", &in)
	if err != nil {
		t.Fatalf("SerializeWithHeaders: %v", err)
	}
	md, err := newConfluentClient(t, srv).GetLatestSchemaMetadata("orders-value")
	if err != nil {
		t.Fatal(err)
	}
	if len(headers) != 1 || headers[0].Key != serde.ValueSchemaIDHeader || len(headers[0].Value) != 17 || headers[0].Value[0] != 1 {
		t.Fatalf("headers = %v, want one %s header of magic byte 1 and a 16-byte GUID", headers, serde.ValueSchemaIDHeader)
	}
	if g, err := uuid.FromBytes(headers[0].Value[1:]); err != nil || g.String() != md.GUID {
		t.Fatalf("header GUID = %v, %v; want the registered guid %s", g, err, md.GUID)
	}
	body, err := avro.Marshal(parseAvro(t, orderV1), in)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(payload, body) {
		t.Fatalf("payload % x, want the bare Avro encoding % x", payload, body)
	}

	de, err := avrov2.NewDeserializer(newConfluentClient(t, srv), serde.ValueSerde, avrov2.NewDeserializerConfig())
	if err != nil {
		t.Fatal(err)
	}
	var out order
	if err := de.DeserializeWithHeadersInto("orders", headers, payload, &out); err != nil || out != in {
		t.Fatalf("DeserializeWithHeadersInto = %+v, %v; want %+v", out, err, in)
	}
}

type avroAddress struct {
	Street string `avro:"street"`
	City   string `avro:"city"`
}

type avroCustomer struct {
	Name    string      `avro:"name"`
	Address avroAddress `avro:"address"`
}

// TestConfluentSerdeAvroReferences writes and reads a record whose schema
// uses a named type from another subject: both serdes fetch the referenced
// schema from charter by subject and version to build the full type.
func TestConfluentSerdeAvroReferences(t *testing.T) {
	srv := startRegistry(t)
	admin := newConfluentClient(t, srv)
	mustRegister(t, admin, "address-value", avroInfo(addressAvro))
	ref := schemaregistry.Reference{Name: "com.acme.Address", Subject: "address-value", Version: 1}
	id := mustRegister(t, admin, "customers-value", avroInfo(customerAvro, ref))

	cfg := avrov2.NewSerializerConfig()
	cfg.AutoRegisterSchemas = false
	cfg.UseLatestVersion = true
	ser, err := avrov2.NewSerializer(newConfluentClient(t, srv), serde.ValueSerde, cfg)
	if err != nil {
		t.Fatal(err)
	}
	in := avroCustomer{Name: "Grace", Address: avroAddress{Street: "1 Main St", City: "Arlington"}}
	payload, err := ser.Serialize("customers", &in)
	if err != nil {
		t.Fatalf("Serialize: %v", err)
	}
	requireWireID(t, payload, id)
	body, err := avro.Marshal(parseAvro(t, customerAvro, addressAvro), in)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(payload[5:], body) {
		t.Fatalf("payload body % x, want % x", payload[5:], body)
	}

	de, err := avrov2.NewDeserializer(newConfluentClient(t, srv), serde.ValueSerde, avrov2.NewDeserializerConfig())
	if err != nil {
		t.Fatal(err)
	}
	var out avroCustomer
	if err := de.DeserializeInto("customers", payload, &out); err != nil || out != in {
		t.Fatalf("DeserializeInto = %+v, %v; want %+v", out, err, in)
	}
}
