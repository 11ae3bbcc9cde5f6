package exporter_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/charter-registry/charter/exporter"
	"github.com/charter-registry/charter/internal/registrytest"
	"github.com/charter-registry/charter/registry"
)

// BenchmarkInitialExport measures one exporter copying 200 subjects of 5
// versions each (1000 versions) between two in-process registries over
// HTTP, from its creation until the destination holds them all.
func BenchmarkInitialExport(b *testing.B) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		src := registrytest.Start(b, registrytest.WithExporters(exporter.Config{LeaseTTL: 900 * time.Millisecond, Poll: 50 * time.Millisecond}))
		dst := registrytest.Start(b)
		ctx := context.Background()
		for s := 0; s < 200; s++ {
			fields := []string{"f0"}
			for v := 0; v < 5; v++ {
				if _, err := src.Service.Register(ctx, fmt.Sprintf("s%03d-value", s), registry.RegisterRequest{Schema: record("R", fields...)}); err != nil {
					b.Fatal(err)
				}
				fields = append(fields, fmt.Sprintf("f%d", len(fields)))
			}
		}
		b.StartTimer()
		start := time.Now()
		if _, err := src.Exporters.Create(ctx, exporter.Exporter{Name: "bench", ContextType: exporter.ContextNone, Config: map[string]string{"schema.registry.url": dst.URL}}); err != nil {
			b.Fatal(err)
		}
		for len(dst.Service.Schemas(registry.SchemaFilter{Deleted: true})) < 1000 {
			time.Sleep(5 * time.Millisecond) // polling interval
		}
		b.ReportMetric(float64(1000)/time.Since(start).Seconds(), "versions/s")
	}
}
