package storage

import (
	"context"
	"errors"
)

// Record is one entry of the log. A nil Value is a tombstone: it deletes the
// key when the log is compacted.
type Record struct {
	Offset int64
	Key    []byte
	Value  []byte
	// Control marks a record that carries no key or value and only moves the
	// reader's position forward: a Kafka transaction marker, for example.
	// Tail delivers one so that a reader knows it has seen everything below
	// Offset+1 even when the log ends in records it never applies.
	Control bool
}

// Appender writes records.
type Appender interface {
	// Append writes recs as one atomic batch and returns the offset of the
	// first. It returns only once the batch is durable: after a crash either
	// every record of the batch is in the log or none is.
	Append(ctx context.Context, recs ...Record) (first int64, err error)
}

// Tailer reads records.
type Tailer interface {
	// Tail calls fn for every record at or after offset from, in offset
	// order, and then waits for more. It returns when ctx is done (with
	// ctx.Err()), when fn returns an error, or when the log fails.
	// Offsets increase but may have gaps after compaction.
	Tail(ctx context.Context, from int64, fn func(Record) error) error
}

// Ender reports the end of the log.
type Ender interface {
	// End returns the offset that the next appended record will get. A
	// reader that has seen every record below End has caught up.
	End(ctx context.Context) (int64, error)
}

// Log is an ordered, durable record log.
type Log interface {
	Appender
	Tailer
	Ender
	// Close releases the log. Pending Tail calls return.
	Close() error
}

// Transactional is a Log that several processes write at once. Begin gives
// the caller exclusive write access: no other writer's batch can commit
// between Begin and Commit. Logs that one process owns (file, memory) need not
// implement it; the registry then serialises writes with a local lock.
type Transactional interface {
	Begin(ctx context.Context) (Txn, error)
}

// Txn is exclusive write access to a shared Log.
type Txn interface {
	// End is the offset below which every committed record lies. The caller
	// applies records up to End before it decides what to write.
	End() int64
	// Commit appends recs as one batch and ends the transaction. It fails,
	// and writes nothing, when another writer took over since Begin; the
	// caller then begins again.
	Commit(ctx context.Context, recs ...Record) (first int64, err error)
	// Abort ends the transaction without writing.
	Abort(ctx context.Context) error
}

// Pipeliner is a Log that queues a batch without waiting for it to be
// durable, so that a writer can decide its next batch while the previous
// one is being synced. Enqueue queues recs as one atomic batch whose first
// record gets offset first, which must be the offset the log gives next:
// when it is not (a failed write gave offsets out again, or another batch
// was queued first) nothing is queued and the error wraps ErrConflict.
// wait reports the batch's outcome as Append does. Batches are written in
// the order they are queued, and a batch fails when one queued before it
// fails, so a writer that decided a batch on the ones before it never sees
// it written without them.
type Pipeliner interface {
	Enqueue(ctx context.Context, first int64, recs ...Record) (wait func(context.Context) (int64, error), err error)
}

// Compactor is a Log that can drop every record that a later record with the
// same logical key supersedes. Offsets of the records it keeps do not change.
type Compactor interface {
	Compact(ctx context.Context) error
}

// Prober is a Log that can tell whether an append could succeed now, not
// only whether the log answers. A log that failed a write (a full disk, an
// I/O error) returns that failure until the cause is gone; Probe retries the
// repair, so it also recovers a log that nobody appends to. Readiness checks
// call it.
type Prober interface {
	Probe(ctx context.Context) error
}

// KeyFunc maps a raw record key to its logical key. Compaction compares
// logical keys, never raw key bytes, because two encodings of one key (field
// order, whitespace, extra fields) name the same thing.
type KeyFunc func(key []byte) (string, error)

// ErrClosed is returned by a Log that has been closed.
var ErrClosed = errors.New("storage: log closed")

// ErrConflict is returned by Txn.Commit when another writer took over the
// log since Begin. Nothing was written; the caller begins again.
var ErrConflict = errors.New("storage: another writer took over")

// ErrUnavailable wraps failures to reach the log's backing store (a broker
// that is down, a disk that fails). Callers may retry.
var ErrUnavailable = errors.New("storage: unavailable")
