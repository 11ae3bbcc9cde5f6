package memory_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/charter-registry/charter/storage"
	"github.com/charter-registry/charter/storage/memory"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// jsonKey is a KeyFunc that ignores field order and whitespace.
func jsonKey(key []byte) (string, error) {
	var v map[string]any
	if err := json.Unmarshal(key, &v); err != nil {
		return "", err
	}
	b, err := json.Marshal(v)
	return string(b), err
}

var errStop = errors.New("stop")

// collect tails l from `from` until it has seen every record below End.
func collect(t *testing.T, l storage.Log, from int64) []storage.Record {
	t.Helper()
	end, err := l.End(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return collectUntil(t, l, from, end-1)
}

// collectUntil tails l from `from` until it has seen the record at offset
// last (or a later one).
func collectUntil(t *testing.T, l storage.Log, from, last int64) []storage.Record {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var got []storage.Record
	if from > last {
		return nil
	}
	err := l.Tail(ctx, from, func(r storage.Record) error {
		got = append(got, r)
		if r.Offset >= last {
			return errStop
		}
		return nil
	})
	if !errors.Is(err, errStop) {
		t.Fatalf("tail: %v", err)
	}
	return got
}

func rec(k, v string) storage.Record {
	r := storage.Record{Key: []byte(k)}
	if v != "<nil>" {
		r.Value = []byte(v)
	}
	return r
}

func TestLog(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		run  func(t *testing.T, l *memory.Log)
	}{
		{"offsets are consecutive from zero across batches", func(t *testing.T, l *memory.Log) {
			first, err := l.Append(ctx, rec("a", "1"), rec("b", "2"))
			if err != nil || first != 0 {
				t.Fatalf("first batch at %d, %v", first, err)
			}
			first, err = l.Append(ctx, rec("c", "3"))
			if err != nil || first != 2 {
				t.Fatalf("second batch at %d, %v", first, err)
			}
			got := collect(t, l, 0)
			for i, r := range got {
				if r.Offset != int64(i) {
					t.Errorf("record %d has offset %d", i, r.Offset)
				}
			}
			if end, _ := l.End(ctx); end != 3 {
				t.Errorf("end = %d, want 3", end)
			}
		}},
		{"tail from the middle skips earlier records", func(t *testing.T, l *memory.Log) {
			mustAppend(t, l, rec("a", "1"), rec("b", "2"), rec("c", "3"))
			got := collect(t, l, 1)
			if len(got) != 2 || string(got[0].Key) != "b" {
				t.Fatalf("got %v", got)
			}
		}},
		{"tombstone stays distinct from empty value", func(t *testing.T, l *memory.Log) {
			mustAppend(t, l, rec("a", "<nil>"), rec("b", ""))
			got := collect(t, l, 0)
			if got[0].Value != nil {
				t.Errorf("tombstone came back as %q", got[0].Value)
			}
			if got[1].Value == nil {
				t.Errorf("empty value came back as a tombstone")
			}
		}},
		{"appended slices are copied", func(t *testing.T, l *memory.Log) {
			k := []byte("a")
			mustAppend(t, l, storage.Record{Key: k, Value: k})
			k[0] = 'z'
			if got := collect(t, l, 0); string(got[0].Key) != "a" {
				t.Errorf("key changed to %q", got[0].Key)
			}
		}},
		{"tail waits for new records", func(t *testing.T, l *memory.Log) {
			done := make(chan []storage.Record)
			first := make(chan struct{})
			go func() {
				var got []storage.Record
				_ = l.Tail(ctx, 0, func(r storage.Record) error {
					got = append(got, r)
					if len(got) == 1 {
						close(first)
					}
					if len(got) == 2 {
						return errStop
					}
					return nil
				})
				done <- got
			}()
			mustAppend(t, l, rec("a", "1"))
			<-first // the tail has read everything there is and now waits
			mustAppend(t, l, rec("b", "2"))
			if got := <-done; len(got) != 2 || got[1].Offset != 1 {
				t.Errorf("got %v", got)
			}
		}},
		{"tail returns when its context ends", func(t *testing.T, l *memory.Log) {
			cctx, cancel := context.WithCancel(ctx)
			errc := make(chan error)
			go func() { errc <- l.Tail(cctx, 0, func(storage.Record) error { return nil }) }()
			cancel()
			if err := <-errc; !errors.Is(err, context.Canceled) {
				t.Errorf("tail returned %v", err)
			}
		}},
		{"close ends pending tails and later calls", func(t *testing.T, l *memory.Log) {
			mustAppend(t, l, rec("a", "1"))
			errc := make(chan error)
			read := make(chan struct{}, 1)
			go func() {
				errc <- l.Tail(ctx, 0, func(storage.Record) error {
					read <- struct{}{}
					return nil
				})
			}()
			<-read // the tail has read the one record and now waits for more
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			if err := <-errc; !errors.Is(err, storage.ErrClosed) {
				t.Errorf("tail returned %v", err)
			}
			if _, err := l.Append(ctx, rec("a", "1")); !errors.Is(err, storage.ErrClosed) {
				t.Errorf("append after close: %v", err)
			}
			if _, err := l.End(ctx); !errors.Is(err, storage.ErrClosed) {
				t.Errorf("end after close: %v", err)
			}
		}},
		{"fn error stops the tail", func(t *testing.T, l *memory.Log) {
			mustAppend(t, l, rec("a", "1"), rec("b", "2"))
			boom := errors.New("boom")
			n := 0
			err := l.Tail(ctx, 0, func(storage.Record) error { n++; return boom })
			if !errors.Is(err, boom) || n != 1 {
				t.Errorf("err %v after %d calls", err, n)
			}
		}},
		{"control records keep their flag and carry no data", func(t *testing.T, l *memory.Log) {
			mustAppend(t, l, rec("a", "1"), storage.Record{Control: true, Key: []byte("x")})
			got := collect(t, l, 0)
			if got[0].Control || !got[1].Control || got[1].Key != nil || got[1].Offset != 1 {
				t.Errorf("got %+v", got)
			}
		}},
		{"compaction without a key function fails", func(t *testing.T, l *memory.Log) {
			if err := l.Compact(ctx); !errors.Is(err, memory.ErrNoKeyFunc) {
				t.Errorf("compact: %v", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := memory.New()
			defer l.Close()
			tt.run(t, l)
		})
	}
}

func mustAppend(t *testing.T, l storage.Appender, recs ...storage.Record) int64 {
	t.Helper()
	first, err := l.Append(context.Background(), recs...)
	if err != nil {
		t.Fatal(err)
	}
	return first
}

func TestCompact(t *testing.T) {
	ctx := context.Background()
	l := memory.New(memory.WithKeyFunc(jsonKey))
	defer l.Close()
	mustAppend(t, l,
		rec(`{"a":1,"b":2}`, "old"),    // 0: superseded by 2
		rec(`{"x":1}`, "x1"),           // 1: deleted by 3
		rec(`{ "b":2, "a":1 }`, "new"), // 2: kept
		rec(`{"x":1}`, "<nil>"),        // 3: tombstone, dropped
		rec(`{"c":3}`, "c"),            // 4: kept
		rec(`{"gone":true}`, "<nil>"),  // 5: tombstone without earlier record
		storage.Record{Control: true},  // 6: control record, dropped
	)
	if err := l.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	got := collectUntil(t, l, 0, 4)
	want := []struct {
		off int64
		val string
	}{{2, "new"}, {4, "c"}}
	if len(got) != len(want) {
		t.Fatalf("got %d records: %v", len(got), got)
	}
	for i, w := range want {
		if got[i].Offset != w.off || string(got[i].Value) != w.val {
			t.Errorf("record %d = %d/%q, want %d/%q", i, got[i].Offset, got[i].Value, w.off, w.val)
		}
	}
	if end, _ := l.End(ctx); end != 7 {
		t.Errorf("end after compaction = %d, want 7", end)
	}
	if first := mustAppend(t, l, rec(`{"d":4}`, "d")); first != 7 {
		t.Errorf("append after compaction at %d, want 7", first)
	}
}

func TestCompactRejectsBadKey(t *testing.T) {
	l := memory.New(memory.WithKeyFunc(jsonKey))
	defer l.Close()
	mustAppend(t, l, rec(`{"a":1}`, "1"), rec(`not json`, "2"), rec(`{"a":1}`, "3"))
	if err := l.Compact(context.Background()); err == nil {
		t.Fatal("compaction accepted an undecodable key")
	}
	if got := collect(t, l, 0); len(got) != 3 {
		t.Errorf("failed compaction changed the log: %d records", len(got))
	}
}

// TestTailerDuringCompaction checks that a tailer which is running while the
// log is compacted still sees every record, tombstones included, so the
// state it builds matches a full replay.
func TestTailerDuringCompaction(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l := memory.New(memory.WithKeyFunc(jsonKey))
	defer l.Close()

	const n = 400
	var mu sync.Mutex
	var seen []storage.Record
	done := make(chan error)
	started := make(chan struct{})
	mustAppend(t, l, rec(`{"k":0}`, "<nil>"))
	go func() {
		done <- l.Tail(ctx, 0, func(r storage.Record) error {
			mu.Lock()
			seen = append(seen, r)
			mu.Unlock()
			if r.Offset == 0 {
				close(started)
			}
			if r.Offset == n-1 {
				return errStop
			}
			return nil
		})
	}()
	<-started // the tailer is running before the first compaction
	for i := 1; i < n; i++ {
		v := fmt.Sprint(i)
		if i%7 == 0 {
			v = "<nil>"
		}
		mustAppend(t, l, rec(fmt.Sprintf(`{"k":%d}`, i%10), v))
		if i%50 == 49 {
			if err := l.Compact(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := <-done; !errors.Is(err, errStop) {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	for i, r := range seen {
		if r.Offset != int64(i) {
			t.Fatalf("record %d has offset %d: tailer missed records", i, r.Offset)
		}
	}
	if len(seen) != n {
		t.Fatalf("tailer saw %d records, want %d", len(seen), n)
	}
}
