package cli

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
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

// TestRequestLinesAreWhatSlogWrites compares the request-line encoder with
// log/slog's JSON handler, byte for byte, over values that need escaping.
func TestRequestLinesAreWhatSlogWrites(t *testing.T) {
	strs := []string{"", "plain", `quo"te`, `back\slash`, "new\nline\r\ttab", "\x00\x01\x1f\x7f", "<&>",
		"ünïcödé", "bad\xffutf8", "\xe2\x28\xa1", "line\u2028sep\u2029", "/subjects/a%2Fb/versions/1", strings.Repeat("x", 300)}
	at := time.Date(2026, 12, 4, 22, 21, 2, 904485627, time.UTC)
	for i, s := range strs {
		for _, tm := range []time.Time{at, at.Truncate(time.Second), at.In(time.FixedZone("x", 3600))} {
			r := slog.NewRecord(tm, slog.LevelInfo, "request", 0)
			r.AddAttrs(slog.String("request_id", s), slog.String(s+"k", "principal"), slog.String("method", "GET"),
				slog.Int("status", 200+i), slog.Duration("duration", time.Duration(i)*time.Microsecond),
				slog.Uint64("u", uint64(i)), slog.Bool("b", i%2 == 0))
			var want bytes.Buffer
			if err := slog.NewJSONHandler(&want, nil).Handle(context.Background(), r); err != nil {
				t.Fatal(err)
			}
			var got recorder
			lw := newLogWriter(&got)
			if !lw.writeRequestLine(r) {
				t.Fatalf("record %d not encoded", i)
			}
			lw.Close()
			if got.text() != want.String() {
				t.Errorf("record %q:\n got %s\nwant %s", s, got.text(), want.String())
			}
		}
	}
	// Kinds the encoder does not know go to slog.
	r := slog.NewRecord(at, slog.LevelInfo, "request", 0)
	r.AddAttrs(slog.Any("error", io.EOF))
	lw := newLogWriter(io.Discard)
	defer lw.Close()
	if lw.writeRequestLine(r) {
		t.Error("a record with an error value was encoded by hand")
	}
}
