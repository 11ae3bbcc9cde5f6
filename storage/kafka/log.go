package kafka

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/charter-registry/charter/storage"
)

// Log is a storage.Log kept in partition 0 of a Kafka topic. It is safe for
// concurrent use. Appends are serialised: each is one produce request.
type Log struct {
	cfg     Config
	log     *slog.Logger
	klog    kgo.Logger
	common  []kgo.Opt // seeds, TLS, SASL, timeouts: shared by every client
	prod    *kgo.Client
	adm     *kadm.Client
	sem     chan struct{} // held by the one Append in progress
	ctx     context.Context
	cancel  context.CancelFunc
	mu      sync.Mutex
	closed  bool
	running sync.WaitGroup // Append, Tail and End calls, and background flushes
	writer  writer         // the transactional producer behind Begin
	// progress is how far the Log's tails have read: Begin after a lost
	// commit waits for the winner's commit to show there.
	progress progress
}

// Interface checks.
var (
	_ storage.Log           = (*Log)(nil)
	_ storage.Transactional = (*Log)(nil)
)

// Open connects to the cluster, makes sure the topic can hold the log (see
// the package comment) and returns the Log. It fails with an error wrapping
// storage.ErrUnavailable when the brokers cannot be reached before ctx
// ends, and with a *TopicError when the topic is unfit. logger may be nil.
func Open(ctx context.Context, cfg Config, logger *slog.Logger) (*Log, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg.Brokers = append([]string(nil), cfg.Brokers...)
	l := &Log{cfg: cfg, log: logger, klog: kgoLogger{logger}, sem: make(chan struct{}, 1)}
	l.writer.slot = make(chan struct{}, 1)
	common, err := cfg.clientOpts(l.klog)
	if err != nil {
		return nil, err
	}
	l.common = common
	prodOpts := append(append([]kgo.Opt(nil), common...),
		kgo.DefaultProduceTopic(cfg.Topic),
		kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.RequiredAcks(kgo.AllISRAcks()),
		// End looks the partition up in cached metadata; refresh it
		// sooner than the 5 s default after a leader change.
		kgo.MetadataMinAge(500*time.Millisecond),
		kgo.ProduceRequestTimeout(cfg.ProduceTimeout),
		// Nothing is sent until Append flushes, so the records of one
		// Append always form one batch: one request, one atomic write.
		kgo.ManualFlushing(),
		kgo.MaxBufferedRecords(MaxAppendRecords),
		kgo.ProducerBatchMaxBytes(int32(cfg.MaxBatchBytes)+batchSlack),
	)
	// The topic is checked with a client of its own: an admin client
	// caches metadata, and a cached "no such topic" would make End
	// fail for a while after Open created the topic.
	admCl, err := kgo.NewClient(common...)
	if err != nil {
		return nil, fmt.Errorf("kafka: admin client: %w", err)
	}
	octx, cancel := withDefaultTimeout(ctx, cfg.RequestTimeout)
	defer cancel()
	err = retry(octx, func(ctx context.Context) error {
		return ensureTopic(ctx, kadm.NewClient(admCl), &l.cfg, logger)
	})
	admCl.Close()
	if err != nil {
		return nil, err
	}
	l.prod, err = kgo.NewClient(prodOpts...)
	if err != nil {
		return nil, fmt.Errorf("kafka: producer client: %w", err)
	}
	l.adm = kadm.NewClient(l.prod)
	l.ctx, l.cancel = context.WithCancel(context.Background())
	return l, nil
}

// batchSlack is what a record batch adds to its records: the batch header
// plus each record's length, attributes and deltas are bounded by it and
// by recordOverhead below.
const (
	batchSlack     = 128
	recordOverhead = 32
)

// enter registers a call that Close must wait for. It fails once the Log
// is closed.
func (l *Log) enter() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return false
	}
	l.running.Add(1)
	return true
}

// Append produces recs as one batch to partition 0 and returns the offset
// of the first record once every in-sync replica has it (acks=all).
//
// When ctx ends first, Append returns an error wrapping
// storage.ErrUnavailable and ctx.Err(); the batch may still land later,
// whole, since an idempotent producer cannot take back a request the broker
// may have received. Later Appends wait for that outcome, so batches stay
// in call order. A ctx without a deadline gets Config.WriteTimeout.
//
// Append writes outside any transaction: it takes no part in the mutual
// exclusion that Begin provides. Writers that share the topic with other
// instances use Begin and Txn.Commit.
func (l *Log) Append(ctx context.Context, recs ...storage.Record) (int64, error) {
	if err := l.checkBatch("append", recs); err != nil {
		return 0, err
	}
	if !l.enter() {
		return 0, fmt.Errorf("kafka: append: %w", storage.ErrClosed)
	}
	defer l.running.Done()
	ctx, cancel := withDefaultTimeout(ctx, l.cfg.WriteTimeout)
	defer cancel()

	select {
	case l.sem <- struct{}{}:
	case <-ctx.Done():
		return 0, classify("append: waiting for the previous append", ctx.Err())
	case <-l.ctx.Done():
		return 0, fmt.Errorf("kafka: append: %w", storage.ErrClosed)
	}
	b := newBatch(len(recs))
	for i, r := range recs {
		kr := &kgo.Record{Key: r.Key, Value: r.Value, Partition: 0}
		l.prod.Produce(ctx, kr, func(kr *kgo.Record, err error) { b.done(i, kr.Offset, err) })
	}
	// Flush sends the batch; its error is ctx's, which the select sees.
	_ = l.prod.Flush(ctx)
	select {
	case <-b.finished:
		<-l.sem
		return b.result(l)
	case <-ctx.Done():
	}
	// The batch may be in flight. Keep flushing in the background until
	// the producer settles it, then let the next Append go.
	l.running.Add(1)
	go func() {
		defer l.running.Done()
		_ = l.prod.Flush(l.ctx)
		<-b.finished
		<-l.sem
	}()
	return 0, classify("append", ctx.Err())
}

// checkBatch refuses a batch that cannot be written as one Kafka record
// batch: empty, too many records, or too many bytes.
func (l *Log) checkBatch(op string, recs []storage.Record) error {
	if len(recs) == 0 {
		return fmt.Errorf("kafka: %s: no records", op)
	}
	if len(recs) > MaxAppendRecords {
		return fmt.Errorf("kafka: %s: %d records in one batch, the limit is %d", op, len(recs), MaxAppendRecords)
	}
	size := 0
	for _, r := range recs {
		size += len(r.Key) + len(r.Value) + recordOverhead
	}
	if size > l.cfg.MaxBatchBytes {
		return fmt.Errorf("kafka: %s: batch of about %d bytes exceeds the limit of %d", op, size, l.cfg.MaxBatchBytes)
	}
	return nil
}

// batch collects the outcome of one Append's records.
type batch struct {
	mu       sync.Mutex
	left     int
	offsets  []int64
	err      error
	finished chan struct{}
}

func newBatch(n int) *batch {
	return &batch{left: n, offsets: make([]int64, n), finished: make(chan struct{})}
}

// done records the outcome of record i.
func (b *batch) done(i int, offset int64, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.offsets[i] = offset
	if err != nil && b.err == nil {
		b.err = err
	}
	b.left--
	if b.left == 0 {
		close(b.finished)
	}
}

// result returns the first offset, or the error, of a finished batch.
func (b *batch) result(l *Log) (int64, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err != nil {
		if errors.Is(b.err, kgo.ErrClientClosed) {
			return 0, fmt.Errorf("kafka: append: %w", storage.ErrClosed)
		}
		return 0, classify("append", b.err)
	}
	for i, o := range b.offsets {
		if o != b.offsets[0]+int64(i) {
			// One batch gets consecutive offsets; anything else means
			// the records were split, which ManualFlushing prevents.
			l.log.Error("kafka: append landed in more than one batch",
				slog.Int64("first", b.offsets[0]), slog.Int("record", i), slog.Int64("offset", o))
			break
		}
	}
	return b.offsets[0], nil
}

// End returns the high watermark of partition 0: the offset the next
// appended record will get. A ctx without a deadline gets
// Config.RequestTimeout.
func (l *Log) End(ctx context.Context) (int64, error) {
	if !l.enter() {
		return 0, fmt.Errorf("kafka: end: %w", storage.ErrClosed)
	}
	defer l.running.Done()
	ctx, cancel := withDefaultTimeout(ctx, l.cfg.RequestTimeout)
	defer cancel()
	ctx, stop := l.withClose(ctx)
	defer stop()
	return l.partitionOffset(ctx, l.adm.ListEndOffsets, "end")
}

// partitionOffset asks list (ListEndOffsets, ListCommittedOffsets) for
// partition 0's offset, retrying transient errors until ctx ends.
func (l *Log) partitionOffset(ctx context.Context, list func(context.Context, ...string) (kadm.ListedOffsets, error), op string) (int64, error) {
	var end int64
	err := retry(ctx, func(ctx context.Context) error {
		offs, err := list(ctx, l.cfg.Topic)
		if err == nil {
			err = offs.Error()
		}
		if err != nil {
			return err
		}
		o, ok := offs.Lookup(l.cfg.Topic, 0)
		if !ok {
			return fmt.Errorf("no offset for partition 0 of %q", l.cfg.Topic)
		}
		end = o.Offset
		return nil
	})
	if err != nil {
		if l.ctx.Err() != nil {
			return 0, fmt.Errorf("kafka: %s: %w", op, storage.ErrClosed)
		}
		return 0, classify(op, err)
	}
	return end, nil
}

// Close stops the Log: pending Tail calls return storage.ErrClosed, an
// Append still settling in the background is abandoned, and every
// goroutine the Log started has exited when Close returns.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	l.mu.Unlock()
	l.cancel()
	l.prod.Close()
	l.closeWriter()
	l.running.Wait()
	return nil
}

// withClose returns ctx, also canceled when the Log closes.
func (l *Log) withClose(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(l.ctx, cancel)
	return ctx, func() { stop(); cancel() }
}

// withDefaultTimeout gives ctx a deadline d away unless it has one.
func withDefaultTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, d)
}
