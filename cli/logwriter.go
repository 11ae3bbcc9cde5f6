package cli

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/charter-registry/charter/api"
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
//
// A batch is written outside the lock that lines are appended under: the
// flush takes the filled buffer and leaves an empty one, so requests keep
// appending while a write waits for the reader of stderr (a log collector
// short of CPU), and wait only when the next buffer fills up before that
// write is done. Writes are ordered by their own lock.
type logWriter struct {
	// wmu orders the writes to w; spare, the buffer a write gave back,
	// is the next one to append to.
	wmu   sync.Mutex
	w     io.Writer
	spare []byte
	// mu guards buf and clock.
	mu    sync.Mutex
	buf   []byte
	clock lineClock
	stop  chan struct{}
	done  chan struct{}
	once  sync.Once
}

func newLogWriter(w io.Writer) *logWriter {
	lw := &logWriter{w: w, buf: make([]byte, 0, requestLogBufferBytes), spare: make([]byte, 0, requestLogBufferBytes),
		stop: make(chan struct{}), done: make(chan struct{})}
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

// Write appends p, writing the buffer out first when p would overflow it,
// and a p larger than the buffer right after it.
func (lw *logWriter) Write(p []byte) (int, error) {
	if len(p) > requestLogBufferBytes {
		lw.wmu.Lock()
		defer lw.wmu.Unlock()
		lw.flushLocked()
		return lw.w.Write(p)
	}
	lw.mu.Lock()
	full := len(lw.buf)+len(p) > requestLogBufferBytes
	lw.mu.Unlock()
	if full {
		lw.Flush()
	}
	lw.mu.Lock()
	lw.buf = append(lw.buf, p...)
	lw.mu.Unlock()
	return len(p), nil
}

// Flush writes out what the buffer holds.
func (lw *logWriter) Flush() {
	lw.wmu.Lock()
	defer lw.wmu.Unlock()
	lw.flushLocked()
}

// flushLocked writes out the buffer; the caller holds wmu.
func (lw *logWriter) flushLocked() {
	lw.mu.Lock()
	out := lw.buf
	lw.buf, lw.spare = lw.spare[:0], nil
	lw.mu.Unlock()
	if len(out) > 0 {
		// A failed write of the log has nowhere to be reported; the lines
		// are dropped rather than kept to grow the buffer.
		_, _ = lw.w.Write(out)
	}
	lw.spare = out[:0]
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
// encoded by the logWriter instead of slog's JSON handler: the same
// bytes (a test compares the two), without the handler's generic
// machinery. The API hands it its request lines without a slog.Record
// at all (api.RequestLineHandler): making the record (its attributes,
// the caller's program counter, a clock read) cost more than writing it.
type bufferedHandler struct {
	slog.Handler
	w       *logWriter
	derived bool // WithAttrs or WithGroup was applied
}

var _ api.RequestLineHandler = bufferedHandler{}

func (h bufferedHandler) Handle(ctx context.Context, r slog.Record) error {
	if !h.derived && r.Message == api.RequestMessage && r.Level == slog.LevelInfo && h.w.writeRequestLine(r) {
		return nil
	}
	err := h.Handler.Handle(ctx, r)
	if r.Message != api.RequestMessage || r.Level >= slog.LevelWarn {
		h.w.Flush()
	}
	return err
}

// HandleRequestLine writes l as Handle writes the record of l.
func (h bufferedHandler) HandleRequestLine(l api.RequestLine) bool {
	return !h.derived && h.w.writeLine(l.Time, func(b []byte) []byte {
		b = appendStringAttr(b, "request_id", l.ID)
		b = appendStringAttr(b, "principal", l.Principal)
		b = appendStringAttr(b, "method", l.Method)
		b = appendStringAttr(b, "route", l.Route)
		b = appendStringAttr(b, "path", l.Path)
		b = append(b, `,"status":`...)
		b = strconv.AppendInt(b, int64(l.Status), 10)
		b = append(b, `,"duration":`...)
		return strconv.AppendInt(b, int64(l.Duration), 10)
	})
}

func (h bufferedHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return bufferedHandler{h.Handler.WithAttrs(attrs), h.w, true}
}

func (h bufferedHandler) WithGroup(name string) slog.Handler {
	return bufferedHandler{h.Handler.WithGroup(name), h.w, true}
}

// appendStringAttr appends ,"key":"value" for a key that needs no
// escaping.
func appendStringAttr(b []byte, key, value string) []byte {
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, '"', ':', '"')
	b = jsontext.AppendEscaped(b, value, jsontext.Slog)
	return append(b, '"')
}

// writeRequestLine appends r as slog's JSON handler (without options)
// would write it, and reports whether it could: a record with a zero
// time, a group, an empty key or a value other than a string, an integer,
// a duration or a boolean is left to the handler.
func (lw *logWriter) writeRequestLine(r slog.Record) bool {
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
	return lw.writeLine(r.Time, func(b []byte) []byte {
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
		return b
	})
}

// writeLine appends the INFO request line of time t whose attributes attrs
// appends (each as ,"key":value), and reports whether it could: a zero
// time, or one whose year is not of four digits, is left to slog.
func (lw *logWriter) writeLine(t time.Time, attrs func([]byte) []byte) bool {
	if t.IsZero() || t.Year() >= 10000 || t.Year() < 0 {
		return false
	}
	lw.mu.Lock()
	b := append(lw.buf, `{"time":"`...)
	b = lw.clock.append(b, t)
	b = append(b, `","level":"INFO","msg":"request"`...)
	b = attrs(b)
	b = append(b, '}', '\n')
	lw.buf = b
	full := len(b) >= requestLogBufferBytes
	lw.mu.Unlock()
	if full {
		lw.Flush()
	}
	return true
}

// lineClock formats times as time.RFC3339Nano does, which is what slog's
// JSON handler writes, keeping the text of the last second it formatted:
// request lines come by the thousand per second, and all but the first of
// a second only add their fraction.
type lineClock struct {
	sec    int64
	loc    *time.Location
	prefix []byte // "2006-01-02T15:04:05" of sec in loc
	zone   []byte // "Z07:00" of sec in loc
}

func (c *lineClock) append(b []byte, t time.Time) []byte {
	if sec := t.Unix(); c.prefix == nil || sec != c.sec || t.Location() != c.loc {
		c.sec, c.loc = sec, t.Location()
		c.prefix = t.AppendFormat(c.prefix[:0], "2006-01-02T15:04:05")
		c.zone = t.AppendFormat(c.zone[:0], "Z07:00")
	}
	b = append(b, c.prefix...)
	if ns := t.Nanosecond(); ns != 0 {
		// Nine digits with the trailing zeros left out (".999999999").
		var d [10]byte
		d[0] = '.'
		for i := 9; i >= 1; i-- {
			d[i] = byte('0' + ns%10)
			ns /= 10
		}
		n := 10
		for d[n-1] == '0' {
			n--
		}
		b = append(b, d[:n]...)
	}
	return append(b, c.zone...)
}
