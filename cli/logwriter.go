package cli

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/charter-registry/charter/internal/jsontext"
)

// requestLogFlushInterval is how long a request log line may wait in the
// buffer before it is written out.
const requestLogFlushInterval = 100 * time.Millisecond

// requestLogBufferBytes is how much the buffer gathers before it is written
// out whatever the time.
const requestLogBufferBytes = 64 << 10

// logWriter gathers log lines and writes them to w in batches. `charter
// serve` logs one JSON line per request; written one by one, each line was
// a write system call and a wake-up of whatever reads stderr, a cost of
// the same order as answering a cached read. Batched, every line is still
// written, in order, within requestLogFlushInterval; a process killed
// outright loses at most the lines of that last interval (lines other
// than request lines are written at once, see bufferedHandler).
type logWriter struct {
	mu   sync.Mutex
	w    io.Writer
	buf  []byte
	stop chan struct{}
	done chan struct{}
	once sync.Once
}

func newLogWriter(w io.Writer) *logWriter {
	lw := &logWriter{w: w, buf: make([]byte, 0, requestLogBufferBytes), stop: make(chan struct{}), done: make(chan struct{})}
	go lw.loop()
	return lw
}

func (lw *logWriter) loop() {
	defer close(lw.done)
	t := time.NewTicker(requestLogFlushInterval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			lw.Flush()
		case <-lw.stop:
			lw.Flush()
			return
		}
	}
}

// Write appends p, writing the buffer out first when p would overflow it.
func (lw *logWriter) Write(p []byte) (int, error) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	if len(lw.buf)+len(p) > requestLogBufferBytes {
		lw.flushLocked()
		if len(p) > requestLogBufferBytes {
			return lw.w.Write(p)
		}
	}
	lw.buf = append(lw.buf, p...)
	return len(p), nil
}

// Flush writes out what the buffer holds.
func (lw *logWriter) Flush() {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	lw.flushLocked()
}

func (lw *logWriter) flushLocked() {
	if len(lw.buf) == 0 {
		return
	}
	// A failed write of the log has nowhere to be reported; the lines are
	// dropped rather than kept to grow the buffer.
	_, _ = lw.w.Write(lw.buf)
	lw.buf = lw.buf[:0]
}

// Close writes out the buffer and stops the flushing goroutine.
func (lw *logWriter) Close() {
	lw.once.Do(func() { close(lw.stop) })
	<-lw.done
}

// bufferedHandler writes its records into a logWriter and writes that out
// at once after every record but a request line: startup, errors and
// warnings reach stderr as soon as they are logged, as before, and only
// the one line per request waits for the next batch.
//
// A request line of the plain logger (no WithAttrs or WithGroup) is
// encoded by appendRequestLine instead of slog's JSON handler: the same
// bytes (a test compares the two), without the handler's generic
// machinery, which was most of what logging cost a cached read.
type bufferedHandler struct {
	slog.Handler
	w       *logWriter
	derived bool // WithAttrs or WithGroup was applied
}

func (h bufferedHandler) Handle(ctx context.Context, r slog.Record) error {
	if !h.derived && r.Message == "request" && r.Level == slog.LevelInfo && h.w.writeRequestLine(r) {
		return nil
	}
	err := h.Handler.Handle(ctx, r)
	if r.Message != "request" || r.Level >= slog.LevelWarn {
		h.w.Flush()
	}
	return err
}

func (h bufferedHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return bufferedHandler{h.Handler.WithAttrs(attrs), h.w, true}
}

func (h bufferedHandler) WithGroup(name string) slog.Handler {
	return bufferedHandler{h.Handler.WithGroup(name), h.w, true}
}

// writeRequestLine appends r as slog's JSON handler (without options)
// would write it, and reports whether it could: a record with a zero
// time, a group, an empty key or a value other than a string, an integer,
// a duration or a boolean is left to the handler.
func (lw *logWriter) writeRequestLine(r slog.Record) bool {
	if r.Time.IsZero() || r.Time.Year() >= 10000 {
		return false
	}
	plain := true
	r.Attrs(func(a slog.Attr) bool {
		switch a.Value.Kind() {
		case slog.KindString, slog.KindInt64, slog.KindUint64, slog.KindDuration, slog.KindBool:
		default:
			plain = false
		}
		plain = plain && a.Key != ""
		return plain
	})
	if !plain {
		return false
	}
	lw.mu.Lock()
	defer lw.mu.Unlock()
	start := len(lw.buf)
	b := append(lw.buf, `{"time":"`...)
	b = r.Time.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","level":"INFO","msg":"request"`...)
	r.Attrs(func(a slog.Attr) bool {
		b = append(b, ',', '"')
		b = jsontext.AppendEscaped(b, a.Key, jsontext.Slog)
		b = append(b, '"', ':')
		switch v := a.Value; v.Kind() {
		case slog.KindString:
			b = append(b, '"')
			b = jsontext.AppendEscaped(b, v.String(), jsontext.Slog)
			b = append(b, '"')
		case slog.KindInt64:
			b = strconv.AppendInt(b, v.Int64(), 10)
		case slog.KindUint64:
			b = strconv.AppendUint(b, v.Uint64(), 10)
		case slog.KindDuration:
			b = strconv.AppendInt(b, int64(v.Duration()), 10)
		case slog.KindBool:
			b = strconv.AppendBool(b, v.Bool())
		}
		return true
	})
	b = append(b, '}', '\n')
	lw.buf = b
	if len(lw.buf) > requestLogBufferBytes {
		// Write out what came before this line, then keep the line.
		line := append([]byte(nil), lw.buf[start:]...)
		lw.buf = lw.buf[:start]
		lw.flushLocked()
		lw.buf = append(lw.buf, line...)
	}
	return true
}
