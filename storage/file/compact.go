package file

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/charter-registry/charter/storage"
)

// compactFrameBody is the size at which compaction starts a new frame.
// Tail hands out records that alias their frame, so small frames keep a
// retained record from pinning much else.
const compactFrameBody = 64 << 10

// Compact rewrites the log keeping, for every logical key, only its latest
// record, and only if that record is not a tombstone (compaction rewrites
// everything, so no older record is left for a tombstone to delete).
// Offsets of kept records and End do not change. Appends continue while it
// runs; they are paused only while the last frames are copied and the new
// file is renamed into place.
//
// The new file is written aside, fsync'd, renamed over the old one and the
// directory fsync'd, so a crash leaves either the old or the new log. A key
// that the key function rejects aborts the compaction and leaves the log as
// it was. Without WithKeyFunc Compact returns ErrNoKeyFunc.
func (l *Log) Compact(ctx context.Context) error {
	if l.cfg.keyFn == nil {
		return ErrNoKeyFunc
	}
	l.compactMu.Lock()
	defer l.compactMu.Unlock()

	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return storage.ErrClosed
	}
	old := l.seg
	old.refs++
	snapSize, snapEnd := old.size, l.end
	l.mu.Unlock()
	defer func() {
		l.mu.Lock()
		l.release(old)
		l.mu.Unlock()
	}()

	start := time.Now()
	c := &compaction{l: l, ctx: ctx, old: old}
	err := c.run(snapSize, snapEnd)
	if err != nil {
		if c.tmp != nil {
			c.tmp.Close()
			os.Remove(c.tmp.Name())
		}
		return fmt.Errorf("file: compact %s: %w", l.path, err)
	}
	l.cfg.logger.LogAttrs(ctx, slog.LevelInfo, "file: compacted log",
		slog.String("path", l.path),
		slog.Int64("records_kept", int64(c.kept)),
		slog.Int64("bytes_before", snapSize),
		slog.Int64("bytes_after", c.pos),
		slog.Duration("duration", time.Since(start)))
	return c.swapErr
}

// compaction is the state of one Compact call.
type compaction struct {
	l   *Log
	ctx context.Context
	old *segment

	tmp   *os.File
	w     *bufio.Writer
	pos   int64 // bytes written to tmp
	index index
	kept  int

	// The frame being filled.
	frame []byte
	base  int64
	prev  int64
	count int

	// swapErr is a failure after the new file replaced the old one (a
	// directory fsync); the log then runs on the new file anyway.
	swapErr error
}

func (c *compaction) run(snapSize, snapEnd int64) error {
	keep, err := c.live(snapSize)
	if err != nil {
		return err
	}
	c.tmp, err = os.OpenFile(filepath.Join(c.l.dir, compactName), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	c.w = bufio.NewWriterSize(c.tmp, 1<<20)
	c.index = newIndex()
	if err := c.put(fileHeader()); err != nil {
		return err
	}

	// Pass 2: copy the records to keep.
	c.frame = beginFrame(nil)
	i := 0
	err = c.frames(fileHeaderSize, snapSize, func(_ []byte, body []byte) error {
		_, err := walkBody(body, 0, func(off int64, key, value []byte) error {
			if i < len(keep) && keep[i] == off {
				i++
				return c.add(off, key, value)
			}
			return nil
		})
		return err
	})
	if err != nil {
		return err
	}
	if err := c.flushFrame(); err != nil {
		return err
	}
	// A frame without records keeps the end even if the last records were
	// dropped.
	if err := c.endFrame(snapEnd); err != nil {
		return err
	}

	// Copy what was appended meanwhile and sync, without stopping appends;
	// then copy and sync the little that came since with the writer paused.
	l := c.l
	l.mu.Lock()
	mid := c.old.size
	l.mu.Unlock()
	if err := c.copyRaw(snapSize, mid); err != nil {
		return err
	}
	if err := c.sync(); err != nil {
		return err
	}
	l.writeMu.Lock()
	defer l.writeMu.Unlock()
	l.mu.Lock()
	last := c.old.size
	l.mu.Unlock()
	if err := c.copyRaw(mid, last); err != nil {
		return err
	}
	if err := c.sync(); err != nil {
		return err
	}
	if l.closedFlag.Load() {
		return storage.ErrClosed
	}
	if err := os.Rename(c.tmp.Name(), l.path); err != nil {
		return err
	}
	// From here the new file is the log, whatever else fails.
	c.swapErr = syncDir(l.dir)
	if c.swapErr != nil {
		c.swapErr = fmt.Errorf("file: compact %s: sync directory: %w: %w", l.path, storage.ErrUnavailable, c.swapErr)
	}

	l.mu.Lock()
	seg := &segment{f: c.tmp, w: l.cfg.wrap(c.tmp), size: c.pos, index: c.index, refs: 2} // the log and old
	c.tmp = nil
	old := l.seg
	old.retired = true
	old.successor = seg
	l.seg = seg
	l.release(old) // the log's reference
	l.kickCheckpoint()
	if c.swapErr != nil {
		// Writes wait for the directory sync: a frame on the new file
		// is not durable until its name is.
		l.dirSyncPending = true
		l.failed = c.swapErr
	}
	l.wake()
	l.mu.Unlock()
	return nil
}

// live reads the first size bytes of the old file and returns, in order,
// the offsets of the records to keep: the latest per logical key, unless it
// is a tombstone.
func (c *compaction) live(size int64) ([]int64, error) {
	type latest struct {
		off  int64
		tomb bool
	}
	keys := make(map[string]latest)
	err := c.frames(fileHeaderSize, size, func(_ []byte, body []byte) error {
		_, err := walkBody(body, 0, func(off int64, key, value []byte) error {
			k, err := c.l.cfg.keyFn(key)
			if err != nil {
				return fmt.Errorf("key of record %d: %w", off, err)
			}
			keys[k] = latest{off: off, tomb: value == nil}
			return nil
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	keep := make([]int64, 0, len(keys))
	for _, v := range keys {
		if !v.tomb {
			keep = append(keep, v.off)
		}
	}
	slices.Sort(keep)
	return keep, nil
}

// frames calls fn for every frame in [from, to) of the old file.
func (c *compaction) frames(from, to int64, fn func(frame, body []byte) error) error {
	fr := newFrameReader(1 << 20)
	fr.reset(c.old.f, from, to)
	var buf []byte
	for i := 0; ; i++ {
		if i%1024 == 0 {
			if err := c.ctx.Err(); err != nil {
				return err
			}
			if c.l.closedFlag.Load() {
				return storage.ErrClosed
			}
		}
		pos := fr.pos
		frame, err := fr.next(buf)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			if isFormatError(err) {
				return &CorruptionError{Path: c.l.path, Position: pos, Err: err}
			}
			return err
		}
		if cap(frame) <= 4<<20 {
			buf = frame[:0]
		}
		if err := fn(frame, frame[frameHeaderSize:]); err != nil {
			var ce *CorruptionError
			if !errors.As(err, &ce) && (errors.Is(err, errRecordEncoding) || errors.Is(err, errOffsetOrder)) {
				return &CorruptionError{Path: c.l.path, Position: pos, Err: err}
			}
			return err
		}
	}
}

// add appends a kept record to the frame being filled.
func (c *compaction) add(off int64, key, value []byte) error {
	if c.count == 0 {
		c.base, c.prev = off, off-1
	}
	c.frame = appendRecord(c.frame, uint64(off-c.prev-1), key, value)
	c.prev = off
	c.count++
	c.kept++
	if len(c.frame)-frameHeaderSize >= compactFrameBody {
		return c.flushFrame()
	}
	return nil
}

// flushFrame writes the frame being filled, if it has records.
func (c *compaction) flushFrame() error {
	if c.count == 0 {
		return nil
	}
	finishFrame(c.frame, c.base, uint32(c.count))
	c.index.note(c.base, c.pos)
	err := c.put(c.frame)
	c.frame = beginFrame(c.frame[:0])
	c.count = 0
	return err
}

// endFrame writes a frame without records that says the log ends at end.
func (c *compaction) endFrame(end int64) error {
	frame := beginFrame(nil)
	finishFrame(frame, end, 0)
	c.index.note(end, c.pos)
	return c.put(frame)
}

func (c *compaction) sync() error {
	if err := c.w.Flush(); err != nil {
		return err
	}
	return c.tmp.Sync()
}

// copyRaw copies the frames in [from, to) of the old file unchanged.
func (c *compaction) copyRaw(from, to int64) error {
	return c.frames(from, to, func(frame, _ []byte) error {
		c.index.note(frameBase(frame), c.pos)
		return c.put(frame)
	})
}

func (c *compaction) put(b []byte) error {
	n, err := c.w.Write(b)
	c.pos += int64(n)
	return err
}
