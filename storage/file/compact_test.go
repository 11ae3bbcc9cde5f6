package file_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/charter-registry/charter/storage"
	"github.com/charter-registry/charter/storage/file"
)

func TestCompact(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		recs    []storage.Record
		want    []string
		wantEnd int64
	}{
		{
			name: "latest record per logical key is kept",
			recs: []storage.Record{
				rec(`{"subject":"a","version":1}`, "old"),
				rec(`{"subject":"b","version":1}`, "b"),
				rec(`{ "version":1, "subject":"a" }`, "new"),
			},
			want:    []string{formatRec(1, `{"subject":"b","version":1}`, "b"), formatRec(2, `{ "version":1, "subject":"a" }`, "new")},
			wantEnd: 3,
		},
		{
			name: "tombstones and what they delete are dropped",
			recs: []storage.Record{
				rec(`{"k":1}`, "1"),
				rec(`{"k":2}`, "2"),
				rec(`{"k":1}`, "<nil>"),
				rec(`{"k":3}`, "<nil>"),
			},
			want:    []string{formatRec(1, `{"k":2}`, "2")},
			wantEnd: 4,
		},
		{
			name: "a key written again after its tombstone is kept",
			recs: []storage.Record{
				rec(`{"k":1}`, "1"),
				rec(`{"k":1}`, "<nil>"),
				rec(`{"k":1}`, "again"),
			},
			want:    []string{formatRec(2, `{"k":1}`, "again")},
			wantEnd: 3,
		},
		{
			name: "empty values are not tombstones",
			recs: []storage.Record{
				rec(`{"k":1}`, "1"),
				rec(`{"k":1}`, ""),
			},
			want:    []string{formatRec(1, `{"k":1}`, "")},
			wantEnd: 2,
		},
		{
			name:    "a log that compacts to nothing keeps its end",
			recs:    []storage.Record{rec(`{"k":1}`, "1"), rec(`{"k":1}`, "<nil>")},
			wantEnd: 2,
		},
		{
			name: "an empty log compacts to an empty log",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			l := open(t, dir, file.WithKeyFunc(jsonKey))
			for _, r := range tt.recs {
				mustAppend(t, l, r)
			}
			check := func(stage string, l *file.Log) {
				t.Helper()
				end, err := l.End(ctx)
				if err != nil || end != tt.wantEnd {
					t.Fatalf("%s: end = %d, %v; want %d", stage, end, err, tt.wantEnd)
				}
				var got []string
				if len(tt.want) > 0 {
					got = values(collectUntil(t, l, 0, lastOffset(t, tt.want)))
				}
				if !slices.Equal(got, tt.want) {
					t.Errorf("%s: got %v, want %v", stage, got, tt.want)
				}
			}
			if err := l.Compact(ctx); err != nil {
				t.Fatal(err)
			}
			check("after compaction", l)
			if err := l.Compact(ctx); err != nil {
				t.Fatal(err)
			}
			check("after a second compaction", l)
			l.Close()

			l = open(t, dir, file.WithKeyFunc(jsonKey))
			check("after restart", l)
			if first := mustAppend(t, l, rec(`{"k":"next"}`, "n")); first != tt.wantEnd {
				t.Errorf("append after compaction at %d, want %d", first, tt.wantEnd)
			}
			if _, err := os.Stat(filepath.Join(dir, "records.log.compact")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("temporary file left behind: %v", err)
			}
		})
	}
}

func TestCompactShrinksFile(t *testing.T) {
	dir := t.TempDir()
	l := open(t, dir, file.WithKeyFunc(jsonKey))
	for i := range 200 {
		mustAppend(t, l, rec(fmt.Sprintf(`{"k":%d}`, i%10), fmt.Sprint(i)))
	}
	before := fileSize(t, dataPath(dir))
	if err := l.Compact(context.Background()); err != nil {
		t.Fatal(err)
	}
	after := fileSize(t, dataPath(dir))
	if after*5 > before {
		t.Errorf("compaction shrank the file only from %d to %d bytes", before, after)
	}
	got := collect(t, l, 0)
	if len(got) != 10 || got[0].Offset != 190 {
		t.Errorf("got %v", values(got))
	}
	// Tail from inside the compacted range starts at the next kept record.
	if got := collect(t, l, 195); len(got) != 5 || got[0].Offset != 195 {
		t.Errorf("tail from 195: %v", values(got))
	}
}

func TestCompactRejectsBadKey(t *testing.T) {
	dir := t.TempDir()
	l := open(t, dir, file.WithKeyFunc(jsonKey))
	mustAppend(t, l, rec(`{"a":1}`, "1"), rec(`not json`, "2"), rec(`{"a":1}`, "3"))
	before := fileSize(t, dataPath(dir))
	if err := l.Compact(context.Background()); err == nil {
		t.Fatal("compaction accepted an undecodable key")
	}
	if got := collect(t, l, 0); len(got) != 3 {
		t.Errorf("failed compaction changed the log: %v", values(got))
	}
	if after := fileSize(t, dataPath(dir)); after != before {
		t.Errorf("file changed from %d to %d bytes", before, after)
	}
	mustAppend(t, l, rec(`{"a":2}`, "4"))
}

// TestCompactWhileAppendingAndTailing runs compactions while writers append
// and a tailer reads. The tailer, which was running throughout, must see
// every record in order (it finishes each old file before it moves to the
// new one). A tailer started afterwards sees the compacted log, and both
// build the same final state.
func TestCompactWhileAppendingAndTailing(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := t.TempDir()
	l := open(t, dir, file.WithKeyFunc(jsonKey))

	const writers, perWriter = 4, 60
	const total = 1 + writers*perWriter
	mustAppend(t, l, rec(`{"k":0}`, "start"))

	var seen []storage.Record
	started := make(chan struct{})
	tailDone := make(chan error, 1)
	go func() {
		tailDone <- l.Tail(ctx, 0, func(r storage.Record) error {
			if r.Offset == 0 {
				close(started)
			}
			seen = append(seen, r)
			if r.Offset == total-1 {
				return errStop
			}
			return nil
		})
	}()
	<-started

	var wg sync.WaitGroup
	errs := make(chan error, writers+1)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				v := fmt.Sprint(w, "-", i)
				if i%5 == 4 {
					v = "<nil>"
				}
				if _, err := l.Append(ctx, rec(fmt.Sprintf(`{"k":%d}`, (w*perWriter+i)%7), v)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range 5 {
			if err := l.Compact(ctx); err != nil {
				errs <- err
				return
			}
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if err := <-tailDone; !errors.Is(err, errStop) {
		t.Fatalf("tail: %v", err)
	}
	if len(seen) != total {
		t.Fatalf("running tailer saw %d records, want %d", len(seen), total)
	}
	for i, r := range seen {
		if r.Offset != int64(i) {
			t.Fatalf("running tailer: record %d has offset %d", i, r.Offset)
		}
	}

	if err := l.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	if end, _ := l.End(ctx); end != total {
		t.Errorf("end after compaction = %d, want %d", end, total)
	}
	full := state(t, seen)
	lastLive := int64(-1)
	for _, r := range seen {
		k, _ := jsonKey(r.Key)
		if v, ok := full[k]; ok && v == string(r.Value) {
			lastLive = max(lastLive, r.Offset)
		}
	}
	compacted := collectUntil(t, l, 0, lastLive)
	if got := state(t, compacted); !mapsEqual(got, full) {
		t.Errorf("compacted state %v, full replay state %v", got, full)
	}
	l.Close()
	l = open(t, dir, file.WithKeyFunc(jsonKey))
	if got := state(t, collectUntil(t, l, 0, lastLive)); !mapsEqual(got, full) {
		t.Errorf("state after restart %v, want %v", got, full)
	}
}

// lastOffset returns the offset of the last record rendered by formatRec.
func lastOffset(t *testing.T, recs []string) int64 {
	t.Helper()
	var v []any
	if err := json.Unmarshal([]byte(recs[len(recs)-1]), &v); err != nil {
		t.Fatal(err)
	}
	return int64(v[0].(float64))
}

// state applies records the way the registry does: the latest value per
// logical key, with tombstones deleting.
func state(t *testing.T, recs []storage.Record) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, r := range recs {
		k, err := jsonKey(r.Key)
		if err != nil {
			t.Fatal(err)
		}
		if r.Value == nil {
			delete(m, k)
		} else {
			m[k] = string(r.Value)
		}
	}
	return m
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestCloseDuringCompaction(t *testing.T) {
	dir := t.TempDir()
	l, err := file.Open(context.Background(), dir, file.WithKeyFunc(jsonKey))
	if err != nil {
		t.Fatal(err)
	}
	recs := make([]storage.Record, 2000)
	for i := range recs {
		recs[i] = rec(fmt.Sprintf(`{"k":%d}`, i%100), fmt.Sprint(i))
	}
	mustAppend(t, l, recs...)
	errc := make(chan error)
	go func() { errc <- l.Compact(context.Background()) }()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil && !errors.Is(err, storage.ErrClosed) {
		t.Fatalf("compact: %v", err)
	}
	// Whichever won, the log reopens with the same live state.
	l = open(t, dir, file.WithKeyFunc(jsonKey))
	got := state(t, collectUntil(t, l, 0, 1999))
	if len(got) != 100 {
		t.Errorf("%d live keys after reopen, want 100", len(got))
	}
}
