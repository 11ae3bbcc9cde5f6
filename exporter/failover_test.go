package exporter_test

import (
	"context"
	"net/http"
	"reflect"
	"testing"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/contracts/client"
	"github.com/charter-registry/charter/contracts/serde"
	"github.com/charter-registry/charter/internal/registrytest"
)

// Failover without surprises: a record a producer serialised through
// registry A (its schema auto-registered there) is read by a consumer
// whose deserializer asks registry B, the standby an exporter keeps.
func TestConsumerReadsThroughTheStandby(t *testing.T) {
	a := registrytest.Start(t, registrytest.WithExporters(fast))
	b := registrytest.Start(t)
	ctx := context.Background()
	schema := `{"type":"record","name":"Order","namespace":"acme","fields":[{"name":"id","type":"string"},{"name":"cents","type":"long"}]}`
	ser, err := serde.NewSerializer(a.Client(t), compat.Avro, serde.AutoRegister(), serde.WithSchema(client.Schema{Schema: schema}))
	if err != nil {
		t.Fatal(err)
	}
	// Another subject first, so the order's id is not 1 by chance.
	register(t, a.URL, "other-value", record("Other", "x"))
	value := map[string]any{"id": "o-1", "cents": int64(1250)}
	payload, err := ser.Serialize(ctx, "orders", value)
	if err != nil {
		t.Fatal(err)
	}
	mustCall(t, http.MethodPost, a.URL+"/exporters", map[string]any{
		"name": "standby", "contextType": "NONE", "config": map[string]string{"schema.registry.url": b.URL},
	})
	eventually(t, "B holds A's schemas", samePicture(a.Service, b.Service, func(s string) string { return s }))

	de, err := serde.NewDeserializer(b.Client(t), compat.Avro)
	if err != nil {
		t.Fatal(err)
	}
	got, err := de.Deserialize(ctx, "orders", payload)
	if err != nil {
		t.Fatalf("deserialise through B: %v", err)
	}
	if !reflect.DeepEqual(got, value) {
		t.Errorf("read through B = %#v, want %#v", got, value)
	}
}
