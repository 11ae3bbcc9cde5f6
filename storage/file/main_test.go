package file_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/charter-registry/charter/internal/leaktest"
	"github.com/charter-registry/charter/storage"
	"github.com/charter-registry/charter/storage/file"
)

func TestMain(m *testing.M) {
	leaktest.Main(m)
}

// jsonKey is a KeyFunc that ignores field order and whitespace, like the
// registry's decoding of Confluent keys.
func jsonKey(key []byte) (string, error) {
	var v map[string]any
	if err := json.Unmarshal(key, &v); err != nil {
		return "", err
	}
	b, err := json.Marshal(v)
	return string(b), err
}

var errStop = errors.New("stop")

func open(t testing.TB, dir string, opts ...file.Opt) *file.Log {
	t.Helper()
	l, err := file.Open(context.Background(), dir, opts...)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func dataPath(dir string) string { return filepath.Join(dir, "records.log") }

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

func rec(k, v string) storage.Record {
	r := storage.Record{Key: []byte(k)}
	if v != "<nil>" {
		r.Value = []byte(v)
	}
	return r
}

func mustAppend(t testing.TB, l storage.Appender, recs ...storage.Record) int64 {
	t.Helper()
	first, err := l.Append(context.Background(), recs...)
	if err != nil {
		t.Fatalf("append: %v", err)
	}
	return first
}

// collect tails l from `from` until it has seen every record below End.
func collect(t testing.TB, l storage.Log, from int64) []storage.Record {
	t.Helper()
	end, err := l.End(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return collectUntil(t, l, from, end-1)
}

// collectUntil tails l from `from` until it has seen the record at offset
// last or a later one.
func collectUntil(t testing.TB, l storage.Log, from, last int64) []storage.Record {
	t.Helper()
	if from > last {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var got []storage.Record
	err := l.Tail(ctx, from, func(r storage.Record) error {
		got = append(got, r)
		if r.Offset >= last {
			return errStop
		}
		return nil
	})
	if !errors.Is(err, errStop) {
		t.Fatalf("tail from %d to %d: %v (after %d records)", from, last, err, len(got))
	}
	return got
}

// values renders records as "offset:key=value" for comparisons.
func values(recs []storage.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		v := string(r.Value)
		if r.Value == nil {
			v = "<nil>"
		}
		out[i] = formatRec(r.Offset, string(r.Key), v)
	}
	return out
}

func formatRec(off int64, k, v string) string {
	b, _ := json.Marshal([]any{off, k, v})
	return string(b)
}
