package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/internal/registrytest"
)

func TestHistogramBucketsCoverEveryValueOnce(t *testing.T) {
	for _, v := range []uint64{0, 1, 63, 64, 65, 127, 128, 1000, 1 << 20, 1<<20 + 12345, 1<<40 - 1, 1<<63 + 5, 1<<64 - 1} {
		i := bucketOf(v)
		if i < 0 || i >= numBuckets {
			t.Fatalf("bucketOf(%d) = %d, outside 0..%d", v, i, numBuckets)
		}
		if up := bucketUpper(i); v > up {
			t.Errorf("value %d above its bucket's upper bound %d", v, up)
		}
		if i > 0 {
			if low := bucketUpper(i-1) + 1; v < low {
				t.Errorf("value %d below its bucket's lower bound %d", v, low)
			}
		}
	}
}

func TestHistogramQuantilesWithinPrecision(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var h histogram
	samples := make([]time.Duration, 20000)
	for i := range samples {
		// Log-uniform from 1µs to about 100ms.
		samples[i] = time.Duration(float64(time.Microsecond) * math.Pow(1e5, rng.Float64()))
		h.record(samples[i])
	}
	slices.Sort(samples)
	for _, q := range []float64{0.5, 0.9, 0.99, 0.999} {
		exact := samples[int(q*float64(len(samples))+0.5)-1]
		got := h.quantile(q)
		if diff := float64(got-exact) / float64(exact); diff < -0.02 || diff > 0.02 {
			t.Errorf("p%g = %s, exact %s (%.1f%% off)", q*100, got, exact, diff*100)
		}
	}
	if h.max != samples[len(samples)-1] {
		t.Errorf("max %s, want %s", h.max, samples[len(samples)-1])
	}
}

func TestHistogramMergeAddsCounts(t *testing.T) {
	var a, b histogram
	a.record(time.Millisecond)
	b.record(3 * time.Millisecond)
	b.record(5 * time.Millisecond)
	a.merge(&b)
	if a.n != 3 || a.max != 5*time.Millisecond || a.mean() != 3*time.Millisecond {
		t.Fatalf("merged n=%d max=%s mean=%s", a.n, a.max, a.mean())
	}
}

func TestParseFlagsRejectsUnboundedSettings(t *testing.T) {
	for _, args := range [][]string{
		{"-duration", "0s"},
		{"-duration", "2h"},
		{"-conns", "0"},
		{"-conns", "8,x"},
		{"-writers", "5000"},
		{"-rounds", "0"},
		{"-schemas", "0"},
		{"-format", "XML"},
		{"-scenarios", "read,write"},
		{"-scenarios", ""},
		{"-compat-fields", "1"},
		{"-mixed-duration", "0s"},
		{"-mixed-writers", "0"},
		{"-instances", "3"},
		{"-instances", "0", "-kafka-brokers", "127.0.0.1:9092"},
		{"extra"},
	} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("parseFlags(%q) accepted", args)
		}
	}
	cfg, err := parseFlags([]string{"-duration", "3s", "-conns", "8,2", "-writers", "4", "-format", "protobuf", "-scenarios", "read,memory"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.duration != 3*time.Second || !slices.Equal(cfg.conns, []int{8, 2}) || !slices.Equal(cfg.writers, []int{4}) ||
		cfg.format != compat.Protobuf || cfg.schemas != 1000 || !slices.Equal(cfg.scenarios, []string{"read", "memory"}) {
		t.Fatalf("parsed %+v", cfg)
	}
}

// TestRunReportsEveryScenario runs the tool end to end on tiny settings:
// the real charter binary and the ceiling each as a process of their own.
// It checks that every scenario (mixed included) runs and reports, never
// how fast.
func TestRunReportsEveryScenario(t *testing.T) {
	cfg := defaultConfig()
	cfg.charter = registrytest.BuildBinary(t)
	cfg.duration, cfg.warmup, cfg.rounds = 200*time.Millisecond, 50*time.Millisecond, 2
	cfg.conns, cfg.writers, cfg.schemas = []int{4, 2}, []int{1, 2}, 20
	cfg.compatVersions, cfg.compatFields, cfg.memorySubjects = 4, 10, 30
	cfg.scenarios, cfg.mixedDuration, cfg.mixedReaders, cfg.mixedWriters = allScenarios, time.Second, 2, 2
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := run(ctx, cfg, &out, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	text := out.String()
	for _, want := range []string{
		"machine: ", "load average at start: ", "load average at end: ",
		"## READ_ID", "| 4 | charter |", "| 4 | ceiling |", "| 2 | charter |", "4 connections: charter/ceiling req/s",
		"## Register", "\n| 1 | ", "\n| 2 | ",
		"## Compatibility", "| AVRO |", "| PROTOBUF |", "| JSON |",
		"## Memory", "RSS per 1k subjects",
		"## Mixed load memory", "| 0s | ", "the same log restarted: ",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "first error") {
		t.Errorf("requests failed:\n%s", text)
	}
}

// TestRegisterOnKafkaInstances runs the register scenario on two
// instances sharing a Kafka topic, forwarding on, and checks that it
// reports the forwarded writes; it needs a broker (CHARTER_KAFKA_BROKERS).
func TestRegisterOnKafkaInstances(t *testing.T) {
	brokers := os.Getenv("CHARTER_KAFKA_BROKERS")
	if brokers == "" {
		t.Skip("CHARTER_KAFKA_BROKERS is not set: skipping the register scenario on Kafka")
	}
	cfg := defaultConfig()
	cfg.charter = registrytest.BuildBinary(t)
	cfg.duration, cfg.warmup, cfg.writers = 300*time.Millisecond, 50*time.Millisecond, []int{4}
	cfg.scenarios, cfg.kafkaBrokers, cfg.instances = []string{"register"}, brokers, 2
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := run(ctx, cfg, &out, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	text := out.String()
	for _, want := range []string{"## Register", "2 instance(s)", "forwarding on", "\n| 4 | ", "forwarded writes per instance"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "first error") {
		t.Errorf("requests failed:\n%s", text)
	}
}
