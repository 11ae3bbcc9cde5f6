package file_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
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
		{"new log is empty and ends at zero", func(t *testing.T, dir string, l *file.Log) {
			if end, err := l.End(ctx); err != nil || end != 0 {
				t.Fatalf("end = %d, %v", end, err)
			}
		}},
		{"offsets are consecutive from zero across batches", func(t *testing.T, dir string, l *file.Log) {
			if first := mustAppend(t, l, rec("a", "1"), rec("b", "2")); first != 0 {
				t.Errorf("first batch at %d", first)
			}
			if first := mustAppend(t, l, rec("c", "3")); first != 2 {
				t.Errorf("second batch at %d", first)
			}
			want := []string{formatRec(0, "a", "1"), formatRec(1, "b", "2"), formatRec(2, "c", "3")}
			if got := values(collect(t, l, 0)); !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
			if end, _ := l.End(ctx); end != 3 {
				t.Errorf("end = %d", end)
			}
		}},
		{"tail from the middle starts there", func(t *testing.T, dir string, l *file.Log) {
			mustAppend(t, l, rec("a", "1"), rec("b", "2"), rec("c", "3"))
			if got := values(collect(t, l, 1)); len(got) != 2 || got[0] != formatRec(1, "b", "2") {
				t.Errorf("got %v", got)
			}
		}},
		{"tombstone and empty value round trip distinctly", func(t *testing.T, dir string, l *file.Log) {
			mustAppend(t, l, rec("a", "<nil>"), rec("b", ""), storage.Record{})
			got := collect(t, l, 0)
			if got[0].Value != nil {
				t.Errorf("tombstone came back as %q", got[0].Value)
			}
			if got[1].Value == nil || len(got[1].Value) != 0 {
				t.Errorf("empty value came back as %#v", got[1].Value)
			}
			if len(got[2].Key) != 0 || got[2].Value != nil {
				t.Errorf("empty record came back as %+v", got[2])
			}
		}},
		{"records handed to fn are not reused", func(t *testing.T, dir string, l *file.Log) {
			for i := range 50 {
				mustAppend(t, l, rec(fmt.Sprint("k", i), fmt.Sprint("v", i)))
			}
			got := collect(t, l, 0)
			for i, r := range got {
				if string(r.Value) != fmt.Sprint("v", i) {
					t.Fatalf("record %d value changed to %q", i, r.Value)
				}
			}
		}},
		{"tail waits for new records", func(t *testing.T, dir string, l *file.Log) {
			done := make(chan []string)
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
				done <- values(got)
			}()
			mustAppend(t, l, rec("a", "1"))
			<-first // the tail has read everything there is and now waits
			mustAppend(t, l, rec("b", "2"))
			if got := <-done; len(got) != 2 || got[1] != formatRec(1, "b", "2") {
				t.Errorf("got %v", got)
			}
		}},
		{"tail returns when its context ends", func(t *testing.T, dir string, l *file.Log) {
			cctx, cancel := context.WithCancel(ctx)
			errc := make(chan error)
			go func() { errc <- l.Tail(cctx, 0, func(storage.Record) error { return nil }) }()
			cancel()
			if err := <-errc; !errors.Is(err, context.Canceled) {
				t.Errorf("tail returned %v", err)
			}
		}},
		{"fn error stops the tail", func(t *testing.T, dir string, l *file.Log) {
			mustAppend(t, l, rec("a", "1"), rec("b", "2"))
			boom := errors.New("boom")
			n := 0
			if err := l.Tail(ctx, 0, func(storage.Record) error { n++; return boom }); !errors.Is(err, boom) || n != 1 {
				t.Errorf("err %v after %d calls", err, n)
			}
		}},
		{"close ends pending tails and later calls", func(t *testing.T, dir string, l *file.Log) {
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
			if err := l.Tail(ctx, 0, func(storage.Record) error { return nil }); !errors.Is(err, storage.ErrClosed) {
				t.Errorf("tail after close: %v", err)
			}
			if err := l.Close(); err != nil {
				t.Errorf("second close: %v", err)
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

func TestRestartPreservesRecords(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l := open(t, dir)
	var want []string
	for i := range 20 {
		v := fmt.Sprint(i)
		if i%5 == 0 {
			v = "<nil>"
		}
		first := mustAppend(t, l, rec(fmt.Sprint("k", i), v))
		want = append(want, formatRec(first, fmt.Sprint("k", i), v))
	}
	l.Close()

	l = open(t, dir)
	if got := values(collect(t, l, 0)); !slices.Equal(got, want) {
		t.Fatalf("after restart got %v, want %v", got, want)
	}
	if r := l.Recovery(); r.TruncatedBytes != 0 {
		t.Errorf("clean restart truncated %d bytes", r.TruncatedBytes)
	}
	if first := mustAppend(t, l, rec("next", "x")); first != 20 {
		t.Errorf("append after restart at %d, want 20", first)
	}
	l.Close()
	l = open(t, dir)
	if end, _ := l.End(ctx); end != 21 {
		t.Errorf("end after second restart = %d", end)
	}
}

// TestConcurrentAppenders checks that batches from many goroutines, which
// share frames and fsyncs, end up as one gap-free log in which every batch
// is contiguous and every Append returned its batch's first offset.
func TestConcurrentAppenders(t *testing.T) {
	const writers, batches = 8, 25
	dir := t.TempDir()
	l := open(t, dir)
	var wg sync.WaitGroup
	var mu sync.Mutex
	firsts := map[string]int64{} // batch id -> first offset
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range batches {
				id := fmt.Sprintf("w%d-b%d", w, b)
				n := 1 + (w+b)%4
				recs := make([]storage.Record, n)
				for i := range recs {
					recs[i] = rec(id, fmt.Sprint(i))
				}
				first, err := l.Append(context.Background(), recs...)
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				firsts[id] = first
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	check := func(got []storage.Record) {
		t.Helper()
		for i, r := range got {
			if r.Offset != int64(i) {
				t.Fatalf("record %d has offset %d", i, r.Offset)
			}
			first, ok := firsts[string(r.Key)]
			if !ok {
				t.Fatalf("record %d belongs to no batch", i)
			}
			if want := fmt.Sprint(r.Offset - first); string(r.Value) != want {
				t.Fatalf("record %d of batch %s is %q, want %q: batch not contiguous", i, r.Key, r.Value, want)
			}
		}
	}
	got := collect(t, l, 0)
	check(got)
	l.Close()
	check(collect(t, open(t, dir), 0))
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
