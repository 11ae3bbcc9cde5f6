package registry_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/charter-registry/charter/internal/registrytest"
	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/storage/file"
	"github.com/charter-registry/charter/storage/memory"
)

func oneSubjectEach(i int) string { return fmt.Sprintf("orders-%d-value", i) }

// benchEvolving is version i of an Avro record that stays BACKWARD
// compatible from version to version: only a default changes.
func benchEvolving(i int) string {
	return fmt.Sprintf(`{"type":"record","name":"Order","namespace":"com.acme.sales","fields":[`+
		`{"name":"id","type":"string"},{"name":"customer","type":"long"},`+
		`{"name":"amount","type":"double","default":0},`+
		`{"name":"currency","type":{"type":"enum","name":"Currency","symbols":["EUR","USD","GBP"]},"default":"EUR"},`+
		`{"name":"note","type":["null","string"],"default":null},{"name":"tag","type":"string","default":"v%d"}]}`, i)
}

// liveHeap returns the bytes of live heap after a full collection.
func liveHeap() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkRetainedMemory measures what the registry keeps in memory per
// registration: each iteration registers n schemas from 64 concurrent
// writers on a file log (the write load that an HTTP server sees, minus
// HTTP) and reports the live heap that they added, after a full GC, per
// schema or per subject.
//
//   - distinct: n distinct schemas, one subject each: bytes per schema.
//   - shared: one schema registered under n subjects: bytes per subject
//     that holds a schema already stored.
func BenchmarkRetainedMemory(b *testing.B) {
	const n = 8000
	for _, tt := range []struct {
		name    string
		schema  func(i int) string
		subject func(i int) string
		unit    string
	}{
		{"distinct", benchAvro, oneSubjectEach, "B/schema"},
		{"versions", benchEvolving, func(i int) string { return fmt.Sprintf("orders-%d-value", i%100) }, "B/schema"},
		{"shared", func(int) string { return benchAvro(0) }, oneSubjectEach, "B/subject"},
	} {
		b.Run(tt.name, func(b *testing.B) {
			var per float64
			for b.Loop() {
				per = retainedPerRegistration(b, n, tt.subject, tt.schema)
			}
			b.ReportMetric(per, tt.unit)
		})
	}
}

func retainedPerRegistration(b *testing.B, n int, subject, schema func(int) string) float64 {
	ctx := context.Background()
	l, err := file.Open(ctx, b.TempDir(), file.WithKeyFunc(registry.LogicalKey))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = l.Close() })
	reg := registrytest.Start(b, registrytest.WithLog(l), registrytest.WithReadyTimeout(time.Minute))
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 200}}
	register := func(subject, schema string) error {
		body, _ := json.Marshal(map[string]string{"schema": schema})
		res, err := hc.Post(reg.URL+"/subjects/"+subject+"/versions", "application/vnd.schemaregistry.v1+json", bytes.NewReader(body))
		if err != nil {
			return err
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 {
			return fmt.Errorf("%d %s", res.StatusCode, raw)
		}
		return nil
	}
	// Warm up: the first registration allocates the maps and caches that
	// every later one shares.
	if err := register("warm-up", benchAvro(1<<30)); err != nil {
		b.Fatal(err)
	}
	before := liveHeap()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := register(subject(i), schema(i)); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	after := liveHeap()
	if p := os.Getenv("CHARTER_HEAP_PROFILE"); p != "" {
		f, err := os.Create(p + "." + b.Name()[strings.LastIndex(b.Name(), "/")+1:])
		if err == nil {
			_ = pprof.WriteHeapProfile(f)
			f.Close()
		}
	}
	runtime.KeepAlive(reg)
	return (float64(after) - float64(before)) / float64(n)
}

// BenchmarkRegisterBySize registers a new version of an existing subject
// in a registry that already holds `subjects` subjects of 8 versions each:
// the cost of a write must not grow with the size of the registry.
func BenchmarkRegisterBySize(b *testing.B) {
	ctx := context.Background()
	for _, subjects := range []int{100, 8000} {
		b.Run(fmt.Sprintf("subjects=%d", subjects), func(b *testing.B) {
			svc := startService(b, memory.New(memory.WithKeyFunc(registry.LogicalKey)))
			for i := range subjects * 8 {
				req := registry.RegisterRequest{Schema: benchEvolving(i)}
				if _, err := svc.Register(ctx, fmt.Sprintf("orders-%d-value", i%subjects), req); err != nil {
					b.Fatal(err)
				}
			}
			i := subjects * 8
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				req := registry.RegisterRequest{Schema: benchEvolving(i)}
				if _, err := svc.Register(ctx, fmt.Sprintf("orders-%d-value", i%subjects), req); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
