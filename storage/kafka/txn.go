package kafka

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/charter-registry/charter/storage"
)

// TransactionTimeout is how long a transaction may stay open before the
// broker aborts it. An instance that dies inside a transaction holds back
// read-committed readers (every other instance) until the next writer
// takes over or this much time has passed, so it is kept short: a
// registry transaction lasts a few milliseconds.
const TransactionTimeout = 10 * time.Second

// TransactionalID returns the transactional id that every instance writing
// topic shares. Sharing it is what makes writes mutually exclusive: Kafka
// lets only the producer that initialised it last commit, and initialising
// it aborts the transaction any earlier producer left open.
func TransactionalID(topic string) string { return "charter-writer-" + topic }

// writer is the Log's transactional producer and the state of its
// transactions.
type writer struct {
	// slot is held from Begin until Commit or Abort: one transaction at a
	// time per Log.
	slot chan struct{}

	mu sync.Mutex
	// cl is the transactional client. It holds the producer epoch that
	// was current when it was initialised; nil means the next Begin must
	// initialise a new one, which takes the epoch over.
	cl *kgo.Client
	// committed is the offset after the last record this Log committed.
	// The next transaction's End is at least this, because a commit marker
	// may reach the partition after EndTxn has returned.
	committed int64
	// conflicts counts commits lost in a row to another instance; Begin
	// backs off before it takes the epoch back, so that the instance that
	// holds it can finish. lostAt is where this Log's tail had read to
	// when it lost the last one.
	conflicts int
	lostAt    int64
}

// progress is how far this Log's tails have read, for a writer that
// waits for another instance's commit to land.
type progress struct {
	mu    sync.Mutex
	end   int64         // the offset after the last record a Tail delivered
	moved chan struct{} // closed and replaced whenever end grows
}

// advance notes that a Tail delivered everything below end.
func (p *progress) advance(end int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if end <= p.end {
		return
	}
	p.end = end
	if p.moved != nil {
		close(p.moved)
		p.moved = nil
	}
}

// read returns how far the tails have read.
func (p *progress) read() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.end
}

// past waits until the tails have read beyond after, for at most d; it
// fails only when ctx ends first.
func (p *progress) past(ctx context.Context, after int64, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		p.mu.Lock()
		if p.end > after {
			p.mu.Unlock()
			return nil
		}
		if p.moved == nil {
			p.moved = make(chan struct{})
		}
		moved := p.moved
		p.mu.Unlock()
		select {
		case <-moved:
		case <-t.C:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Backoff bounds for Begin after a lost commit. The instance that won
// usually commits within milliseconds, and Begin goes on as soon as that
// commit reaches this Log's tail; the backoff bounds the wait for a winner
// that died or whose commit failed.
const (
	conflictBackoffMin = 20 * time.Millisecond
	conflictBackoffMax = 250 * time.Millisecond
)

// Begin starts a transaction on the topic. It gives this Log exclusive
// write access among every Log (in any process) that writes the same topic:
// they all use TransactionalID(topic), and Kafka fences every producer of
// that id but the one initialised last.
//
// When this Log's producer lost a commit since its last success (another
// instance took over, or the brokers failed), Begin initialises a new
// producer first, which takes the epoch over and aborts whatever
// transaction another instance has open. The returned Txn's End is the
// topic's last stable offset read after that, or the end of this Log's own
// last commit if that is higher: every committed record lies below it.
//
// Transactions of one Log are serialised: Begin waits until the previous
// Txn has committed or aborted. Failures to reach the brokers wrap
// storage.ErrUnavailable. A ctx without a deadline gets Config.WriteTimeout.
func (l *Log) Begin(ctx context.Context) (storage.Txn, error) {
	if !l.enter() {
		return nil, fmt.Errorf("kafka: begin: %w", storage.ErrClosed)
	}
	defer l.running.Done()
	ctx, cancel := withDefaultTimeout(ctx, l.cfg.WriteTimeout)
	defer cancel()
	ctx, stop := l.withClose(ctx)
	defer stop()

	w := &l.writer
	select {
	case w.slot <- struct{}{}:
	case <-ctx.Done():
		return nil, l.ctxErr(ctx, "begin: waiting for the previous transaction")
	}
	t, err := l.begin(ctx)
	if err != nil {
		<-w.slot
		return nil, err
	}
	return t, nil
}

// begin does Begin's work while holding the slot.
func (l *Log) begin(ctx context.Context) (*txn, error) {
	w := &l.writer
	w.mu.Lock()
	cl, conflicts, lostAt := w.cl, w.conflicts, w.lostAt
	w.mu.Unlock()

	if conflicts > 0 {
		// Let the instance that took the epoch commit what it began:
		// taking the epoch back at once would abort its transaction, and
		// the instances would go on aborting each other's. Once its commit
		// has landed, this Log's writes have queued up behind it and go
		// in one transaction.
		if err := l.progress.past(ctx, lostAt, conflictBackoff(conflicts)); err != nil {
			return nil, l.ctxErr(ctx, "begin: backing off after a lost commit")
		}
	}
	if cl == nil {
		var err error
		if cl, err = l.newWriter(ctx); err != nil {
			return nil, err
		}
	}
	if err := cl.BeginTransaction(); err != nil {
		l.dropWriter(cl)
		return nil, l.txnErr(ctx, "begin", err)
	}
	lso, err := l.stableEnd(ctx)
	if err != nil {
		// Nothing was produced: ending the transaction sends nothing.
		if aerr := cl.EndTransaction(ctx, kgo.TryAbort); aerr != nil {
			l.dropWriter(cl)
		}
		return nil, err
	}
	w.mu.Lock()
	end := max(lso, w.committed)
	w.mu.Unlock()
	return &txn{l: l, cl: cl, end: end}, nil
}

// newWriter creates a transactional client and initialises its producer
// id, which bumps the epoch of the shared transactional id: from now on no
// other instance can commit, and any transaction one has open is aborted.
// InitProducerID returns only once such a transaction is complete, markers
// written, so the last stable offset read after it covers every commit.
func (l *Log) newWriter(ctx context.Context) (*kgo.Client, error) {
	opts := append(append([]kgo.Opt(nil), l.common...),
		kgo.TransactionalID(TransactionalID(l.cfg.Topic)),
		kgo.TransactionTimeout(TransactionTimeout),
		kgo.DefaultProduceTopic(l.cfg.Topic),
		kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.ProduceRequestTimeout(l.cfg.ProduceTimeout),
		// As for Append: one Commit's records form one batch.
		kgo.ManualFlushing(),
		kgo.MaxBufferedRecords(MaxAppendRecords),
		kgo.ProducerBatchMaxBytes(int32(l.cfg.MaxBatchBytes)+batchSlack),
	)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("kafka: transactional producer: %w", err)
	}
	if _, _, err := cl.ProducerID(ctx); err != nil {
		cl.Close()
		return nil, l.txnErr(ctx, "begin: initialising the transactional producer", err)
	}
	w := &l.writer
	w.mu.Lock()
	defer w.mu.Unlock()
	if l.ctx.Err() != nil {
		cl.Close()
		return nil, fmt.Errorf("kafka: begin: %w", storage.ErrClosed)
	}
	if w.cl != nil {
		w.cl.Close() // fenced by cl anyway
	}
	w.cl = cl
	return cl, nil
}

// dropWriter closes cl and makes the next Begin initialise a new client.
// It is called after any failure whose effect on the producer's state is
// not certain: a fresh producer id is the one state Kafka defines.
// Each client is closed once: by whoever takes it out of w.cl.
func (l *Log) dropWriter(cl *kgo.Client) {
	w := &l.writer
	w.mu.Lock()
	owned := w.cl == cl
	if owned {
		w.cl = nil
	}
	w.mu.Unlock()
	if owned {
		cl.Close()
	}
}

// closeWriter closes the transactional client for Log.Close.
func (l *Log) closeWriter() {
	w := &l.writer
	w.mu.Lock()
	cl := w.cl
	w.cl = nil
	w.mu.Unlock()
	if cl != nil {
		cl.Close()
	}
}

// stableEnd returns the partition's last stable offset: the end of the
// log as a read-committed reader sees it.
func (l *Log) stableEnd(ctx context.Context) (int64, error) {
	return l.partitionOffset(ctx, l.adm.ListCommittedOffsets, "begin: reading the last stable offset")
}

// lostCommit records a commit lost to another instance.
func (l *Log) lostCommit() {
	w := &l.writer
	at := l.progress.read()
	w.mu.Lock()
	w.conflicts++
	w.lostAt = at
	w.mu.Unlock()
}

// txnErr wraps a failure of the transactional producer: storage.ErrClosed
// once the Log is closed, storage.ErrConflict when another instance fenced
// this one, and otherwise as classify does.
func (l *Log) txnErr(ctx context.Context, op string, err error) error {
	switch {
	case l.ctx.Err() != nil || errors.Is(err, kgo.ErrClientClosed):
		return fmt.Errorf("kafka: %s: %w", op, storage.ErrClosed)
	case fenced(err):
		return fmt.Errorf("kafka: %s: %w: %w", op, storage.ErrConflict, err)
	case ctx.Err() != nil:
		return classify(op, lastErr(ctx, err))
	}
	return classify(op, err)
}

// ctxErr is the error for an operation whose ctx ended while it waited.
func (l *Log) ctxErr(ctx context.Context, op string) error {
	if l.ctx.Err() != nil {
		return fmt.Errorf("kafka: %s: %w", op, storage.ErrClosed)
	}
	return classify(op, ctx.Err())
}

// fenced reports whether err says that another producer of the same
// transactional id took over: the transaction was, or will be, aborted.
//
// INVALID_TXN_STATE belongs here too. Under transaction version 2 (the
// default from Kafka 4.0) every epoch bump is one step, so an EndTxn from a
// producer that another instance's initialisation fenced carries exactly
// the previous epoch; the coordinator takes it for a retry, finds the
// transaction aborted, and refuses the commit with INVALID_TXN_STATE. A
// commit that did complete is acknowledged on retry, never refused.
func fenced(err error) bool {
	for _, e := range []error{
		kerr.ProducerFenced,
		kerr.InvalidProducerEpoch,
		kerr.InvalidProducerIDMapping,
		kerr.TransactionAbortable,
		kerr.UnknownProducerID,
		kerr.InvalidTxnState,
	} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// conflictBackoff is the pause before the n-th attempt in a row to take
// the epoch back: exponential, with jitter so that instances that lost
// together do not retry together.
func conflictBackoff(n int) time.Duration {
	d := conflictBackoffMin << min(n-1, 10)
	d = min(d, conflictBackoffMax)
	return d/2 + rand.N(d/2+1)
}

// txn is a transaction begun by Log.Begin.
type txn struct {
	l    *Log
	cl   *kgo.Client
	end  int64
	mu   sync.Mutex
	done bool
}

// End returns the offset below which every committed record lies.
func (t *txn) End() int64 { return t.end }

// finish marks the transaction ended and reports whether it was still
// open. The caller releases the Log's slot.
func (t *txn) finish() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done {
		return false
	}
	t.done = true
	return true
}

// Commit produces recs as one batch to partition 0 and commits the
// transaction. It returns the offset of the first record.
//
// When another instance took the epoch over since Begin, the error wraps
// storage.ErrConflict: nothing was committed, and the caller begins again
// (the next Begin takes the epoch back). Other failures wrap
// storage.ErrUnavailable when a retry may help; if they happen while the
// commit itself is in flight its outcome is unknown, and the next Begin,
// which initialises a new producer, waits for it to settle. A ctx without a
// deadline gets Config.WriteTimeout.
func (t *txn) Commit(ctx context.Context, recs ...storage.Record) (int64, error) {
	l := t.l
	if err := l.checkBatch("commit", recs); err != nil {
		_ = t.Abort(ctx)
		return 0, err
	}
	if !t.finish() {
		return 0, errors.New("kafka: commit: the transaction has already ended")
	}
	defer func() { <-l.writer.slot }()
	if !l.enter() {
		return 0, fmt.Errorf("kafka: commit: %w", storage.ErrClosed)
	}
	defer l.running.Done()
	ctx, cancel := withDefaultTimeout(ctx, l.cfg.WriteTimeout)
	defer cancel()
	ctx, stop := l.withClose(ctx)
	defer stop()

	b := newBatch(len(recs))
	for i, r := range recs {
		kr := &kgo.Record{Key: r.Key, Value: r.Value, Partition: 0}
		t.cl.Produce(ctx, kr, func(kr *kgo.Record, err error) { b.done(i, kr.Offset, err) })
	}
	_ = t.cl.Flush(ctx)
	select {
	case <-b.finished:
	case <-ctx.Done():
		// The batch may be in flight; it can never commit, since this
		// client will not end the transaction. The next producer's
		// initialisation aborts it.
		l.dropWriter(t.cl)
		return 0, l.ctxErr(ctx, "commit")
	}
	b.mu.Lock()
	perr := b.err
	first, last := b.offsets[0], b.offsets[len(b.offsets)-1]
	b.mu.Unlock()
	if perr != nil {
		l.dropWriter(t.cl)
		err := l.txnErr(ctx, "commit", perr)
		if errors.Is(err, storage.ErrConflict) {
			l.lostCommit()
		}
		return 0, err
	}
	if err := t.cl.EndTransaction(ctx, kgo.TryCommit); err != nil {
		l.dropWriter(t.cl)
		if !fenced(err) && ctx.Err() == nil && l.ctx.Err() == nil {
			// The commit's outcome is unknown (a lost response, a
			// coordinator that failed over, or the broker's own
			// UNKNOWN_SERVER_ERROR when a commit races another
			// instance's fencing). Find it out.
			committed, rerr := l.resolve(ctx, first, last)
			l.log.Debug("kafka: commit: outcome resolved", slog.Bool("committed", committed),
				slog.Any("error", err), slog.Any("resolve_error", rerr))
			switch {
			case rerr == nil && committed:
				l.committedBatch(last)
				return first, nil
			case rerr == nil:
				l.lostCommit()
				return 0, fmt.Errorf("kafka: commit: %w: the transaction was aborted after: %w", storage.ErrConflict, err)
			}
			l.log.Warn("kafka: commit: outcome unknown", slog.Any("error", err), slog.Any("resolve_error", rerr))
		}
		err := l.txnErr(ctx, "commit", err)
		if errors.Is(err, storage.ErrConflict) {
			l.lostCommit()
		}
		return 0, err
	}
	l.committedBatch(last)
	return first, nil
}

// committedBatch records a successful commit whose last record is at last.
func (l *Log) committedBatch(last int64) {
	w := &l.writer
	w.mu.Lock()
	w.committed = max(w.committed, last+1)
	w.conflicts = 0
	w.mu.Unlock()
}

// resolve finds out whether the transaction that produced the records at
// first..last committed. It initialises a new producer, which waits for
// the transaction to complete one way or the other (or aborts it) and
// takes the epoch; then every marker is written and a read-committed fetch
// from first returns one of those records if and only if it committed.
func (l *Log) resolve(ctx context.Context, first, last int64) (bool, error) {
	if _, err := l.newWriter(ctx); err != nil {
		return false, err
	}
	opts := append(append([]kgo.Opt(nil), l.common...),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{
			l.cfg.Topic: {0: kgo.NewOffset().At(first)},
		}),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		kgo.KeepControlRecords(),
		kgo.FetchMaxPartitionBytes(1<<20),
	)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return false, fmt.Errorf("kafka: resolve: %w", err)
	}
	defer cl.Close()
	for {
		fetches := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			return false, classify("resolve", ctx.Err())
		}
		for _, fe := range fetches.Errors() {
			if fatal := tailFatal(fe.Err); fatal != nil {
				return false, fatal
			}
		}
		var found, committed bool
		fetches.EachRecord(func(r *kgo.Record) {
			if found || r.Offset < first {
				return
			}
			// The first committed record at or after first: one of
			// ours if the batch committed, else the abort marker or a
			// later writer's record.
			found = true
			committed = r.Offset <= last && !r.Attrs.IsControl()
		})
		if found {
			return committed, nil
		}
	}
}

// Abort ends the transaction without writing. Nothing has been produced in
// it, so it sends nothing to the brokers.
func (t *txn) Abort(ctx context.Context) error {
	if !t.finish() {
		return nil
	}
	l := t.l
	defer func() { <-l.writer.slot }()
	if err := t.cl.EndTransaction(ctx, kgo.TryAbort); err != nil {
		l.dropWriter(t.cl)
		return l.txnErr(ctx, "abort", err)
	}
	return nil
}
