package memory

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/charter-registry/charter/storage"
)

// ErrNoKeyFunc is returned by Compact on a Log that was created without
// WithKeyFunc: without logical keys there is nothing to compare.
var ErrNoKeyFunc = errors.New("memory: compaction needs a key function (WithKeyFunc)")

// Opt configures a Log built by New.
type Opt interface {
	apply(*Log)
}

type opt func(*Log)

func (o opt) apply(l *Log) { o(l) }

// WithKeyFunc sets the function that maps raw record keys to logical keys.
// Compact needs it; without it Compact returns ErrNoKeyFunc.
func WithKeyFunc(f storage.KeyFunc) Opt {
	return opt(func(l *Log) { l.keyFn = f })
}

// generation is one version of the record list. Compaction starts a new
// generation and links it from the old one, so a tailer that was reading the
// old generation finishes it (seeing every record, tombstones included) before
// it moves on. Records below len(recs) are never modified.
type generation struct {
	recs      []storage.Record
	retired   bool
	successor *generation
}

// Log is an in-memory storage.Log and storage.Compactor. The zero value is
// not usable; call New. A Log is safe for concurrent use.
type Log struct {
	keyFn storage.KeyFunc

	mu     sync.Mutex
	gen    *generation
	end    int64
	closed bool
	// notify is closed and replaced whenever records are added, the log is
	// compacted or closed, to wake waiting tailers.
	notify chan struct{}
}

var (
	_ storage.Log       = (*Log)(nil)
	_ storage.Compactor = (*Log)(nil)
)

// New returns an empty Log whose first record will get offset 0.
func New(opts ...Opt) *Log {
	l := &Log{gen: &generation{}, notify: make(chan struct{})}
	for _, o := range opts {
		o.apply(l)
	}
	return l
}

func (l *Log) wake() {
	close(l.notify)
	l.notify = make(chan struct{})
}

// Append stores recs as one batch with consecutive offsets and returns the
// offset of the first. The Offset fields of recs are ignored. The log keeps
// copies, so the caller may reuse the slices. A nil Value is kept as a
// tombstone, distinct from an empty Value. A record with Control set is kept
// as a control record without key or value, so tests can imitate the
// transaction markers of a Kafka log.
func (l *Log) Append(ctx context.Context, recs ...storage.Record) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return 0, storage.ErrClosed
	}
	first := l.end
	for _, r := range recs {
		c := storage.Record{Offset: l.end, Control: r.Control}
		if !r.Control {
			c.Key, c.Value = bytes.Clone(r.Key), bytes.Clone(r.Value)
		}
		l.gen.recs = append(l.gen.recs, c)
		l.end++
	}
	if len(recs) > 0 {
		l.wake()
	}
	return first, nil
}

// End returns the offset the next appended record will get. Compaction never
// lowers it.
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

// Tail calls fn for every record at or after from, in offset order, and then
// waits for more. It returns ctx.Err() when ctx is done, fn's error when fn
// fails, and storage.ErrClosed when the log is closed. fn gets its own copies
// of Key and Value and may keep them.
//
// A tailer that is running when Compact runs keeps seeing the uncompacted
// records up to the point of compaction, so it never misses a tombstone for a
// key it has already seen.
func (l *Log) Tail(ctx context.Context, from int64, fn func(storage.Record) error) error {
	l.mu.Lock()
	gen := l.gen
	l.mu.Unlock()
	pos := search(gen.recs, from)
	next := from
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		l.mu.Lock()
		if l.closed {
			l.mu.Unlock()
			return storage.ErrClosed
		}
		recs := gen.recs
		if pos >= len(recs) && gen.retired {
			gen = gen.successor
			pos = search(gen.recs, next)
			l.mu.Unlock()
			continue
		}
		wait := l.notify
		l.mu.Unlock()

		if pos >= len(recs) {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-wait:
			}
			continue
		}
		for ; pos < len(recs); pos++ {
			r := recs[pos]
			if r.Offset < next {
				continue
			}
			if err := fn(storage.Record{Offset: r.Offset, Key: bytes.Clone(r.Key), Value: bytes.Clone(r.Value), Control: r.Control}); err != nil {
				return err
			}
			next = r.Offset + 1
			if pos%1024 == 1023 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
		}
	}
}

// search returns the index of the first record at or after offset from.
func search(recs []storage.Record, from int64) int {
	return sort.Search(len(recs), func(i int) bool { return recs[i].Offset >= from })
}

// Compact drops every record that a later record with the same logical key
// supersedes, every tombstone (nothing older is left for it to delete) and
// every control record.
// Offsets of the kept records and End do not change. A key that the key
// function rejects aborts the compaction and leaves the log unchanged.
func (l *Log) Compact(ctx context.Context) error {
	if l.keyFn == nil {
		return ErrNoKeyFunc
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return storage.ErrClosed
	}
	recs := l.gen.recs
	latest := make(map[string]int, len(recs))
	for i, r := range recs {
		if r.Control {
			continue
		}
		k, err := l.keyFn(r.Key)
		if err != nil {
			return fmt.Errorf("memory: compact: key of record %d: %w", r.Offset, err)
		}
		latest[k] = i
	}
	keep := make([]int, 0, len(latest))
	for _, i := range latest {
		if recs[i].Value != nil {
			keep = append(keep, i)
		}
	}
	sort.Ints(keep)
	next := &generation{recs: make([]storage.Record, 0, len(keep))}
	for _, i := range keep {
		next.recs = append(next.recs, recs[i])
	}
	l.gen.retired = true
	l.gen.successor = next
	l.gen = next
	l.wake()
	return nil
}

// Close releases the log. Pending and later Tail calls return
// storage.ErrClosed, as do Append and End. Closing twice is harmless.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.closed {
		l.closed = true
		l.wake()
	}
	return nil
}
