package conformance

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/contracts/client"
	"github.com/charter-registry/charter/contracts/serde"
)

// Records exchanged between charter's Go serde (contracts/serde) and
// @kafkajs/confluent-schema-registry through files in
// $CHARTER_EXCHANGE_DIR: TestKafkaJSClient writes go-<format>.bin before
// the client's tests run (interop/kafkajs/test/exchange.test.js decodes
// them and writes kafkajs-<format>.bin), and reads the client's files back
// after. Avro and JSON Schema: the client writes Protobuf without message
// indexes, which no Confluent deserializer reads (see protobuf.test.js).

const (
	exchangeAvro = `{"type":"record","name":"Order","namespace":"charter.exchange","fields":[{"name":"id","type":"string"},{"name":"amount","type":"double"}]}`
	exchangeJSON = `{"$schema":"http://json-schema.org/draft-07/schema#","title":"Order","type":"object","properties":{"id":{"type":"string"},"amount":{"type":"number"}},"required":["id","amount"]}`
)

var exchangeFormats = []struct {
	name   string
	format compat.Type
	schema string
}{
	{"avro", compat.Avro, exchangeAvro},
	{"json", compat.JSON, exchangeJSON},
}

// writeExchange registers each format's schema under kjs-exchange-go-<format>-value
// and writes a record of it, encoded by charter's serializer, to go-<format>.bin.
func writeExchange(t *testing.T, url, dir string) {
	t.Helper()
	ctx := context.Background()
	cl, err := client.New(client.URLs(url))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range exchangeFormats {
		topic := "kjs-exchange-go-" + f.name
		if _, err := cl.Register(ctx, topic+"-value", client.Schema{SchemaType: f.format, Schema: f.schema}, false); err != nil {
			t.Fatal(err)
		}
		ser, err := serde.NewSerializer(cl, f.format, serde.UseLatest())
		if err != nil {
			t.Fatal(err)
		}
		payload, err := ser.Serialize(ctx, topic, map[string]any{"id": "from-go", "amount": 2.5})
		if err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, "go-"+f.name+".bin"), payload, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// readExchange decodes the client's kafkajs-<format>.bin (registered by the
// client under kjs-exchange-kafkajs-<format>-value) with charter's deserializer.
func readExchange(t *testing.T, url, dir string) {
	t.Helper()
	ctx := context.Background()
	cl, err := client.New(client.URLs(url))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range exchangeFormats {
		payload, err := os.ReadFile(filepath.Join(dir, "kafkajs-"+f.name+".bin"))
		if err != nil {
			t.Fatal(err)
		}
		de, err := serde.NewDeserializer(cl, f.format, serde.NoRules())
		if err != nil {
			t.Fatal(err)
		}
		got, err := de.Deserialize(ctx, "kjs-exchange-kafkajs-"+f.name, payload)
		if err != nil {
			t.Fatalf("%s: charter reading the client's record: %v", f.name, err)
		}
		if want := map[string]any{"id": "from-kafkajs", "amount": 7.25}; !reflect.DeepEqual(got, want) {
			t.Errorf("%s: charter read %#v from the client's record, want %#v", f.name, got, want)
		}
	}
}
