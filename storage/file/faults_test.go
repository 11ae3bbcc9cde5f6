package file_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/charter-registry/charter/storage"
	"github.com/charter-registry/charter/storage/file"
)

// checkWriteError asserts that err is a write failure caused by cause that
// names the log's data file and no other.
func checkWriteError(t *testing.T, err error, dir string, cause error) {
	t.Helper()
	if !errors.Is(err, storage.ErrUnavailable) || !errors.Is(err, cause) {
		t.Fatalf("error %v: want storage.ErrUnavailable wrapping %v", err, cause)
	}
	msg := err.Error()
	if !strings.Contains(msg, dataPath(dir)) || strings.Contains(msg, ".compact") || strings.Contains(msg, ".new") {
		t.Errorf("error %q should name %s and only it", msg, dataPath(dir))
	}
}

func TestWritesRecoverAfterFailure(t *testing.T) {
	cases := []struct {
		name                  string
		write, sync, truncate error
		cause                 error
		probeCause            error // what Probe reports while the faults last
	}{
		{name: "disk full mid-frame", write: syscall.ENOSPC, cause: syscall.ENOSPC, probeCause: syscall.ENOSPC},
		{name: "fsync fails", sync: syscall.EIO, cause: syscall.EIO, probeCause: syscall.EIO},
		// The cut back to the last frame fails too: the half-written
		// frame stays in the file until the next write removes it.
		{name: "disk full and the cut fails", write: syscall.ENOSPC, truncate: syscall.EIO, cause: syscall.ENOSPC, probeCause: syscall.EIO},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			faults := &file.Faults{}
			l := open(t, dir, file.WithFaults(faults))
			mustAppend(t, l, rec("a", "1"), rec("b", "2"))
			good := fileSize(t, dataPath(dir))

			faults.Set(tc.write, tc.sync, tc.truncate)
			_, err := l.Append(ctx, rec("lost", "x"))
			checkWriteError(t, err, dir, tc.cause)
			if err := l.Probe(ctx); err == nil {
				t.Fatal("Probe succeeded while writes fail")
			} else {
				checkWriteError(t, err, dir, tc.probeCause)
			}
			if tc.truncate == nil {
				if got := fileSize(t, dataPath(dir)); got != good {
					t.Errorf("after the failed append the file has %d bytes, want %d (cut back to the last frame)", got, good)
				}
			}
			if end, _ := l.End(ctx); end != 2 {
				t.Errorf("End = %d after a failed append, want 2", end)
			}

			faults.Set(nil, nil, nil)
			if err := l.Probe(ctx); err != nil {
				t.Fatalf("Probe after the cause is gone: %v", err)
			}
			if got := fileSize(t, dataPath(dir)); got != good {
				t.Errorf("after Probe the file has %d bytes, want %d", got, good)
			}
			// The failed batch's offset is given out again.
			if off := mustAppend(t, l, rec("c", "3")); off != 2 {
				t.Errorf("append after recovery got offset %d, want 2", off)
			}
			want := []string{formatRec(0, "a", "1"), formatRec(1, "b", "2"), formatRec(2, "c", "3")}
			if got := values(collect(t, l, 0)); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("records %v, want %v", got, want)
			}
			l.Close()

			re := open(t, dir)
			if r := re.Recovery(); r.TruncatedBytes != 0 {
				t.Errorf("reopen cut %d bytes (%v): the failed frame was left in the file", r.TruncatedBytes, r.Reason)
			}
			if got := values(collect(t, re, 0)); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("after reopen %v, want %v", got, want)
			}
		})
	}
}

// A failed write with nobody appending afterwards: the next append, not
// only Probe, repairs the file first.
func TestAppendRepairsWithoutProbe(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	faults := &file.Faults{}
	l := open(t, dir, file.WithFaults(faults))
	mustAppend(t, l, rec("a", "1"))
	good := fileSize(t, dataPath(dir))
	faults.Set(syscall.ENOSPC, nil, syscall.EIO)
	for range 3 {
		if _, err := l.Append(ctx, rec("lost", strings.Repeat("x", 1000))); err == nil {
			t.Fatal("append succeeded while writes fail")
		}
	}
	if got := fileSize(t, dataPath(dir)); got <= good {
		t.Fatalf("the injected half frame is not in the file (%d bytes, %d before); the test proves nothing", got, good)
	}
	faults.Set(nil, nil, nil)
	if off := mustAppend(t, l, rec("b", "2")); off != 1 {
		t.Errorf("offset %d, want 1", off)
	}
	l.Close()
	re := open(t, dir)
	if r := re.Recovery(); r.TruncatedBytes != 0 {
		t.Errorf("reopen cut %d bytes: the half frame was not removed", r.TruncatedBytes)
	}
	want := []string{formatRec(0, "a", "1"), formatRec(1, "b", "2")}
	if got := values(collect(t, re, 0)); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after reopen %v, want %v", got, want)
	}
}

// After compaction the data file was opened as records.log.compact and
// renamed; a failure must still name records.log.
func TestWriteErrorNamesDataFileAfterCompaction(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	faults := &file.Faults{}
	l := open(t, dir, file.WithFaults(faults), file.WithKeyFunc(jsonKey))
	mustAppend(t, l, rec(`{"k":1}`, "1"), rec(`{"k":1}`, "2"))
	if err := l.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	if names := faults.Names(); len(names) != 2 || !strings.HasSuffix(names[1], ".compact") {
		t.Fatalf("writer files %v: want the compacted file second", names)
	}
	faults.Set(nil, syscall.ENOSPC, nil)
	_, err := l.Append(ctx, rec(`{"k":2}`, "3"))
	checkWriteError(t, err, dir, syscall.ENOSPC)
	faults.Set(nil, nil, nil)
	mustAppend(t, l, rec(`{"k":2}`, "4"))
}

// Concurrent appenders while writes fail on and off: every acknowledged
// record is in the log at its offset after reopening, and no record whose
// append failed is.
func TestNoAcknowledgedRecordLostAcrossFailures(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	faults := &file.Faults{}
	l := open(t, dir, file.WithFaults(faults))
	var (
		mu    sync.Mutex
		acked = map[int64]string{}
		wg    sync.WaitGroup
		fails int
	)
	const writers, each = 8, 60
	toggle := make(chan struct{})
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				v := fmt.Sprintf("w%d-%d", w, i)
				off, err := l.Append(ctx, rec(v, v))
				mu.Lock()
				if err == nil {
					acked[off] = v
				} else {
					if !errors.Is(err, storage.ErrUnavailable) {
						t.Errorf("append: %v", err)
					}
					fails++
				}
				mu.Unlock()
				if w == 0 && i%10 == 0 {
					toggle <- struct{}{}
				}
			}
		}()
	}
	done := make(chan struct{})
	go func() {
		on := false
		for range toggle {
			on = !on
			if on {
				faults.Set(syscall.ENOSPC, nil, nil)
			} else {
				faults.Set(nil, nil, nil)
			}
		}
		close(done)
	}()
	wg.Wait()
	close(toggle)
	<-done
	faults.Set(nil, nil, nil)
	if fails == 0 || len(acked) == 0 {
		t.Fatalf("%d failed and %d acknowledged appends: the test needs both", fails, len(acked))
	}
	l.Close()
	re := open(t, dir)
	got := collect(t, re, 0)
	if len(got) != len(acked) {
		t.Errorf("%d records after reopen, %d acknowledged", len(got), len(acked))
	}
	for _, r := range got {
		if acked[r.Offset] != string(r.Value) {
			t.Errorf("offset %d holds %q, acknowledged %q", r.Offset, r.Value, acked[r.Offset])
		}
	}
	t.Logf("%d acknowledged, %d failed appends", len(acked), fails)
}
