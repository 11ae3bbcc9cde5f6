package registry_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/internal/cputime"
	"github.com/charter-registry/charter/internal/registrytest"
	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/storage"
	"github.com/charter-registry/charter/storage/file"
	"github.com/charter-registry/charter/storage/memory"
)

// benchAvro is an Avro record of about 300 bytes; n makes it distinct.
func benchAvro(n int) string {
	return fmt.Sprintf(`{"type":"record","name":"Order","namespace":"com.acme.sales.v%d","fields":[`+
		`{"name":"id","type":"string"},{"name":"customer","type":"long"},`+
		`{"name":"amount","type":"double","default":0},`+
		`{"name":"currency","type":{"type":"enum","name":"Currency","symbols":["EUR","USD","GBP"]},"default":"EUR"},`+
		`{"name":"note","type":["null","string"],"default":null}]}`, n)
}

// benchProtobuf is a Protobuf file of about 300 bytes; n makes it distinct.
func benchProtobuf(n int) string {
	return fmt.Sprintf("syntax = \"proto3\";\npackage acme.sales.v%d;\n\n"+
		"message Order {\n  string id = 1;\n  int64 customer = 2;\n  double amount = 3;\n"+
		"  string currency = 4;\n  optional string note = 5;\n  int64 placed_at = 6;\n"+
		"  repeated string tags = 7;\n}\n", n)
}

// benchJSON is a JSON Schema of about 300 bytes; n makes it distinct.
func benchJSON(n int) string {
	return fmt.Sprintf(`{"$schema":"http://json-schema.org/draft-07/schema#","title":"Order%d","type":"object",`+
		`"properties":{"id":{"type":"string"},"customer":{"type":"integer"},"amount":{"type":"number"},`+
		`"currency":{"enum":["EUR","USD","GBP"]},"note":{"type":["null","string"]}},`+
		`"required":["id","customer"]}`, n)
}

// startService runs a Service over log until the benchmark ends.
func startService(b *testing.B, log storage.Log) *registry.Service {
	b.Helper()
	b.Cleanup(func() { _ = log.Close() }) // runs after the Service stops
	return registrytest.Run(b, registrytest.WithLog(log), registrytest.WithReadyTimeout(time.Minute))
}

// BenchmarkSchemaByID is the hot read path: one id lookup in a registry of
// 1000 schemas.
func BenchmarkSchemaByID(b *testing.B) {
	ctx := context.Background()
	svc := startService(b, memory.New(memory.WithKeyFunc(registry.LogicalKey)))
	const n = 1000
	ids := make([]int, n)
	for i := range n {
		s, err := svc.Register(ctx, fmt.Sprintf("orders-%d-value", i), registry.RegisterRequest{Schema: benchAvro(i)})
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = s.ID
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		s, err := svc.SchemaByID(ids[i%n])
		if err != nil || s.Schema == "" {
			b.Fatalf("id %d: %v", ids[i%n], err)
		}
		i++
	}
}

// BenchmarkRegister registers a new schema under a new subject in every
// iteration: parse, canonical form, identity, append, and the wait until
// the state has applied the record. There is no earlier version, so no
// compatibility check runs (the compat packages measure that).
func BenchmarkRegister(b *testing.B) {
	ctx := context.Background()
	formats := []struct {
		typ    compat.Type
		schema func(int) string
	}{
		{compat.Avro, benchAvro},
		{compat.Protobuf, benchProtobuf},
		{compat.JSON, benchJSON},
	}
	run := func(b *testing.B, log storage.Log, typ compat.Type, schema func(int) string) {
		svc := startService(b, log)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			req := registry.RegisterRequest{Schema: schema(i), SchemaType: typ}
			if _, err := svc.Register(ctx, "orders-"+strconv.Itoa(i)+"-value", req); err != nil {
				b.Fatal(err)
			}
			i++
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "registers/s")
	}
	for _, f := range formats {
		b.Run(string(f.typ)+"/memory", func(b *testing.B) {
			run(b, memory.New(memory.WithKeyFunc(registry.LogicalKey)), f.typ, f.schema)
		})
	}
	// The file log fsyncs every acknowledged write; the difference from
	// AVRO/memory is the cost of durability on this disk.
	b.Run("AVRO/file", func(b *testing.B) {
		l, err := file.Open(ctx, b.TempDir(), file.WithKeyFunc(registry.LogicalKey))
		if err != nil {
			b.Fatal(err)
		}
		run(b, l, compat.Avro, benchAvro)
	})
	// Sixteen concurrent writers on the file log (8 per GOMAXPROCS on two
	// cores): shows whether concurrent registrations share an fsync or
	// queue behind each other; writes/batch is how many share one.
	b.Run("AVRO/file/parallel", func(b *testing.B) {
		l, err := file.Open(ctx, b.TempDir(), file.WithKeyFunc(registry.LogicalKey))
		if err != nil {
			b.Fatal(err)
		}
		svc := startService(b, l)
		var next atomic.Int64
		b.ReportAllocs()
		b.SetParallelism(8)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := int(next.Add(1))
				req := registry.RegisterRequest{Schema: benchAvro(i)}
				if _, err := svc.Register(ctx, "orders-"+strconv.Itoa(i)+"-value", req); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "registers/s")
		if syncs := l.Syncs(); syncs > 0 {
			b.ReportMetric(float64(b.N)/float64(syncs), "writes/fsync")
		}
	})
}

// BenchmarkRegisterKafka registers new schemas with 16 concurrent writers
// through one Service, then through three Services on one topic (the
// multi-instance protocol: each group of writes is one transaction that
// fences the others), on the real broker CHARTER_KAFKA_BROKERS names:
//
//	CHARTER_KAFKA_BROKERS=127.0.0.1:29092 go test -run '^$' -bench BenchmarkRegisterKafka ./registry
func BenchmarkRegisterKafka(b *testing.B) {
	env := os.Getenv("CHARTER_KAFKA_BROKERS")
	if env == "" {
		b.Skip("set CHARTER_KAFKA_BROKERS to run against a real broker")
	}
	brokers := strings.Split(env, ",")
	ctx := context.Background()
	for _, instances := range []int{1, 3} {
		b.Run(fmt.Sprintf("instances=%d", instances), func(b *testing.B) {
			topic := fmt.Sprintf("_schemas_bench_%d_%d", instances, time.Now().UnixNano())
			svcs := make([]*registry.Service, instances)
			for i := range svcs {
				svcs[i] = startService(b, registrytest.OpenKafka(b, brokers, topic))
			}
			var next atomic.Int64
			b.SetParallelism(8)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := int(next.Add(1))
					svc := svcs[i%instances]
					req := registry.RegisterRequest{Schema: benchAvro(i)}
					if _, err := svc.Register(ctx, "orders-"+strconv.Itoa(i)+"-value", req); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "registers/s")
			var batches, writes int64
			for _, svc := range svcs {
				bt, w := svc.WriteBatches()
				batches, writes = batches+bt, writes+w
			}
			if batches > 0 {
				b.ReportMetric(float64(writes)/float64(batches), "writes/txn")
			}
		})
	}
}

// BenchmarkReplay measures a restart: open a file log and run a Service
// over it until it reports Ready. The fixture is built once per size and
// kept in the system temp directory for later runs.
//
// The 1M variant writes about 500 MB and runs only when both the -bench
// pattern names it and CHARTER_BENCH_1M=1 is set, e.g.
//
//	CHARTER_BENCH_1M=1 go test -run '^$' -bench 'BenchmarkReplay/records=1M' ./registry
func BenchmarkReplay(b *testing.B) {
	b.Run("records=100k", func(b *testing.B) { benchReplay(b, 100_000) })
	b.Run("records=1M", func(b *testing.B) {
		pattern := ""
		if f := flag.Lookup("test.bench"); f != nil {
			pattern = f.Value.String()
		}
		if os.Getenv("CHARTER_BENCH_1M") != "1" || !strings.Contains(pattern, "1M") {
			b.Skip("set CHARTER_BENCH_1M=1 and name records=1M in -bench to run the 1M replay")
		}
		benchReplay(b, 1_000_000)
	})
}

func benchReplay(b *testing.B, records int) {
	ctx := context.Background()
	dir, stats, err := replayFixture(ctx, records)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("fixture %s: %s", dir, stats)
	// Peak RSS from here on: drop what building the fixture or earlier
	// benchmarks left, then reset the high-water mark (Linux: writing 5 to
	// clear_refs resets VmHWM).
	runtime.GC()
	debug.FreeOSMemory()
	registrytest.ResetPeakRSS()

	var (
		last   *registry.Service
		opened time.Duration
	)
	b.ReportAllocs()
	cpu0, cpuOK := cputime.OfProcess(os.Getpid())
	for b.Loop() {
		var o time.Duration
		last = nil // at most one replayed state alive at a time
		last, o = replayOnce(b, ctx, dir)
		opened += o
	}
	perRecord := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / float64(records)
	b.ReportMetric(perRecord, "ns/record")
	if cpu1, ok := cputime.OfProcess(os.Getpid()); ok && cpuOK {
		// CPU of the whole process (decoding workers and the GC included)
		// per record: what a shared machine does not stretch.
		b.ReportMetric(float64((cpu1-cpu0).Nanoseconds())/float64(b.N)/float64(records), "cpu-ns/record")
	}
	b.ReportMetric(float64(opened.Nanoseconds())/float64(b.N)/float64(records), "open-ns/record")
	b.ReportMetric(1e9/perRecord, "records/s")
	if hwm, ok := registrytest.PeakRSS(); ok {
		b.ReportMetric(float64(hwm)/(1<<20), "peak-RSS-MiB")
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "live-heap-MiB")
	if path := os.Getenv("CHARTER_BENCH_HEAP_PROFILE"); path != "" {
		// What the replayed state holds, by allocation site.
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
			b.Fatal(err)
		}
		_ = f.Close()
	}
	subjects, schemas, versions := last.State().Counts()
	if subjects == 0 || schemas == 0 {
		b.Fatalf("replay produced an empty state: %d subjects, %d schemas", subjects, schemas)
	}
	// What the state costs per subject version, schema text included
	// (the fixture's statistics line gives the average text).
	b.ReportMetric(float64(ms.HeapAlloc)/float64(versions), "live-B/version")
	runtime.KeepAlive(last)
}

// replayOnce opens the log, replays it into a new Service until Ready and
// stops the Service again. It returns the Service and how long opening the
// log (scanning and verifying it) took.
func replayOnce(b *testing.B, ctx context.Context, dir string) (*registry.Service, time.Duration) {
	start := time.Now()
	l, err := file.Open(ctx, dir, file.WithKeyFunc(registry.LogicalKey))
	if err != nil {
		b.Fatal(err)
	}
	opened := time.Since(start)
	defer l.Close()
	svc := registrytest.Replay(ctx, b, l)
	return svc, opened
}

// replayFixture returns a directory holding a file log of the given number
// of records, building it on first use. It is built in a sibling directory
// and renamed into place, so an interrupted build is never reused.
func replayFixture(ctx context.Context, records int) (dir, stats string, err error) {
	dir = filepath.Join(os.TempDir(), fmt.Sprintf("charter-bench-replay-v2-%d", records))
	if b, err := os.ReadFile(filepath.Join(dir, "complete")); err == nil {
		return dir, strings.TrimSpace(string(b)), nil
	}
	if err := os.MkdirAll(os.TempDir(), 0o755); err != nil {
		return "", "", err
	}
	tmp, err := os.MkdirTemp(os.TempDir(), "charter-bench-replay-build-")
	if err != nil {
		return "", "", err
	}
	defer os.RemoveAll(tmp)
	logDir := filepath.Join(tmp, "log")
	stats, err = writeFixture(ctx, logDir, records)
	if err != nil {
		return "", "", fmt.Errorf("build replay fixture: %w", err)
	}
	if err := os.WriteFile(filepath.Join(logDir, "complete"), []byte(stats+"\n"), 0o644); err != nil {
		return "", "", err
	}
	_ = os.RemoveAll(dir)
	if err := os.Rename(logDir, dir); err != nil {
		return "", "", err
	}
	return dir, stats, nil
}

// writeFixture writes a file log of records records in dir, shaped by
// registrytest.WriteReplayLog, and returns its statistics line.
func writeFixture(ctx context.Context, dir string, records int) (string, error) {
	l, err := file.Open(ctx, dir, file.WithKeyFunc(registry.LogicalKey))
	if err != nil {
		return "", err
	}
	defer l.Close()
	return registrytest.WriteReplayLog(ctx, l, records)
}

// BenchmarkRegisterAgain registers schemas their subjects already hold,
// as a serializer does on every start: the answer is the version that
// holds it, and nothing is written.
func BenchmarkRegisterAgain(b *testing.B) {
	ctx := context.Background()
	svc := startService(b, memory.New(memory.WithKeyFunc(registry.LogicalKey)))
	const n = 1000
	for i := range n {
		if _, err := svc.Register(ctx, "orders-"+strconv.Itoa(i)+"-value", registry.RegisterRequest{Schema: benchAvro(i)}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := svc.Register(ctx, "orders-"+strconv.Itoa(i%n)+"-value", registry.RegisterRequest{Schema: benchAvro(i % n)}); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "registers/s")
}
