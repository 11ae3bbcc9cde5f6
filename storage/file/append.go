package file

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sync"

	"github.com/charter-registry/charter/storage"
)

// group is one frame being filled by appenders while the writer is busy
// with the previous one. All its batches become durable with one write and
// one fsync, or none does.
type group struct {
	frame []byte // built with beginFrame
	base  int64
	count int
	maxID int64         // highest id of its records (WithIDFunc)
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
// batch may still be written. An error wrapping storage.ErrUnavailable means
// a write or fsync failed (a full disk, an I/O error): the batch is not in
// the log, nor is any batch queued behind it, and their offsets are given
// out again. The file is cut back to its last committed frame before the
// next write, so a later Append succeeds once the cause is gone.
func (l *Log) Append(ctx context.Context, recs ...storage.Record) (int64, error) {
	g, first, err := l.enqueue(ctx, -1, recs)
	if err != nil || g == nil {
		return first, err
	}
	return l.wait(ctx, g, first)
}

// Enqueue queues recs as one batch at offset first and returns without
// waiting for it to be durable; wait reports its outcome as Append does.
// It implements storage.Pipeliner: when first is not the offset the log
// gives next (a failed write gave offsets out again, or another batch was
// queued first) nothing is queued and the error wraps storage.ErrConflict.
// Batches are written in the order they are queued, and a batch fails when
// one queued before it does.
func (l *Log) Enqueue(ctx context.Context, first int64, recs ...storage.Record) (wait func(context.Context) (int64, error), err error) {
	if len(recs) == 0 {
		return nil, errors.New("file: enqueue: no records")
	}
	g, at, err := l.enqueue(ctx, first, recs)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) (int64, error) { return l.wait(ctx, g, at) }, nil
}

// enqueue checks recs and adds them to the open group, or returns the
// end for an empty batch (with a nil group). expect, unless negative, is
// the offset the batch must get.
func (l *Log) enqueue(ctx context.Context, expect int64, recs []storage.Record) (*group, int64, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	size := 0
	var maxID int64
	for i, r := range recs {
		if r.Control {
			return nil, 0, fmt.Errorf("file: append record %d: control records are not supported", i)
		}
		if len(r.Key) > l.cfg.maxRecordBytes {
			return nil, 0, fmt.Errorf("file: append record %d: key of %d bytes exceeds the maximum of %d: %w", i, len(r.Key), l.cfg.maxRecordBytes, ErrTooLarge)
		}
		if len(r.Value) > l.cfg.maxRecordBytes {
			return nil, 0, fmt.Errorf("file: append record %d: value of %d bytes exceeds the maximum of %d: %w", i, len(r.Value), l.cfg.maxRecordBytes, ErrTooLarge)
		}
		if l.cfg.idFn != nil {
			if id, ok := l.cfg.idFn(r.Key, r.Value); ok {
				maxID = max(maxID, id)
			}
		}
		size += recordSize(r.Key, r.Value)
		if size > maxFrameBody-bodyHeaderSize {
			return nil, 0, fmt.Errorf("file: append: batch exceeds %d bytes: %w", maxFrameBody-bodyHeaderSize, ErrTooLarge)
		}
	}

	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, 0, storage.ErrClosed
	}
	if expect >= 0 && expect != l.assigned {
		return nil, 0, fmt.Errorf("file: enqueue at offset %d: the next offset is %d: %w", expect, l.assigned, storage.ErrConflict)
	}
	if len(recs) == 0 {
		return nil, l.assigned, nil
	}
	g := l.open
	if g != nil && len(g.frame)-frameHeaderSize+size > maxFrameBody {
		l.queue = append(l.queue, g)
		g = nil
	}
	if g == nil {
		g = &group{base: l.assigned, done: make(chan struct{})}
		g.frame = beginFrame(frameBuffer(frameHeaderSize + bodyHeaderSize + size))
		l.open = g
	}
	first := l.assigned
	for _, r := range recs {
		g.frame = appendRecord(g.frame, 0, r.Key, r.Value)
	}
	g.count += len(recs)
	g.maxID = max(g.maxID, maxID)
	l.assigned += int64(len(recs))
	l.cond.Signal()
	return g, first, nil
}

// frames keeps written frames' buffers for the next groups: a group grows
// as batches join it, and without reuse every group commit allocated its
// frame again, doubling it as it grew. Buffers larger than maxPooledFrame
// are left to the collector.
var frames sync.Pool

const (
	minPooledFrame = 16 << 10
	maxPooledFrame = 1 << 20
)

// frameBuffer returns an empty buffer with room for at least n bytes.
func frameBuffer(n int) []byte {
	if n <= maxPooledFrame {
		if b, ok := frames.Get().(*[]byte); ok && cap(*b) >= n {
			return (*b)[:0]
		}
	}
	return make([]byte, 0, max(n, minPooledFrame))
}

// recycleFrame gives a written frame's buffer back; nothing may use it
// afterwards.
func recycleFrame(b []byte) {
	if cap(b) <= maxPooledFrame {
		b = b[:0]
		frames.Put(&b)
	}
}

// Syncs returns how many frames the log has written and synced since it
// was opened: Append calls that shared a group commit count once.
func (l *Log) Syncs() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.syncs
}

// wait waits until g is durable and returns first, or g's failure.
func (l *Log) wait(ctx context.Context, g *group, first int64) (int64, error) {
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
		seg, pos := l.seg, l.seg.size
		l.mu.Unlock()

		err := l.repair(seg, pos)
		if err == nil {
			finishFrame(g.frame, g.base, uint32(g.count))
			err = l.writeFrame(seg, pos, g.frame)
		}

		l.mu.Lock()
		if err != nil {
			l.failed = l.ioError(err)
			g.err = l.failed
			close(g.done)
			// The groups behind g were given the offsets after g's, which
			// are now given out again: they fail too, never land late.
			for _, q := range l.queue {
				q.err = l.failed
				close(q.done)
			}
			l.queue = l.queue[:0]
			if l.open != nil {
				l.open.err = l.failed
				close(l.open.done)
				l.open = nil
			}
			l.assigned = l.end
		} else {
			seg.size += int64(len(g.frame))
			seg.index.note(g.base, pos)
			l.end = g.base + int64(g.count)
			l.failed = nil
			l.maxID = max(l.maxID, g.maxID)
			l.syncs++
			close(g.done)
			recycleFrame(g.frame)
			g.frame = nil
			l.wake()
			l.kickCheckpoint()
		}
		l.mu.Unlock()
		l.writeMu.Unlock()
	}
}

// writeFrame writes frame at pos, the end of the committed frames, and
// syncs the file. If either fails it cuts the file back to pos, so neither
// a partial frame nor a complete but unacknowledged one survives a crash;
// if the cut fails too, the segment stays dirty and the next write retries
// it first. Call with writeMu held.
func (l *Log) writeFrame(seg *segment, pos int64, frame []byte) error {
	_, err := seg.w.WriteAt(frame, pos)
	if err == nil {
		err = seg.w.Sync()
	}
	if err != nil {
		seg.dirty = true
		_ = l.repair(seg, pos)
	}
	return err
}

// repair undoes what an earlier failure left behind before anything more
// is written: the directory sync a compaction could not do, and bytes past
// the last committed frame. Call with writeMu held.
func (l *Log) repair(seg *segment, pos int64) error {
	if l.dirSyncPending {
		if err := syncDir(l.dir); err != nil {
			return fmt.Errorf("sync directory %s: %w", l.dir, err)
		}
		l.dirSyncPending = false
	}
	if seg.dirty {
		if err := seg.w.Truncate(pos); err != nil {
			return err
		}
		if err := seg.w.Sync(); err != nil {
			return err
		}
		seg.dirty = false
	}
	return nil
}

// probeSize is how much Probe writes: a block, so that a disk that cannot
// allocate one more block fails the probe.
const probeSize = 4096

// Probe reports whether appends can succeed. On a healthy log it does no
// I/O. After a failed write it repairs the file (see Append), writes a
// block of zeros past the last committed frame, syncs it and cuts it off
// again; if all of that succeeds the failure is forgotten and Probe returns
// nil, else it returns the failure. A crash during a probe leaves at most a
// block of zeros past the last frame, which Open cuts as a torn tail.
func (l *Log) Probe(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	l.mu.Lock()
	closed, failed := l.closed, l.failed
	l.mu.Unlock()
	if closed {
		return storage.ErrClosed
	}
	if failed == nil {
		return nil
	}
	l.writeMu.Lock()
	defer l.writeMu.Unlock()
	l.mu.Lock()
	seg, pos := l.seg, l.seg.size
	if l.failed == nil { // a write succeeded meanwhile
		l.mu.Unlock()
		return nil
	}
	l.mu.Unlock()
	err := l.repair(seg, pos)
	if err == nil {
		err = l.writeFrame(seg, pos, make([]byte, probeSize))
	}
	if err == nil {
		seg.dirty = true
		err = l.repair(seg, pos)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		l.failed = l.ioError(err)
		return l.failed
	}
	l.failed = nil
	return nil
}

// ioError names the log's data file in a write failure. The data file may
// have been opened under another name (compaction writes it as
// records.log.compact and renames it), so the operating system's own path
// is replaced by the log's.
func (l *Log) ioError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return fmt.Errorf("file: write %s: %w: %w", l.path, storage.ErrUnavailable, err)
}
