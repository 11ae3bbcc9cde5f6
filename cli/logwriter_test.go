package cli

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// recorder keeps every Write it gets.
type recorder struct {
	mu     sync.Mutex
	writes []string
}

func (r *recorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.writes = append(r.writes, string(p))
	return len(p), nil
}

func (r *recorder) text() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.writes, "")
}

// TestRequestLinesAreBatchedAndNeverLost pins the serve logger: request
// lines wait in the buffer, any other line writes them out with itself,
// in order, and closing writes what is left.
func TestRequestLinesAreBatchedAndNeverLost(t *testing.T) {
	var out recorder
	lw := newLogWriter(&out)
	logger, err := newLogger("info", lw)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		logger.Info("request", slog.Int("n", i))
	}
	logger.Warn("something else")
	got := out.text()
	for _, want := range []string{`"msg":"request","n":0`, `"msg":"request","n":1`, `"msg":"request","n":2`, `"msg":"something else"`} {
		if !strings.Contains(got, want) {
			t.Fatalf("after a warning the log lacks %s:\n%s", want, got)
		}
	}
	if strings.Index(got, `"n":2`) > strings.Index(got, "something else") {
		t.Fatalf("lines out of order:\n%s", got)
	}
	logger.Info("request", slog.Int("n", 3))
	lw.Close()
	if got := out.text(); !strings.Contains(got, `"n":3`) || strings.Count(got, "\n") != 5 {
		t.Fatalf("after Close the log is:\n%s", got)
	}

	// A line larger than the buffer is written whole.
	var big recorder
	lw = newLogWriter(&big)
	line := bytes.Repeat([]byte("x"), requestLogBufferBytes+1)
	if _, err := lw.Write(line); err != nil {
		t.Fatal(err)
	}
	lw.Close()
	if got := big.text(); len(got) != len(line) {
		t.Fatalf("wrote %d bytes of a %d-byte line", len(got), len(line))
	}
}
