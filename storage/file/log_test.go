package file_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/charter-registry/charter/storage"
	"github.com/charter-registry/charter/storage/file"
)

func TestLog(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		run  func(t *testing.T, dir string, l *file.Log)
	}{
		{"a record with neither key nor value round trips", func(t *testing.T, dir string, l *file.Log) {
			// Tombstones and empty values are the conformance suite's.
			mustAppend(t, l, rec("a", "<nil>"), rec("b", ""), storage.Record{})
			got := collect(t, l, 0)
			if len(got[2].Key) != 0 || got[2].Value != nil {
				t.Errorf("empty record came back as %+v", got[2])
			}
		}},
		{"append with a done context writes nothing", func(t *testing.T, dir string, l *file.Log) {
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			if _, err := l.Append(cctx, rec("a", "1")); !errors.Is(err, context.Canceled) {
				t.Errorf("append: %v", err)
			}
			if end, _ := l.End(ctx); end != 0 {
				t.Errorf("end = %d", end)
			}
		}},
		{"empty append writes nothing", func(t *testing.T, dir string, l *file.Log) {
			mustAppend(t, l, rec("a", "1"))
			if first := mustAppend(t, l); first != 1 {
				t.Errorf("empty append returned %d", first)
			}
			if end, _ := l.End(ctx); end != 1 {
				t.Errorf("end = %d", end)
			}
		}},
		{"control records are refused", func(t *testing.T, dir string, l *file.Log) {
			if _, err := l.Append(ctx, storage.Record{Control: true}); err == nil {
				t.Error("control record accepted")
			}
		}},
		{"second open of the directory fails naming it", func(t *testing.T, dir string, l *file.Log) {
			l2, err := file.Open(ctx, dir)
			if err == nil {
				l2.Close()
				t.Fatal("second open succeeded")
			}
			if !errors.Is(err, file.ErrLocked) || !strings.Contains(err.Error(), dir) {
				t.Errorf("error %q does not say the directory %s is locked", err, dir)
			}
		}},
		{"directory can be opened again after close", func(t *testing.T, dir string, l *file.Log) {
			mustAppend(t, l, rec("a", "1"))
			l.Close()
			l2 := open(t, dir)
			if got := values(collect(t, l2, 0)); len(got) != 1 {
				t.Errorf("got %v", got)
			}
		}},
		{"compaction without a key function fails", func(t *testing.T, dir string, l *file.Log) {
			if err := l.Compact(ctx); !errors.Is(err, file.ErrNoKeyFunc) {
				t.Errorf("compact: %v", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.run(t, dir, open(t, dir))
		})
	}
}

func TestRecordLimits(t *testing.T) {
	ctx := context.Background()
	big := bytes.Repeat([]byte("x"), 101)
	tests := []struct {
		name string
		rec  storage.Record
		ok   bool
	}{
		{"key at the limit is accepted", storage.Record{Key: big[:100], Value: []byte("v")}, true},
		{"value at the limit is accepted", storage.Record{Key: []byte("k"), Value: big[:100]}, true},
		{"key over the limit is rejected", storage.Record{Key: big, Value: []byte("v")}, false},
		{"value over the limit is rejected", storage.Record{Key: []byte("k"), Value: big}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := open(t, t.TempDir(), file.WithMaxRecordBytes(100))
			_, err := l.Append(ctx, rec("a", "1"), tt.rec)
			if tt.ok != (err == nil) {
				t.Fatalf("append: %v", err)
			}
			if !tt.ok && !errors.Is(err, file.ErrTooLarge) {
				t.Errorf("error %v is not ErrTooLarge", err)
			}
			end, _ := l.End(ctx)
			if want := map[bool]int64{true: 2, false: 0}[tt.ok]; end != want {
				t.Errorf("end = %d, want %d (a rejected batch writes nothing)", end, want)
			}
		})
	}
	if _, err := file.Open(ctx, t.TempDir(), file.WithMaxRecordBytes(0)); err == nil {
		t.Error("a zero record limit was accepted")
	}
}

// TestCleanRestartTruncatesNothing: a log closed cleanly reopens without
// cutting anything; that a reopened log keeps its records and appends
// after them is the conformance suite's.
func TestCleanRestartTruncatesNothing(t *testing.T) {
	dir := t.TempDir()
	l := open(t, dir)
	for i := range 20 {
		v := fmt.Sprint(i)
		if i%5 == 0 {
			v = "<nil>"
		}
		mustAppend(t, l, rec(fmt.Sprint("k", i), v))
	}
	l.Close()
	l = open(t, dir)
	if r := l.Recovery(); r.TruncatedBytes != 0 {
		t.Errorf("clean restart truncated %d bytes", r.TruncatedBytes)
	}
}

// TestTailFromAnyOffset reads a log larger than the index interval from many
// starting points, before and after a compaction, and from a fresh open.
func TestTailFromAnyOffset(t *testing.T) {
	dir := t.TempDir()
	l := open(t, dir, file.WithKeyFunc(jsonKey))
	const n = 3000
	batch := make([]storage.Record, 0, 100)
	for i := range n {
		batch = append(batch, rec(fmt.Sprintf(`{"k":%d}`, i), strings.Repeat("v", 100)+fmt.Sprint(i)))
		if len(batch) == cap(batch) || i%7 == 0 {
			mustAppend(t, l, batch...)
			batch = batch[:0]
		}
	}
	mustAppend(t, l, batch...)
	check := func(stage string, l *file.Log) {
		for _, from := range []int64{0, 1, 99, 100, 1234, 2047, 2999} {
			got := collect(t, l, from)
			if len(got) != int(n-from) || got[0].Offset != from || !strings.HasSuffix(string(got[0].Value), fmt.Sprint("v", from)) {
				t.Fatalf("%s: tail from %d got %d records starting at %d", stage, from, len(got), got[0].Offset)
			}
		}
	}
	check("appended", l)
	if err := l.Compact(context.Background()); err != nil {
		t.Fatal(err)
	}
	check("compacted", l)
	l.Close()
	check("reopened", open(t, dir))
}
