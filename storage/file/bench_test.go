package file

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/charter-registry/charter/storage"
)

// benchRecord returns a record shaped like a registry SCHEMA record.
func benchRecord(i int) storage.Record {
	key := fmt.Sprintf(`{"keytype":"SCHEMA","subject":"orders-value-%d","version":%d,"magic":1}`, i%5000, i/5000+1)
	value := fmt.Sprintf(`{"subject":"orders-value-%d","version":%d,"id":%d,"schema":"{\"type\":\"record\",\"name\":\"Order\",\"fields\":[{\"name\":\"id\",\"type\":\"long\"},{\"name\":\"amount\",\"type\":\"double\"}]}","deleted":false}`, i%5000, i/5000+1, i+1)
	return storage.Record{Key: []byte(key), Value: []byte(value)}
}

func BenchmarkAppend(b *testing.B) {
	ctx := context.Background()
	report := func(b *testing.B, records int) {
		s := b.Elapsed().Seconds()
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(records), "ns/record")
		b.ReportMetric(float64(records)/s, "records/s")
	}
	single := func(opts ...Opt) func(b *testing.B) {
		return func(b *testing.B) {
			l, err := Open(ctx, b.TempDir(), opts...)
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			r := benchRecord(1)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := l.Append(ctx, r); err != nil {
					b.Fatal(err)
				}
			}
			report(b, b.N)
		}
	}
	b.Run("single", single())
	// What the checkpoint would cost if it were written after every group
	// commit instead of at most once per DefaultCheckpointInterval.
	b.Run("single/checkpoint=every-commit", single(WithCheckpointInterval(0)))
	b.Run("batch=100", func(b *testing.B) {
		l, err := Open(ctx, b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		defer l.Close()
		recs := make([]storage.Record, 100)
		for i := range recs {
			recs[i] = benchRecord(i)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			if _, err := l.Append(ctx, recs...); err != nil {
				b.Fatal(err)
			}
		}
		report(b, b.N*len(recs))
	})
	b.Run("parallel", func(b *testing.B) {
		l, err := Open(ctx, b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		defer l.Close()
		r := benchRecord(1)
		b.SetParallelism(32) // many appenders per core: they share fsyncs
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := l.Append(ctx, r); err != nil {
					b.Error(err)
					return
				}
			}
		})
		report(b, b.N)
	})
}

// BenchmarkReplay measures Open plus a Tail of the whole log, with one
// record per frame (the layout that single-record writes produce, and the
// slowest to read). The 1M variant is skipped under -short.
func BenchmarkReplay(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		name := fmt.Sprintf("records=%dk", n/1000)
		if n >= 1_000_000 {
			name = fmt.Sprintf("records=%dM", n/1_000_000)
		}
		b.Run(name, func(b *testing.B) {
			if n >= 1_000_000 && testing.Short() {
				b.Skip("1M-record replay skipped under -short")
			}
			dir := b.TempDir()
			size, err := writeBenchLog(dir, n)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			stop := errors.New("caught up")
			b.SetBytes(size)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				l, err := Open(ctx, dir)
				if err != nil {
					b.Fatal(err)
				}
				seen := 0
				err = l.Tail(ctx, 0, func(r storage.Record) error {
					seen++
					if r.Offset == int64(n-1) {
						return stop
					}
					return nil
				})
				if !errors.Is(err, stop) || seen != n {
					b.Fatalf("replay saw %d records: %v", seen, err)
				}
				l.Close()
			}
			per := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / float64(n)
			b.ReportMetric(per, "ns/record")
			b.ReportMetric(float64(time.Second)/per, "records/s")
		})
	}
}

// writeBenchLog writes a data file of n single-record frames directly,
// without the fsync per frame that Append would do.
func writeBenchLog(dir string, n int) (int64, error) {
	f, err := os.Create(filepath.Join(dir, dataName))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	size := int64(0)
	put := func(b []byte) {
		w.Write(b)
		size += int64(len(b))
	}
	put(fileHeader())
	var frame []byte
	for i := range n {
		r := benchRecord(i)
		frame = appendRecord(beginFrame(frame[:0]), 0, r.Key, r.Value)
		finishFrame(frame, int64(i), 1)
		put(frame)
	}
	if err := w.Flush(); err != nil {
		return 0, err
	}
	return size, f.Sync()
}
