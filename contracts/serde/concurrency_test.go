package serde_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/contracts/client"
	"github.com/charter-registry/charter/contracts/serde"
)

// TestConcurrentUse shares one serializer and one deserializer between
// goroutines writing several topics, so first resolutions race with cache
// hits (run with -race).
func TestConcurrentUse(t *testing.T) {
	ctx := context.Background()
	cl := startRegistry(t)
	for i := range 4 {
		register(t, cl, fmt.Sprintf("t%d-value", i), client.Schema{Schema: paymentAvro})
	}
	ser, _ := serde.NewSerializer(cl, compat.Avro)
	de, _ := serde.NewDeserializer(cl, compat.Avro)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				topic := fmt.Sprintf("t%d", (g+i)%4)
				in := map[string]any{"id": fmt.Sprint(g, i), "amount": float64(i), "note": nil, "tags": []any{}}
				b, err := ser.Serialize(ctx, topic, in)
				if err != nil {
					t.Error(err)
					return
				}
				out, err := de.Deserialize(ctx, topic, b)
				if err != nil || out.(map[string]any)["id"] != in["id"] {
					t.Errorf("round trip %v, %v", out, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}
