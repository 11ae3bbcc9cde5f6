package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charter-registry/charter/api"
	"github.com/charter-registry/charter/internal/cputime"
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

// slogLine is what slog's JSON handler writes for r.
func slogLine(t *testing.T, r slog.Record) string {
	t.Helper()
	var want bytes.Buffer
	if err := slog.NewJSONHandler(&want, nil).Handle(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	return want.String()
}

// TestRequestLineTimesAreWhatSlogWrites runs one writer through times
// that share a second, cross seconds, days and years, change zone and
// have fractions with and without trailing zeros, comparing every line
// with slog's: the writer keeps the text of the last second it formatted
// and must never serve it for another second or zone.
func TestRequestLineTimesAreWhatSlogWrites(t *testing.T) {
	base := time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC)
	plus := time.FixedZone("plus", 5*3600+30*60)
	minus := time.FixedZone("minus", -8*3600)
	times := []time.Time{
		base, base.Add(1), base.Add(10), base.Add(100 * time.Millisecond), base.Add(123456789),
		base.Add(999999999), base.Add(time.Second), base.Add(time.Second + 5000),
		base.In(plus), base.Add(7).In(plus), base.Add(7), base.Add(7).In(minus), base.Add(7).In(time.Local),
		time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		base.Add(-time.Second), base,
	}
	var got recorder
	lw := newLogWriter(&got)
	var want strings.Builder
	for i, tm := range times {
		r := slog.NewRecord(tm, slog.LevelInfo, "request", 0)
		r.AddAttrs(slog.Int("n", i))
		want.WriteString(slogLine(t, r))
		if !lw.writeRequestLine(r) {
			t.Fatalf("time %d (%s) not encoded", i, tm)
		}
	}
	lw.Close()
	if got.text() != want.String() {
		t.Errorf("lines differ:\n got %s\nwant %s", got.text(), want.String())
	}
}

// TestAPIRequestLinesAreWhatSlogWrites checks that the serve logger's
// HandleRequestLine writes what slog writes for the record the API would
// log otherwise (api.RequestLine.Attrs), over values that need escaping,
// and that a derived logger leaves it to slog.
func TestAPIRequestLinesAreWhatSlogWrites(t *testing.T) {
	at := time.Date(2026, 12, 6, 22, 21, 2, 904485627, time.UTC)
	lines := []api.RequestLine{
		{Time: at, ID: "0123456789abcdef", Method: "GET", Route: "/schemas/ids/:id", Path: "/schemas/ids/7", Status: 200, Duration: 12345 * time.Nanosecond},
		{Time: at.Add(time.Millisecond), ID: `cl"ient\id` + "\n\u2028", Principal: "ünï\xff", Method: "DELETE", Route: "unmatched",
			Path: "/subjects/a%2Fb/versions/1", Status: 404, Duration: 0},
		{Time: at.Truncate(time.Second).In(time.FixedZone("x", 3600)), Status: 500, Duration: -1},
	}
	var got recorder
	lw := newLogWriter(&got)
	logger, err := newLogger("info", lw)
	if err != nil {
		t.Fatal(err)
	}
	h, ok := logger.Handler().(api.RequestLineHandler)
	if !ok {
		t.Fatal("the serve logger's handler writes no request lines")
	}
	var want strings.Builder
	for i, l := range lines {
		r := slog.NewRecord(l.Time, slog.LevelInfo, api.RequestMessage, 0)
		r.AddAttrs(l.Attrs()...)
		want.WriteString(slogLine(t, r))
		if !h.HandleRequestLine(l) {
			t.Fatalf("line %d not written", i)
		}
	}
	lw.Close()
	if got.text() != want.String() {
		t.Errorf("lines differ:\n got %s\nwant %s", got.text(), want.String())
	}
	derived, ok := logger.With("k", "v").Handler().(api.RequestLineHandler)
	if ok && derived.HandleRequestLine(lines[0]) {
		t.Error("a derived logger wrote a request line without its attributes")
	}
}

// BenchmarkRequestLine logs the request line of a read by id through the
// serve logger into a discarding writer: as a slog record (how every
// request was logged before api.RequestLineHandler), and as the API now
// hands it over.
func BenchmarkRequestLine(b *testing.B) {
	lw := newLogWriter(io.Discard)
	defer lw.Close()
	logger, err := newLogger("info", lw)
	if err != nil {
		b.Fatal(err)
	}
	l := api.RequestLine{ID: "0123456789abcdef", Method: "GET", Route: "/schemas/ids/:id", Path: "/schemas/ids/1234", Status: 200, Duration: 23456}
	ctx := context.Background()
	b.Run("record", func(b *testing.B) {
		b.ReportAllocs()
		cpu, _ := cputime.Process()
		for b.Loop() {
			logger.LogAttrs(ctx, slog.LevelInfo, api.RequestMessage, l.Attrs()...)
		}
		reportCPU(b, cpu)
	})
	h := logger.Handler().(api.RequestLineHandler)
	b.Run("line", func(b *testing.B) {
		b.ReportAllocs()
		cpu, _ := cputime.Process()
		for b.Loop() {
			l.Time = time.Now()
			h.HandleRequestLine(l)
		}
		reportCPU(b, cpu)
	})
}

// reportCPU reports the process's CPU time per iteration since from
// (cpu-ns/op): on a machine whose cores are shared, ns/op counts the time
// spent waiting for one as well.
func reportCPU(b *testing.B, from time.Duration) {
	if end, ok := cputime.Process(); ok {
		b.ReportMetric(cputime.PerOp(from, end, b.N)*float64(time.Millisecond), "cpu-ns/op")
	}
}

// gate is a writer whose first Write waits until released: a log
// collector that has stopped reading.
type gate struct {
	entered, release chan struct{}
	once             sync.Once
	out              recorder
}

func (g *gate) Write(p []byte) (int, error) {
	g.once.Do(func() {
		close(g.entered)
		<-g.release
	})
	return g.out.Write(p)
}

// TestRequestLinesAppendWhileAWriteWaits: while a batch's write waits
// for the reader of stderr, requests still append their lines, and every
// line from concurrent requests is written once, each request's in order.
func TestRequestLinesAppendWhileAWriteWaits(t *testing.T) {
	g := &gate{entered: make(chan struct{}), release: make(chan struct{})}
	lw := newLogWriter(g)
	logger, err := newLogger("info", lw)
	if err != nil {
		t.Fatal(err)
	}
	h := logger.Handler().(api.RequestLineHandler)
	line := func(worker, n int) api.RequestLine {
		return api.RequestLine{Time: time.Now(), ID: fmt.Sprintf("w%d", worker), Method: "GET", Status: n}
	}
	h.HandleRequestLine(line(0, 0))
	flushed := make(chan struct{})
	go func() {
		defer close(flushed)
		lw.Flush()
	}()
	<-g.entered
	// The write of line 0 waits; appending does not.
	h.HandleRequestLine(line(0, 1))
	close(g.release)
	<-flushed

	const workers, lines = 8, 3000
	var wg sync.WaitGroup
	for w := 1; w <= workers; w++ {
		wg.Go(func() {
			for n := range lines {
				h.HandleRequestLine(line(w, n))
			}
		})
	}
	wg.Wait()
	lw.Close()
	next := map[string]int{}
	for l := range strings.Lines(g.out.text()) {
		var e struct {
			ID     string `json:"request_id"`
			Status int    `json:"status"`
		}
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("not a JSON line: %q", l)
		}
		if e.Status != next[e.ID] {
			t.Fatalf("%s: line %d where %d was next", e.ID, e.Status, next[e.ID])
		}
		next[e.ID]++
	}
	if next["w0"] != 2 {
		t.Fatalf("w0 wrote %d of 2 lines", next["w0"])
	}
	for w := 1; w <= workers; w++ {
		if id := fmt.Sprintf("w%d", w); next[id] != lines {
			t.Fatalf("%s: %d of %d lines written", id, next[id], lines)
		}
	}
}
