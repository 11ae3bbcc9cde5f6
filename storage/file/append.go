package file

import (
	"context"
	"fmt"

	"github.com/charter-registry/charter/storage"
)

// group is one frame being filled by appenders while the writer is busy
// with the previous one. All its batches become durable with one write and
// one fsync, or none does.
type group struct {
	frame []byte // built with beginFrame
	base  int64
	count int
	done  chan struct{} // closed once written (or failed)
	err   error         // set before done is closed
}

// Append writes recs as one batch and returns the offset of the first
// record. It returns once the batch is on disk (fsync'd): after a crash
// either every record of the batch is in the log or none is. Batches that
// arrive while another is being synced share the next write and fsync.
//
// The Offset fields of recs are ignored; the log assigns consecutive
// offsets. A nil Value is a tombstone, distinct from an empty Value. Control
// records are not supported. A key or value larger than the configured
// maximum fails the whole batch with ErrTooLarge.
//
// If ctx ends before the batch is durable Append returns ctx.Err(), and the
// batch may still be written. Any other error means the log failed: the
// batch may or may not be on disk, and the log refuses further appends
// until it is reopened.
func (l *Log) Append(ctx context.Context, recs ...storage.Record) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	size := 0
	for i, r := range recs {
		if r.Control {
			return 0, fmt.Errorf("file: append record %d: control records are not supported", i)
		}
		if len(r.Key) > l.cfg.maxRecordBytes {
			return 0, fmt.Errorf("file: append record %d: key of %d bytes exceeds the maximum of %d: %w", i, len(r.Key), l.cfg.maxRecordBytes, ErrTooLarge)
		}
		if len(r.Value) > l.cfg.maxRecordBytes {
			return 0, fmt.Errorf("file: append record %d: value of %d bytes exceeds the maximum of %d: %w", i, len(r.Value), l.cfg.maxRecordBytes, ErrTooLarge)
		}
		size += recordSize(r.Key, r.Value)
		if size > maxFrameBody-bodyHeaderSize {
			return 0, fmt.Errorf("file: append: batch exceeds %d bytes: %w", maxFrameBody-bodyHeaderSize, ErrTooLarge)
		}
	}

	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return 0, storage.ErrClosed
	}
	if l.failed != nil {
		err := l.failed
		l.mu.Unlock()
		return 0, err
	}
	if len(recs) == 0 {
		end := l.assigned
		l.mu.Unlock()
		return end, nil
	}
	g := l.open
	if g != nil && len(g.frame)-frameHeaderSize+size > maxFrameBody {
		l.queue = append(l.queue, g)
		g = nil
	}
	if g == nil {
		g = &group{base: l.assigned, done: make(chan struct{})}
		g.frame = beginFrame(make([]byte, 0, frameHeaderSize+bodyHeaderSize+size))
		l.open = g
	}
	first := l.assigned
	for _, r := range recs {
		g.frame = appendRecord(g.frame, 0, r.Key, r.Value)
	}
	g.count += len(recs)
	l.assigned += int64(len(recs))
	l.cond.Signal()
	l.mu.Unlock()

	select {
	case <-g.done:
		if g.err != nil {
			return 0, g.err
		}
		return first, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// write is the writer goroutine: it writes and syncs one group at a time
// until the log is closed and nothing is left to write.
func (l *Log) write() {
	defer close(l.writerDone)
	for {
		l.mu.Lock()
		for l.open == nil && len(l.queue) == 0 && !l.closed {
			l.cond.Wait()
		}
		idle := l.open == nil && len(l.queue) == 0
		l.mu.Unlock()
		if idle {
			return // closed and drained
		}

		l.writeMu.Lock()
		l.mu.Lock()
		var g *group
		if len(l.queue) > 0 {
			g = l.queue[0]
			l.queue[0] = nil
			l.queue = l.queue[1:]
		} else {
			g, l.open = l.open, nil
		}
		seg, pos, err := l.seg, l.seg.size, l.failed
		l.mu.Unlock()

		if err == nil {
			finishFrame(g.frame, g.base, uint32(g.count))
			err = writeFrame(seg, pos, g.frame)
		}

		l.mu.Lock()
		if err != nil {
			if l.failed == nil {
				l.failed = fmt.Errorf("file: write %s: %w: %w", l.path, storage.ErrUnavailable, err)
			}
			g.err = l.failed
		} else {
			seg.size += int64(len(g.frame))
			seg.index.note(g.base, pos)
			l.end = g.base + int64(g.count)
			l.wake()
		}
		close(g.done)
		l.mu.Unlock()
		l.writeMu.Unlock()
	}
}

// writeFrame writes frame at pos and syncs the file.
func writeFrame(seg *segment, pos int64, frame []byte) error {
	if _, err := seg.f.WriteAt(frame, pos); err != nil {
		return err
	}
	return seg.f.Sync()
}
