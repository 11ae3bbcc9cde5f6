package file

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/charter-registry/charter/storage"
)

// Names of the files in the log directory.
const (
	dataName    = "records.log"
	lockName    = "LOCK"
	newName     = "records.log.new"     // a data file being created
	compactName = "records.log.compact" // a data file being compacted
)

// Recovery describes what Open repaired.
type Recovery struct {
	// TruncatedAt is the file size after a torn tail was cut off; zero if
	// the file had no torn tail.
	TruncatedAt int64
	// TruncatedBytes is how many bytes of torn tail were cut off.
	TruncatedBytes int64
	// Reason says what was wrong with the first byte cut off; nil if
	// nothing was.
	Reason error
}

// segment is one data file. Compaction replaces the current segment with a
// new one; tailers still reading the old one finish it and then follow
// successor, so they never see a compacted view of records they are in the
// middle of. A segment is closed when its last reference goes. References
// are held by the Log (for the current segment), by each tailer on it, by
// a running compaction and by its predecessor.
type segment struct {
	f *os.File
	// w is what the writer writes f through: f itself, or a wrapper that
	// tests use to inject faults.
	w writeFile
	// dirty means bytes may lie past size that are not a committed frame
	// (a write or sync failed); the writer cuts them before the next frame.
	// Guarded by Log.writeMu.
	dirty bool
	// The fields below are guarded by Log.mu.
	size      int64 // bytes of committed frames; readers stop here
	index     index
	refs      int
	retired   bool
	successor *segment
}

// Log is a storage.Log and storage.Compactor kept in a directory. Open it
// with Open and Close it when done. A Log is safe for concurrent use.
type Log struct {
	cfg      config
	dir      string
	path     string
	lock     *os.File
	recovery Recovery

	// compactMu serialises compactions.
	compactMu sync.Mutex
	// writeMu is held by the writer while it writes and syncs a frame, and
	// by Compact while it copies the last frames and swaps files.
	writeMu sync.Mutex

	mu       sync.Mutex
	cond     *sync.Cond // wakes the writer; uses mu
	seg      *segment
	end      int64    // offset after the last committed record
	assigned int64    // offset the next appended record gets
	open     *group   // the group new batches join
	queue    []*group // full groups waiting for the writer
	closed   bool
	// failed is the last write failure, nil once a write or Probe has
	// succeeded since. Appends are still attempted while it is set: each
	// first repairs what the failure left behind.
	failed error
	notify chan struct{}
	maxID  int64 // highest id of a durable record (WithIDFunc), or from the checkpoint

	// dirSyncPending means a compaction renamed the new file into place
	// but could not sync the directory; no frame is written until a
	// directory sync succeeds. Guarded by writeMu.
	dirSyncPending bool

	// The checkpointer goroutine writes the checkpoint after frames become
	// durable; cpKick (capacity 1) tells it there is something new.
	cpKick chan struct{}
	cpStop chan struct{} // closed by Close
	cpDone chan struct{} // closed when the checkpointer exits
	cpMu   sync.Mutex
	cp     Checkpoint // the checkpoint on disk; guarded by cpMu

	closedFlag atomic.Bool   // closed, readable without mu
	writerDone chan struct{} // closed when the writer goroutine exits
	// syncs counts the frames written and synced (Syncs).
	syncs int64
}

var (
	_ storage.Log       = (*Log)(nil)
	_ storage.Compactor = (*Log)(nil)
	_ storage.Prober    = (*Log)(nil)
)

// Open opens the log in dir, creating the directory and an empty log if
// needed. It takes an exclusive lock on the directory (ErrLocked if another
// Log holds it), verifies every frame, and truncates a torn tail that a
// crash left behind (see Recovery). Damage that is not at the tail is a
// *CorruptionError. A data file that ends below its checkpoint, or is
// missing while a checkpoint exists, lost acknowledged records and is a
// *LostRecordsError; only damage beyond the checkpoint counts as a torn
// tail. Repair handles both. Close the Log to release the directory.
func Open(ctx context.Context, dir string, opts ...Opt) (*Log, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o.apply(&cfg)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("file: open log %s: %w", dir, err)
	}
	lock, err := lockDir(filepath.Join(dir, lockName))
	if err != nil {
		return nil, fmt.Errorf("file: open log %s: %w", dir, err)
	}
	l, err := open(ctx, dir, cfg, lock)
	if err != nil {
		unlockDir(lock)
		return nil, fmt.Errorf("file: open log %s: %w", dir, err)
	}
	return l, nil
}

func open(ctx context.Context, dir string, cfg config, lock *os.File) (*Log, error) {
	path := filepath.Join(dir, dataName)
	// Leftovers of a crash during creation or compaction; the data file
	// is intact because both are renamed into place only when complete.
	for _, name := range []string{newName, compactName} {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	cp, haveCP, err := readCheckpoint(dir)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		if haveCP && cp.End > 0 {
			return nil, &LostRecordsError{Path: path, Missing: true, Checkpoint: cp}
		}
		if err := create(dir, path); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	var have *Checkpoint
	if haveCP {
		have = &cp
	}
	l, err := load(ctx, dir, path, f, cfg, have)
	if err != nil {
		f.Close()
		return nil, err
	}
	l.lock = lock
	go l.write()
	go l.checkpoint()
	return l, nil
}

// create makes an empty data file: written aside, synced and renamed, so a
// crash never leaves a file without its header.
func create(dir, path string) error {
	tmp := filepath.Join(dir, newName)
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(fileHeader())
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err == nil {
		err = syncDir(dir)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// load scans the data file, compares it with the checkpoint cp (nil if
// there is none), truncates a torn tail beyond the checkpoint, brings the
// checkpoint up to date and builds the Log.
func load(ctx context.Context, dir, path string, f *os.File, cfg config, cp *Checkpoint) (*Log, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	var maxID, idFrom int64
	if cp != nil {
		// Records below the checkpoint's end were counted when it was written.
		maxID, idFrom = cp.MaxID, cp.End
	}
	var visit visitFunc
	if cfg.idFn != nil {
		visit = func(off int64, key, value []byte) error {
			if off >= idFrom {
				if id, ok := cfg.idFn(key, value); ok {
					maxID = max(maxID, id)
				}
			}
			return nil
		}
	}
	res, err := scanLog(ctx, f, st.Size(), path, visit)
	if err != nil {
		return nil, err
	}
	if cp != nil && res.end < cp.End {
		return nil, &LostRecordsError{Path: path, End: res.end, Size: res.size, Checkpoint: *cp, Damage: res.torn}
	}
	l := &Log{
		cfg:        cfg,
		dir:        dir,
		path:       path,
		end:        res.end,
		assigned:   res.end,
		notify:     make(chan struct{}),
		writerDone: make(chan struct{}),
		cpKick:     make(chan struct{}, 1),
		cpStop:     make(chan struct{}),
		cpDone:     make(chan struct{}),
		maxID:      maxID,
		seg:        &segment{f: f, w: cfg.wrap(f), size: res.size, index: res.index, refs: 1},
	}
	l.cond = sync.NewCond(&l.mu)
	if res.torn != nil {
		if err := f.Truncate(res.size); err != nil {
			return nil, fmt.Errorf("truncate torn tail: %w", err)
		}
		if err := f.Sync(); err != nil {
			return nil, fmt.Errorf("truncate torn tail: %w", err)
		}
		l.recovery = Recovery{TruncatedAt: res.size, TruncatedBytes: st.Size() - res.size, Reason: res.torn}
		cfg.logger.LogAttrs(ctx, slog.LevelWarn, "file: truncated torn tail of log",
			slog.String("path", path),
			slog.Int64("position", res.size),
			slog.Int64("bytes", st.Size()-res.size),
			slog.String("reason", res.torn.Error()))
	}
	now := Checkpoint{End: res.end, Size: res.size, MaxID: maxID}
	if cp == nil || *cp != now {
		if err := writeCheckpoint(dir, now); err != nil {
			return nil, err
		}
	}
	l.cp = now
	return l, nil
}

// syncDir makes a rename or creation in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// Recovery reports what Open repaired.
func (l *Log) Recovery() Recovery { return l.recovery }

// Dir returns the log directory.
func (l *Log) Dir() string { return l.dir }

// End returns the offset the next appended record will get: every committed
// record lies below it. Compaction never lowers it.
func (l *Log) End(ctx context.Context) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return 0, storage.ErrClosed
	}
	return l.end, nil
}

// wake wakes every waiting tailer. Call with mu held.
func (l *Log) wake() {
	close(l.notify)
	l.notify = make(chan struct{})
}

// release drops a reference to s and closes it when it was the last. Call
// with mu held.
func (l *Log) release(s *segment) {
	s.refs--
	if s.refs > 0 || !s.retired {
		return
	}
	s.f.Close()
	if s.successor != nil {
		l.release(s.successor)
	}
}

// Close writes the batches already accepted, stops the writer, waits for a
// running compaction to give up, and releases the directory. Pending and
// later Tail calls return storage.ErrClosed, as do Append, End and Compact.
// Closing twice is harmless.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	l.closedFlag.Store(true)
	l.cond.Broadcast()
	l.wake()
	l.mu.Unlock()

	<-l.writerDone
	// Taking the lock waits for a running compaction, which sees closed
	// and gives up.
	l.compactMu.Lock()
	//lint:ignore SA2001 the empty section is the wait
	l.compactMu.Unlock()
	close(l.cpStop) // the checkpointer writes the final state and exits
	<-l.cpDone

	l.mu.Lock()
	l.seg.retired = true
	l.release(l.seg)
	l.mu.Unlock()
	return unlockDir(l.lock)
}
