package kafka

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/charter-registry/charter/storage"
)

// tailFetchBytes is how much one fetch may return for the partition: large
// enough that replaying a big log is not bound by round trips.
const tailFetchBytes = 16 << 20

// warnEvery spaces out repeated warnings while the brokers are away.
const warnEvery = 10 * time.Second

// Tail reads partition 0 from offset from and calls fn for each record in
// offset order, then waits for more. It uses its own client with a direct
// partition assignment (no consumer group), which reconnects by itself when
// a broker restarts: Tail keeps waiting through an outage and logs it.
//
// It returns ctx.Err() when ctx ends, fn's error when fn fails,
// storage.ErrClosed when the Log closes, and an error when the log cannot
// be read any more: the topic lost records Tail had already delivered, or
// the brokers refuse access.
//
// Tail reads committed records only and passes transaction markers on as
// Control records. A tombstone's Value is nil. When from lies below the
// log start (compaction or deletion removed those records), Tail starts at
// the log start.
func (l *Log) Tail(ctx context.Context, from int64, fn func(storage.Record) error) error {
	if from < 0 {
		return fmt.Errorf("kafka: tail: negative offset %d", from)
	}
	if !l.enter() {
		return fmt.Errorf("kafka: tail: %w", storage.ErrClosed)
	}
	defer l.running.Done()
	opts := append(append([]kgo.Opt(nil), l.common...),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{
			l.cfg.Topic: {0: kgo.NewOffset().At(from)},
		}),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		kgo.KeepControlRecords(),
		kgo.FetchMaxPartitionBytes(tailFetchBytes),
		kgo.FetchMaxBytes(tailFetchBytes),
		kgo.BrokerMaxReadBytes(2*tailFetchBytes),
		// Records below the log start are gone for good: start at the
		// log start. A loss past what was read is reported, not skipped.
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
	)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return fmt.Errorf("kafka: tail client: %w", err)
	}
	defer cl.Close()
	pctx, stop := l.withClose(ctx)
	defer stop()

	var lastWarn time.Time
	for {
		fetches := cl.PollFetches(pctx)
		if pctx.Err() != nil {
			if l.ctx.Err() != nil {
				return fmt.Errorf("kafka: tail: %w", storage.ErrClosed)
			}
			return ctx.Err()
		}
		for _, fe := range fetches.Errors() {
			if fatal := tailFatal(fe.Err); fatal != nil {
				return fatal
			}
			lvl := slog.LevelDebug
			if time.Since(lastWarn) >= warnEvery {
				lvl, lastWarn = slog.LevelWarn, time.Now()
			}
			l.log.Log(ctx, lvl, "kafka: tail: fetch failed, retrying",
				slog.String("topic", fe.Topic), slog.Any("error", fe.Err))
		}
		var ferr error
		delivered := int64(-1)
		fetches.EachRecord(func(kr *kgo.Record) {
			if ferr != nil || kr.Offset < from {
				return
			}
			rec := storage.Record{Offset: kr.Offset, Key: kr.Key, Value: kr.Value}
			if kr.Attrs.IsControl() {
				rec = storage.Record{Offset: kr.Offset, Control: true}
			}
			if ferr = fn(rec); ferr == nil {
				delivered = kr.Offset
			}
		})
		if delivered >= 0 {
			l.progress.advance(delivered + 1)
		}
		if ferr != nil {
			return ferr
		}
	}
}

// tailFatal returns the error that ends a Tail for a fetch error, or nil
// when the client retries by itself.
func tailFatal(err error) error {
	var loss *kgo.ErrDataLoss
	switch {
	case errors.As(err, &loss):
		return fmt.Errorf("kafka: tail: the topic lost records that were already read: %w", err)
	case errors.Is(err, kgo.ErrClientClosed), errors.Is(err, context.Canceled),
		errors.Is(err, context.DeadlineExceeded):
		return nil // the loop checks the context
	}
	var ke *kerr.Error
	if errors.As(err, &ke) && !ke.Retriable {
		return fmt.Errorf("kafka: tail: %w", err)
	}
	return nil
}
