package memory_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/charter-registry/charter/internal/leaktest"
	"github.com/charter-registry/charter/storage"
	"github.com/charter-registry/charter/storage/memory"
)

func TestMain(m *testing.M) { leaktest.Main(m) }

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
