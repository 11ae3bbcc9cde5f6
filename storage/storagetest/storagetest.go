// Package storagetest is the conformance suite of storage.Log: what every
// log (memory, file, Kafka) must do the same way, run by each backend's
// tests against its own instances. Backend-specific behaviour (file
// locking and recovery, Kafka topic validation and batching) stays in the
// backend's own tests.
package storagetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/charter-registry/charter/storage"
)

// Backend opens the logs the suite runs against.
type Backend struct {
	// New returns a new, empty log. The suite closes it; New may also
	// register its own cleanup.
	New func(t *testing.T) storage.Log
	// Reopen, if set, closes l and opens the same log again, as a
	// restarted process would.
	Reopen func(t *testing.T, l storage.Log) storage.Log
	// Serial runs the cases one after another instead of in parallel,
	// for a backend whose instances share something that cannot take
	// concurrent tests.
	Serial bool
}

// wait bounds every wait of the suite. It guards against a hang and is
// no speed check: a loaded machine stays far below it.
const wait = 60 * time.Second

var errStop = errors.New("storagetest: stop")

// Run runs every case of the suite, each on a log of its own.
func Run(t *testing.T, b Backend) {
	for _, c := range cases(b) {
		t.Run(c.name, func(t *testing.T) {
			if !b.Serial {
				t.Parallel()
			}
			l := b.New(t)
			t.Cleanup(func() { _ = l.Close() })
			c.run(t, l)
		})
	}
}

type testCase struct {
	name string
	run  func(t *testing.T, l storage.Log)
}

// Rec is a record with key k and value v; v "<nil>" makes a tombstone.
func Rec(k, v string) storage.Record {
	r := storage.Record{Key: []byte(k)}
	if v != "<nil>" {
		r.Value = []byte(v)
	}
	return r
}

func cases(b Backend) []testCase {
	cs := []testCase{
		{"a new log is empty and ends at zero", func(t *testing.T, l storage.Log) {
			if end := End(t, l); end != 0 {
				t.Fatalf("End of a new log = %d, want 0", end)
			}
		}},
		{"offsets are consecutive from zero across batches", func(t *testing.T, l storage.Log) {
			want := []storage.Record{
				Rec("a", "1"), Rec("b", "2"), Rec("a", "<nil>"), // one batch
				{Key: []byte("empty"), Value: []byte{}}, // an empty value is not a tombstone
				Rec("c", "3"),
			}
			for _, batch := range []struct{ from, to, first int }{{0, 3, 0}, {3, 4, 3}, {4, 5, 4}} {
				if first := Append(t, l, want[batch.from:batch.to]...); first != int64(batch.first) {
					t.Fatalf("Append of records %d..%d at %d, want %d", batch.from, batch.to-1, first, batch.first)
				}
			}
			if end := End(t, l); end != 5 {
				t.Fatalf("End = %d, want 5", end)
			}
			got := Collect(t, l, 0)
			if len(got) != len(want) {
				t.Fatalf("tail delivered %d records, want %d", len(got), len(want))
			}
			for i, w := range want {
				Check(t, got[i], int64(i), w)
			}
		}},
		{"a tombstone and an empty value stay distinct", func(t *testing.T, l storage.Log) {
			Append(t, l, Rec("a", "<nil>"), Rec("b", ""))
			got := Collect(t, l, 0)
			if got[0].Value != nil {
				t.Errorf("tombstone came back as %q", got[0].Value)
			}
			if got[1].Value == nil || len(got[1].Value) != 0 {
				t.Errorf("empty value came back as %#v", got[1].Value)
			}
		}},
		{"a tail from the middle starts there", func(t *testing.T, l storage.Log) {
			Append(t, l, Rec("a", "1"), Rec("b", "2"), Rec("c", "3"))
			got := Collect(t, l, 1)
			if len(got) != 2 {
				t.Fatalf("tail from 1 delivered %d records, want 2", len(got))
			}
			Check(t, got[0], 1, Rec("b", "2"))
			Check(t, got[1], 2, Rec("c", "3"))
		}},
		{"a tail waits for new records", func(t *testing.T, l storage.Log) {
			col := StartTail(t, l, 0)
			Append(t, l, Rec("a", "1"))
			Check(t, col.Next(t), 0, Rec("a", "1"))
			// The tail has read everything there is and now waits.
			Append(t, l, Rec("b", "2"))
			Check(t, col.Next(t), 1, Rec("b", "2"))
		}},
		{"a tail beyond the end waits for its offset", func(t *testing.T, l storage.Log) {
			Append(t, l, Rec("a", "1"))
			ahead := StartTail(t, l, 3)
			Append(t, l, Rec("b", "2"), Rec("c", "3"), Rec("d", "4"))
			Check(t, ahead.Next(t), 3, Rec("d", "4"))
		}},
		{"appended slices are copied", func(t *testing.T, l storage.Log) {
			k := []byte("a")
			Append(t, l, storage.Record{Key: k, Value: k})
			k[0] = 'z'
			if got := Collect(t, l, 0); string(got[0].Key) != "a" || string(got[0].Value) != "a" {
				t.Errorf("record changed to %q=%q", got[0].Key, got[0].Value)
			}
		}},
		{"records handed to fn are not reused", func(t *testing.T, l storage.Log) {
			for i := range 50 {
				Append(t, l, Rec(fmt.Sprint("k", i), fmt.Sprint("v", i)))
			}
			for i, r := range Collect(t, l, 0) {
				if string(r.Value) != fmt.Sprint("v", i) {
					t.Fatalf("record %d value changed to %q", i, r.Value)
				}
			}
		}},
		{"a tail returns when its context ends", func(t *testing.T, l storage.Log) {
			ctx, cancel := context.WithCancel(context.Background())
			errc := make(chan error, 1)
			go func() { errc <- l.Tail(ctx, 0, func(storage.Record) error { return nil }) }()
			cancel()
			select {
			case err := <-errc:
				if !errors.Is(err, context.Canceled) {
					t.Errorf("Tail returned %v, want context.Canceled", err)
				}
			case <-time.After(wait):
				t.Fatal("Tail did not return after its context ended")
			}
		}},
		{"an error from fn stops the tail", func(t *testing.T, l storage.Log) {
			Append(t, l, Rec("a", "1"), Rec("b", "2"))
			boom := errors.New("boom")
			var seen []int64
			err := l.Tail(context.Background(), 0, func(r storage.Record) error {
				seen = append(seen, r.Offset)
				return boom
			})
			if !errors.Is(err, boom) || len(seen) != 1 {
				t.Fatalf("Tail returned %v after %v, want boom after one record", err, seen)
			}
		}},
		{"close ends pending tails and later calls", func(t *testing.T, l storage.Log) {
			Append(t, l, Rec("a", "1"))
			errc := make(chan error, 2)
			read := make(chan struct{}, 2)
			for range 2 {
				go func() {
					errc <- l.Tail(context.Background(), 0, func(storage.Record) error {
						read <- struct{}{}
						return nil
					})
				}()
			}
			// Both tails have read the one record and now wait for more.
			for range 2 {
				<-read
			}
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			for range 2 {
				select {
				case err := <-errc:
					if !errors.Is(err, storage.ErrClosed) {
						t.Errorf("Tail after Close returned %v, want storage.ErrClosed", err)
					}
				case <-time.After(wait):
					t.Fatal("Tail did not return after Close")
				}
			}
			ctx := context.Background()
			if _, err := l.Append(ctx, Rec("b", "2")); !errors.Is(err, storage.ErrClosed) {
				t.Errorf("Append after Close: %v, want storage.ErrClosed", err)
			}
			if _, err := l.End(ctx); !errors.Is(err, storage.ErrClosed) {
				t.Errorf("End after Close: %v, want storage.ErrClosed", err)
			}
			if err := l.Tail(ctx, 0, func(storage.Record) error { return nil }); !errors.Is(err, storage.ErrClosed) {
				t.Errorf("Tail after Close: %v, want storage.ErrClosed", err)
			}
			if err := l.Close(); err != nil {
				t.Errorf("second Close: %v", err)
			}
		}},
		{"concurrent appends get contiguous offsets of their own", func(t *testing.T, l storage.Log) {
			concurrentAppends(t, l, b.Reopen)
		}},
	}
	if b.Reopen != nil {
		cs = append(cs, testCase{"a reopened log keeps its records and appends after them", func(t *testing.T, l storage.Log) {
			var want []storage.Record
			for i := range 20 {
				v := fmt.Sprint(i)
				if i%5 == 0 {
					v = "<nil>"
				}
				r := Rec(fmt.Sprint("k", i), v)
				Append(t, l, r)
				want = append(want, r)
			}
			l = b.Reopen(t, l)
			t.Cleanup(func() { _ = l.Close() })
			if end := End(t, l); end != 20 {
				t.Fatalf("End after reopen = %d, want 20", end)
			}
			got := Collect(t, l, 0)
			for i, w := range want {
				Check(t, got[i], int64(i), w)
			}
			if first := Append(t, l, Rec("next", "x")); first != 20 {
				t.Errorf("Append after reopen at %d, want 20", first)
			}
			l = b.Reopen(t, l)
			t.Cleanup(func() { _ = l.Close() })
			if end := End(t, l); end != 21 {
				t.Errorf("End after a second reopen = %d, want 21", end)
			}
		}})
	}
	return cs
}

// concurrentAppends appends batches from several goroutines and checks
// that the log has no gap, that every batch is contiguous and that every
// Append returned its batch's first offset, also after a reopen.
func concurrentAppends(t *testing.T, l storage.Log, reopen func(*testing.T, storage.Log) storage.Log) {
	const writers, batches = 8, 25
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
				recs := make([]storage.Record, 1+(w+b)%4)
				for i := range recs {
					recs[i] = Rec(id, fmt.Sprint(i))
				}
				ctx, cancel := context.WithTimeout(context.Background(), wait)
				first, err := l.Append(ctx, recs...)
				cancel()
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
	check(Collect(t, l, 0))
	if reopen != nil {
		l = reopen(t, l)
		t.Cleanup(func() { _ = l.Close() })
		check(Collect(t, l, 0))
	}
}

// Append appends recs and fails the test on error.
func Append(t testing.TB, l storage.Appender, recs ...storage.Record) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	first, err := l.Append(ctx, recs...)
	if err != nil {
		t.Fatalf("Append: %v", err)
	}
	return first
}

// End returns l.End and fails the test on error.
func End(t testing.TB, l storage.Ender) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	end, err := l.End(ctx)
	if err != nil {
		t.Fatalf("End: %v", err)
	}
	return end
}

// Collect tails l from offset from until it has delivered every record
// below End.
func Collect(t testing.TB, l storage.Log, from int64) []storage.Record {
	t.Helper()
	end := End(t, l)
	if from >= end {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	var got []storage.Record
	err := l.Tail(ctx, from, func(r storage.Record) error {
		if r.Control {
			return nil
		}
		got = append(got, r)
		if r.Offset >= end-1 {
			return errStop
		}
		return nil
	})
	if !errors.Is(err, errStop) {
		t.Fatalf("Tail from %d: %v", from, err)
	}
	return got
}

// Check compares a delivered record with the expected one, keeping the
// difference between a nil Value (tombstone) and an empty one.
func Check(t testing.TB, got storage.Record, offset int64, want storage.Record) {
	t.Helper()
	if got.Offset != offset || string(got.Key) != string(want.Key) ||
		string(got.Value) != string(want.Value) || (got.Value == nil) != (want.Value == nil) || got.Control {
		t.Fatalf("record at %d: got {offset %d key %q value %q nil=%v control=%v}, want key %q value %q nil=%v",
			offset, got.Offset, got.Key, got.Value, got.Value == nil, got.Control,
			want.Key, want.Value, want.Value == nil)
	}
}

// Tail is a Tail running in the background, as StartTail starts it.
type Tail struct {
	ch chan storage.Record
}

// StartTail runs l.Tail from offset from until the test ends.
func StartTail(t testing.TB, l storage.Log, from int64) *Tail {
	t.Helper()
	tl := &Tail{ch: make(chan storage.Record, 1024)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = l.Tail(ctx, from, func(r storage.Record) error {
			if !r.Control {
				tl.ch <- r
			}
			return nil
		})
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return tl
}

// Next returns the next record the tail delivered.
func (tl *Tail) Next(t testing.TB) storage.Record {
	t.Helper()
	select {
	case r := <-tl.ch:
		return r
	case <-time.After(wait):
		t.Fatalf("no record from Tail within %s", wait)
		return storage.Record{}
	}
}
