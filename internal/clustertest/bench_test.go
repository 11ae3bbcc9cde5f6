package clustertest

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"github.com/charter-registry/charter/internal/registrytest"
	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/storage/kafka"
)

// BenchmarkReplayFromKafka measures an instance's start-up from Kafka:
// kafka.Open on a topic of 100k records, then registry.Service.Run until
// Ready. It reports records/s, ns/record and the peak RSS of the process.
//
// The 1M variant runs only with CHARTER_BENCH_1M=1, e.g.
//
//	CHARTER_BENCH_1M=1 go test -run '^$' -bench ReplayFromKafka -benchtime 1x ./internal/clustertest
func BenchmarkReplayFromKafka(b *testing.B) {
	b.Run("records=100k", func(b *testing.B) { benchKafkaReplay(b, 100_000) })
	b.Run("records=1M", func(b *testing.B) {
		if os.Getenv("CHARTER_BENCH_1M") != "1" {
			b.Skip("set CHARTER_BENCH_1M=1 to replay 1M records from Kafka")
		}
		benchKafkaReplay(b, 1_000_000)
	})
}

func benchKafkaReplay(b *testing.B, records int) {
	cfg := kafka.DefaultConfig()
	cfg.Brokers = brokers(b)
	cfg.Topic = freshTopic(b, fmt.Sprintf("replay-%d", records))
	cfg.ReplicationFactor = 1
	cfg.WriteTimeout = time.Minute
	ctx := context.Background()
	filled := time.Now()
	stats, err := fillReplayTopic(ctx, cfg, records)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("topic %s: %s, written in %v", cfg.Topic, stats, time.Since(filled).Round(time.Millisecond))

	runtime.GC()
	debug.FreeOSMemory()
	registrytest.ResetPeakRSS()
	var last *registry.Service
	b.ReportAllocs()
	for b.Loop() {
		last = nil // at most one replayed state alive at a time
		last = replayKafkaOnce(b, ctx, cfg)
	}
	perRecord := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / float64(records)
	b.ReportMetric(perRecord, "ns/record")
	b.ReportMetric(1e9/perRecord, "records/s")
	if hwm, ok := registrytest.PeakRSS(); ok {
		b.ReportMetric(float64(hwm)/(1<<20), "peak-RSS-MiB")
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "live-heap-MiB")
	if subjects, schemas, _ := last.State().Counts(); subjects == 0 || schemas == 0 {
		b.Fatalf("replay produced an empty state: %d subjects, %d schemas", subjects, schemas)
	}
	runtime.KeepAlive(last)
}

// replayKafkaOnce opens the Kafka log, runs a new Service over it until
// Ready and stops it again.
func replayKafkaOnce(b *testing.B, ctx context.Context, cfg kafka.Config) *registry.Service {
	l, err := kafka.Open(ctx, cfg, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	svc := registrytest.Replay(ctx, b, l)
	return svc
}

// fillReplayTopic writes records records shaped like a busy registry's
// _schemas topic (see registrytest.WriteReplayLog) to the topic of cfg.
func fillReplayTopic(ctx context.Context, cfg kafka.Config, records int) (string, error) {
	l, err := kafka.Open(ctx, cfg, nil)
	if err != nil {
		return "", err
	}
	defer l.Close()
	return registrytest.WriteReplayLog(ctx, l, records)
}
