package file

import (
	"context"
	"errors"
	"io"

	"github.com/charter-registry/charter/storage"
)

// stopWalk carries an error of the caller's fn out of walkBody.
type stopWalk struct{ err error }

func (s *stopWalk) Error() string { return s.err.Error() }

// Tail calls fn for every record at or after offset from, in offset order,
// and then waits for more. It returns ctx.Err() when ctx is done, fn's error
// when fn fails, storage.ErrClosed when the log is closed, and a
// *CorruptionError if a frame cannot be read back.
//
// fn owns the Record it gets: the log never reuses its Key or Value. Tail
// reads the file through a buffer; it does not hold the log in memory.
//
// A tailer that is running when Compact swaps files finishes reading the
// old file before it moves to the new one, so it sees every record it had
// not seen yet, tombstones included. A Tail that starts after a compaction
// sees only the records it kept.
func (l *Log) Tail(ctx context.Context, from int64, fn func(storage.Record) error) error {
	from = max(from, 0)
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return storage.ErrClosed
	}
	seg := l.seg
	seg.refs++
	pos := seg.index.lookup(from)
	l.mu.Unlock()
	defer func() {
		l.mu.Lock()
		l.release(seg)
		l.mu.Unlock()
	}()

	next := from
	visit := func(off int64, key, value []byte) error {
		if off < next {
			return nil
		}
		if err := fn(storage.Record{Offset: off, Key: key, Value: value}); err != nil {
			return &stopWalk{err}
		}
		next = off + 1
		return nil
	}
	fr := newFrameReader(256 << 10)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		l.mu.Lock()
		if l.closed {
			l.mu.Unlock()
			return storage.ErrClosed
		}
		limit := seg.size
		if pos >= limit && seg.retired {
			// Compaction replaced this file and the tailer has read all of
			// it: move to the new file, where everything from next on is
			// a copy of what followed in this one.
			s := seg.successor
			s.refs++
			pos = s.index.lookup(next)
			l.release(seg)
			seg = s
			l.mu.Unlock()
			continue
		}
		wait := l.notify
		l.mu.Unlock()

		if pos >= limit {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-wait:
			}
			continue
		}

		fr.reset(seg.f, pos, limit)
		for i := 1; ; i++ {
			framePos := fr.pos
			frame, err := fr.next(nil)
			if err == io.EOF {
				break
			}
			if err == nil {
				_, err = walkBody(frame[frameHeaderSize:], 0, visit)
			}
			if err != nil {
				var stop *stopWalk
				if errors.As(err, &stop) {
					return stop.err
				}
				if isFormatError(err) || errors.Is(err, errRecordEncoding) || errors.Is(err, errOffsetOrder) {
					return &CorruptionError{Path: l.path, Position: framePos, Err: err}
				}
				return err
			}
			pos = fr.pos
			if i%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
				if l.closedFlag.Load() {
					return storage.ErrClosed
				}
			}
		}
	}
}
