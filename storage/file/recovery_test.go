package file_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/charter-registry/charter/storage/file"
)

// writeLog appends n single-record batches to a new log in dir and returns
// the file size after each append (sizes[0] is the size before the first).
// The last append happens as if the process died right after it: the
// checkpoint is the one from before it, so the last frame is beyond the
// checkpoint, where a crash can tear it.
func writeLog(t *testing.T, dir string, n int) []int64 {
	t.Helper()
	l := open(t, dir)
	sizes := []int64{fileSize(t, dataPath(dir))}
	for i := range n - 1 {
		mustAppend(t, l, rec(fmt.Sprintf(`{"k":%d}`, i), fmt.Sprintf("value-%d", i)))
		sizes = append(sizes, fileSize(t, dataPath(dir)))
	}
	l.Close()
	crashBeforeCheckpoint(t, dir, func(l *file.Log) {
		mustAppend(t, l, rec(fmt.Sprintf(`{"k":%d}`, n-1), fmt.Sprintf("value-%d", n-1)))
		sizes = append(sizes, fileSize(t, dataPath(dir)))
	})
	return sizes
}

// crashBeforeCheckpoint opens the log in dir, runs write, closes the log
// and puts back the checkpoint from before write: what a crash leaves when
// it comes after write's frames were fsync'd but before the checkpointer
// wrote them down.
func crashBeforeCheckpoint(t *testing.T, dir string, write func(l *file.Log)) {
	t.Helper()
	l := open(t, dir)
	saved, err := os.ReadFile(filepath.Join(dir, "records.checkpoint"))
	if err != nil {
		t.Fatal(err)
	}
	write(l)
	l.Close()
	if err := os.WriteFile(filepath.Join(dir, "records.checkpoint"), saved, 0o644); err != nil {
		t.Fatal(err)
	}
}

func wantRecords(n int) []string {
	var want []string
	for i := range n {
		want = append(want, formatRec(int64(i), fmt.Sprintf(`{"k":%d}`, i), fmt.Sprintf("value-%d", i)))
	}
	return want
}

func truncateTo(t *testing.T, path string, size int64) {
	t.Helper()
	if err := os.Truncate(path, size); err != nil {
		t.Fatal(err)
	}
}

func appendBytes(t *testing.T, path string, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(b); err != nil {
		t.Fatal(err)
	}
}

// flipByte inverts the bits of the byte at pos.
func flipByte(t *testing.T, path string, pos int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, pos); err != nil {
		t.Fatal(err)
	}
	b[0] ^= 0xFF
	if _, err := f.WriteAt(b, pos); err != nil {
		t.Fatal(err)
	}
}

func TestTornTailIsTruncated(t *testing.T) {
	const n = 5
	garbage := make([]byte, 200)
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := range garbage {
		garbage[i] = byte(rnd.Uint32())
	}
	tests := []struct {
		name string
		// damage returns how many intact records remain.
		damage func(t *testing.T, path string, sizes []int64) int
	}{
		{"cut inside the last frame header", func(t *testing.T, path string, sizes []int64) int {
			truncateTo(t, path, sizes[n-1]+7)
			return n - 1
		}},
		{"cut inside the last frame body", func(t *testing.T, path string, sizes []int64) int {
			truncateTo(t, path, sizes[n]-2)
			return n - 1
		}},
		{"cut right after the last frame header", func(t *testing.T, path string, sizes []int64) int {
			truncateTo(t, path, sizes[n-1]+16)
			return n - 1
		}},
		{"checksum mismatch in the last frame", func(t *testing.T, path string, sizes []int64) int {
			flipByte(t, path, sizes[n]-1)
			return n - 1
		}},
		{"garbage after the last frame", func(t *testing.T, path string, sizes []int64) int {
			appendBytes(t, path, garbage)
			return n
		}},
		{"zeros after the last frame", func(t *testing.T, path string, sizes []int64) int {
			appendBytes(t, path, make([]byte, 4096))
			return n
		}},
		{"a few bytes after the last frame", func(t *testing.T, path string, sizes []int64) int {
			appendBytes(t, path, []byte{1, 2, 3})
			return n
		}},
		{"cut frame followed by garbage", func(t *testing.T, path string, sizes []int64) int {
			truncateTo(t, path, sizes[n]-4)
			appendBytes(t, path, garbage)
			return n - 1
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := dataPath(dir)
			sizes := writeLog(t, dir, n)
			kept := tt.damage(t, path, sizes)
			damaged := fileSize(t, path)

			var logBuf bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&logBuf, nil))
			l := open(t, dir, file.WithLogger(logger))
			rep := l.Recovery()
			if rep.TruncatedAt != sizes[kept] || rep.TruncatedBytes != damaged-sizes[kept] || rep.Reason == nil {
				t.Errorf("recovery = %+v, want truncation at %d of %d bytes", rep, sizes[kept], damaged-sizes[kept])
			}
			if !strings.Contains(logBuf.String(), "torn tail") {
				t.Errorf("truncation was not logged: %q", logBuf.String())
			}
			if got := fileSize(t, path); got != sizes[kept] {
				t.Errorf("file is %d bytes after open, want %d", got, sizes[kept])
			}
			if got := values(collect(t, l, 0)); !slices.Equal(got, wantRecords(kept)) {
				t.Errorf("got %v, want %v", got, wantRecords(kept))
			}
			if first := mustAppend(t, l, rec(`{"k":"new"}`, "new")); first != int64(kept) {
				t.Errorf("append after recovery at %d, want %d", first, kept)
			}
			l.Close()

			l = open(t, dir)
			if rep := l.Recovery(); rep.TruncatedBytes != 0 {
				t.Errorf("second open truncated again: %+v", rep)
			}
			got := values(collect(t, l, 0))
			want := append(wantRecords(kept), formatRec(int64(kept), `{"k":"new"}`, "new"))
			if !slices.Equal(got, want) {
				t.Errorf("after reopen got %v, want %v", got, want)
			}
		})
	}
}

func TestMidFileCorruptionIsAnError(t *testing.T) {
	const n = 5
	tests := []struct {
		name string
		// damage returns the position of the damaged frame.
		damage func(t *testing.T, path string, sizes []int64) int64
	}{
		{"flipped byte in a record", func(t *testing.T, path string, sizes []int64) int64 {
			flipByte(t, path, sizes[2]-3)
			return sizes[1]
		}},
		{"flipped byte in a frame magic", func(t *testing.T, path string, sizes []int64) int64 {
			flipByte(t, path, sizes[1])
			return sizes[1]
		}},
		{"flipped byte in a frame length", func(t *testing.T, path string, sizes []int64) int64 {
			flipByte(t, path, sizes[2]+5)
			return sizes[2]
		}},
		{"flipped byte in the first frame", func(t *testing.T, path string, sizes []int64) int64 {
			flipByte(t, path, sizes[0]+20)
			return sizes[0]
		}},
		{"damaged file header", func(t *testing.T, path string, sizes []int64) int64 {
			flipByte(t, path, 3)
			return 0
		}},
		{"file shorter than its header", func(t *testing.T, path string, sizes []int64) int64 {
			truncateTo(t, path, 5)
			return 0
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := dataPath(dir)
			sizes := writeLog(t, dir, n)
			pos := tt.damage(t, path, sizes)
			before := fileSize(t, path)

			l, err := file.Open(context.Background(), dir)
			if err == nil {
				l.Close()
				t.Fatal("open accepted a corrupt log")
			}
			var ce *file.CorruptionError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v is not a CorruptionError", err)
			}
			if ce.Path != path || ce.Position != pos {
				t.Errorf("corruption reported at %s:%d, want %s:%d", ce.Path, ce.Position, path, pos)
			}
			if !strings.Contains(err.Error(), fmt.Sprint(pos)) {
				t.Errorf("message %q does not name position %d", err, pos)
			}
			if after := fileSize(t, path); after != before {
				t.Errorf("open changed the corrupt file from %d to %d bytes", before, after)
			}
			// The lock is released after a failed open.
			if l, err := file.Open(context.Background(), dir); err == nil || errors.Is(err, file.ErrLocked) {
				if l != nil {
					l.Close()
				}
				t.Errorf("second open: %v", err)
			}
		})
	}
}

// TestBatchIsAtomic cuts a multi-record batch at several points and checks
// that reopening drops the whole batch, never a prefix of it.
func TestBatchIsAtomic(t *testing.T) {
	for _, cut := range []string{"after the first record", "inside the second record", "before the last byte"} {
		t.Run("cut "+cut, func(t *testing.T) {
			dir := t.TempDir()
			path := dataPath(dir)
			l := open(t, dir)
			mustAppend(t, l, rec("a", "1"))
			before := fileSize(t, path)
			l.Close()
			var after int64
			crashBeforeCheckpoint(t, dir, func(l *file.Log) {
				mustAppend(t, l, rec("b", "2"), rec("c", "3"), rec("d", "4"))
				after = fileSize(t, path)
			})

			// Frame header 16, body header 12, each record 5 bytes here.
			at := map[string]int64{
				"after the first record":   before + 16 + 12 + 5,
				"inside the second record": before + 16 + 12 + 7,
				"before the last byte":     after - 1,
			}[cut]
			truncateTo(t, path, at)

			l = open(t, dir)
			got := values(collect(t, l, 0))
			if want := []string{formatRec(0, "a", "1")}; !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
			if end, _ := l.End(context.Background()); end != 1 {
				t.Errorf("end = %d, want 1", end)
			}
		})
	}
}
