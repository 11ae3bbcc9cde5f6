package kafka

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/charter-registry/charter/storage"
)

// testLogger writes to the test log at warn level and above, or at debug
// level with CHARTER_TEST_DEBUG set.
func testLogger(t testing.TB) *slog.Logger {
	lvl := slog.LevelWarn
	if os.Getenv("CHARTER_TEST_DEBUG") != "" {
		lvl = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: lvl}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(string(p))
	return len(p), nil
}

// collector gathers the records a Tail delivers.
type collector struct {
	ch chan storage.Record
}

func newCollector() *collector { return &collector{ch: make(chan storage.Record, 1024)} }

func (c *collector) fn(r storage.Record) error {
	c.ch <- r
	return nil
}

// next returns the next record, failing the test after a generous wait
// (a hang guard, not a speed check).
func (c *collector) next(t *testing.T) storage.Record {
	t.Helper()
	select {
	case r := <-c.ch:
		return r
	case <-time.After(60 * time.Second):
		t.Fatal("no record from Tail within 60s")
		return storage.Record{}
	}
}

// startTail runs l.Tail in the background and returns its collector and a
// function that stops it and returns Tail's error.
func startTail(t *testing.T, l *Log, from int64) (*collector, func() error) {
	t.Helper()
	c := newCollector()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- l.Tail(ctx, from, c.fn) }()
	stop := sync.OnceValue(func() error {
		cancel()
		select {
		case err := <-errc:
			return err
		case <-time.After(60 * time.Second):
			t.Error("Tail did not return within 60s of its context's end")
			return nil
		}
	})
	t.Cleanup(func() { _ = stop() })
	return c, stop
}

// mustAppend appends and fails the test on error.
func mustAppend(t *testing.T, l *Log, recs ...storage.Record) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	first, err := l.Append(ctx, recs...)
	if err != nil {
		t.Fatalf("Append: %v", err)
	}
	return first
}

// mustEnd returns l.End and fails the test on error.
func mustEnd(t *testing.T, l *Log) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	end, err := l.End(ctx)
	if err != nil {
		t.Fatalf("End: %v", err)
	}
	return end
}

func rec(k, v string) storage.Record {
	return storage.Record{Key: []byte(k), Value: []byte(v)}
}

func tombstone(k string) storage.Record {
	return storage.Record{Key: []byte(k)}
}

// checkRecord compares a delivered record with the expected one, keeping
// the difference between a nil Value (tombstone) and an empty one.
func checkRecord(t *testing.T, got storage.Record, offset int64, want storage.Record) {
	t.Helper()
	if got.Offset != offset || string(got.Key) != string(want.Key) ||
		string(got.Value) != string(want.Value) || (got.Value == nil) != (want.Value == nil) || got.Control {
		t.Fatalf("record at %d: got {offset %d key %q value %q nil=%v control=%v}, want key %q value %q nil=%v",
			offset, got.Offset, got.Key, got.Value, got.Value == nil, got.Control,
			want.Key, want.Value, want.Value == nil)
	}
}

// wantUnavailable checks err wraps storage.ErrUnavailable.
func wantUnavailable(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, storage.ErrUnavailable) {
		t.Fatalf("%s: got %v, want an error wrapping storage.ErrUnavailable", what, err)
	}
}
