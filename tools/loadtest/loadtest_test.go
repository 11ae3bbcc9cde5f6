package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/charter-registry/charter/compat"
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

func TestConfigRejectsNonLoopbackTargets(t *testing.T) {
	cases := []struct {
		target string
		ok     bool
	}{
		{"http://127.0.0.1:8081", true},
		{"http://127.5.0.1:8081", true},
		{"http://[::1]:8081", true},
		{"http://localhost:8081", true},
		{"http://10.0.0.1:8081", false},
		{"http://example.com", false},
		{"https://127.0.0.1:8081", false},
		{"http://0.0.0.0:8081", false},
	}
	for _, c := range cases {
		cfg := defaultConfig()
		cfg.target = c.target
		if err := cfg.validate(); (err == nil) != c.ok {
			t.Errorf("target %s: err = %v, want ok=%v", c.target, err, c.ok)
		}
	}
}

func TestParseFlagsRejectsUnboundedSettings(t *testing.T) {
	for _, args := range [][]string{
		{"-duration", "0s"},
		{"-duration", "2h"},
		{"-conns", "0"},
		{"-rounds", "0"},
		{"-schemas", "0"},
		{"-format", "XML"},
		{"extra"},
	} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("parseFlags(%q) accepted", args)
		}
	}
	cfg, err := parseFlags([]string{"-duration", "3s", "-conns", "8", "-format", "protobuf"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.duration != 3*time.Second || cfg.conns != 8 || cfg.format != compat.Protobuf || cfg.schemas != 1000 {
		t.Fatalf("parsed %+v", cfg)
	}
}

func TestRunDrivesCharterAndCeiling(t *testing.T) {
	defer goleak.VerifyNone(t)
	for _, format := range []compat.Type{compat.Avro, compat.Protobuf, compat.JSON} {
		t.Run(string(format), func(t *testing.T) {
			cfg := defaultConfig()
			cfg.duration, cfg.warmup, cfg.conns, cfg.schemas, cfg.format = 150*time.Millisecond, 50*time.Millisecond, 4, 20, format
			cfg.rounds = 2
			var out bytes.Buffer
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := run(ctx, cfg, &out, slog.New(slog.DiscardHandler)); err != nil {
				t.Fatalf("run: %v\n%s", err, out.String())
			}
			text := out.String()
			for _, want := range []string{"charter ", "ceiling ", "round 1:", "round 2:", "charter/ceiling over all rounds: req/s"} {
				if !strings.Contains(text, want) {
					t.Errorf("output lacks %q:\n%s", want, text)
				}
			}
			if strings.Contains(text, "first error") {
				t.Errorf("requests failed:\n%s", text)
			}
		})
	}
}
