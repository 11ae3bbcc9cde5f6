package clustertest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charter-registry/charter"
	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/storage"
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
	resetPeakRSS()
	var last *registry.Service
	b.ReportAllocs()
	for b.Loop() {
		last = nil // at most one replayed state alive at a time
		last = replayKafkaOnce(b, ctx, cfg)
	}
	perRecord := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / float64(records)
	b.ReportMetric(perRecord, "ns/record")
	b.ReportMetric(1e9/perRecord, "records/s")
	if hwm, ok := peakRSS(); ok {
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
	svc, err := registry.NewService(registry.ServiceConfig{Log: l, Formats: charter.Formats()})
	if err != nil {
		b.Fatal(err)
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { _ = svc.Run(rctx); close(done) }()
	wctx, wcancel := context.WithTimeout(rctx, 10*time.Minute) // a hang guard
	err = svc.WaitReady(wctx)
	wcancel()
	cancel()
	<-done
	if err != nil {
		b.Fatal(err)
	}
	return svc
}

// fillReplayTopic writes records records shaped like a busy registry's
// _schemas topic: mostly SCHEMA records (Avro, a few hundred bytes, about
// five versions per subject), some per-subject CONFIG records, soft
// deletes, hard-delete tombstones and DELETE_SUBJECT records.
func fillReplayTopic(ctx context.Context, cfg kafka.Config, records int) (string, error) {
	l, err := kafka.Open(ctx, cfg, nil)
	if err != nil {
		return "", err
	}
	defer l.Close()
	subjects := max(records/5, 1)
	type version struct{ subject, version, id int }
	var (
		batch   []storage.Record
		live    []version
		soft    []version
		next    int
		nschema int
	)
	subjectName := func(s int) string { return fmt.Sprintf("team%d.payments-%d-value", s%40, s) }
	key := func(v version) []byte {
		return registry.Key{Type: registry.KeySchema, Subject: subjectName(v.subject), Version: v.version, Magic: 1}.Encode()
	}
	value := func(v version, deleted bool) ([]byte, error) {
		return json.Marshal(map[string]any{
			"subject": subjectName(v.subject), "version": v.version, "id": v.id,
			"schema": replaySchema(v.subject, v.version), "deleted": deleted,
		})
	}
	for i := range records {
		var r storage.Record
		switch m := i % 100; {
		case m < 3 && len(live) > 0:
			v := live[(i*7919)%len(live)]
			level := []string{"BACKWARD", "FULL", "NONE"}[m]
			r = storage.Record{Key: registry.Key{Type: registry.KeyConfig, Subject: subjectName(v.subject)}.Encode(),
				Value: []byte(`{"compatibilityLevel":"` + level + `"}`)}
		case m == 3 && len(live) > 0:
			v := live[(i*104729)%len(live)]
			val, err := value(v, true)
			if err != nil {
				return "", err
			}
			soft = append(soft, v)
			r = storage.Record{Key: key(v), Value: val}
		case m == 4 && len(soft) > 0:
			v := soft[len(soft)-1]
			soft = soft[:len(soft)-1]
			r = storage.Record{Key: key(v)}
		case m == 5 && i%1000 == 5 && len(live) > 0:
			v := live[(i*31)%len(live)]
			r = storage.Record{Key: registry.Key{Type: registry.KeyDeleteSubject, Subject: subjectName(v.subject)}.Encode(),
				Value: fmt.Appendf(nil, `{"subject":%q,"version":%d}`, subjectName(v.subject), v.version)}
		default:
			v := version{subject: next % subjects, version: next/subjects + 1, id: next + 1}
			next++
			val, err := value(v, false)
			if err != nil {
				return "", err
			}
			live = append(live, v)
			nschema++
			r = storage.Record{Key: key(v), Value: val}
		}
		batch = append(batch, r)
		if len(batch) == 1000 || i == records-1 {
			if _, err := l.Append(ctx, batch...); err != nil {
				return "", err
			}
			batch = batch[:0]
		}
	}
	return fmt.Sprintf("records=%d schemas=%d subjects=%d", records, nschema, min(nschema, subjects)), nil
}

// replaySchema is version v of subject s's Avro schema: each version adds
// an optional field.
func replaySchema(s, v int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"type":"record","name":"Payment","namespace":"com.example.team%d","fields":[`+
		`{"name":"id","type":"string"},{"name":"payer","type":"long"},{"name":"amount","type":"double"},`+
		`{"name":"currency","type":{"type":"enum","name":"Currency","symbols":["EUR","USD","GBP"]}}`, s)
	for f := 2; f <= v; f++ {
		fmt.Fprintf(&b, `,{"name":"extra%d","type":"long","default":0}`, f)
	}
	b.WriteString(`]}`)
	return b.String()
}

// resetPeakRSS resets the process's VmHWM (Linux: write 5 to clear_refs).
func resetPeakRSS() {
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// peakRSS reads VmHWM, the peak resident set size, in bytes.
func peakRSS() (int64, bool) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:")
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
		if err != nil {
			return 0, false
		}
		return kb << 10, true
	}
	return 0, false
}
