package dlq

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// ReplayOpt configures Replay.
type ReplayOpt interface{ apply(*replayConfig) }

type replayConfig struct {
	filter       func(*kgo.Record) bool
	consumerOpts []kgo.Opt
}

type replayOpt func(*replayConfig)

func (f replayOpt) apply(c *replayConfig) { f(c) }

// Filter replays only the dead letters keep returns true for; the others
// are counted as Skipped.
func Filter(keep func(*kgo.Record) bool) ReplayOpt {
	return replayOpt(func(c *replayConfig) { c.filter = keep })
}

// ConsumerOpts adds options (TLS, SASL) to the client Replay reads the
// dead-letter topic with; it already has the seed brokers of the client
// passed to Replay.
func ConsumerOpts(opts ...kgo.Opt) ReplayOpt {
	return replayOpt(func(c *replayConfig) { c.consumerOpts = append(c.consumerOpts, opts...) })
}

// Replayed counts what Replay did.
type Replayed struct {
	// Produced is how many dead letters went back to their topic.
	Produced int
	// Skipped is how many were left out by Filter or named no original
	// topic.
	Skipped int
}

// Replay reads dlqTopic from its start to the end offsets it has when
// Replay starts, and re-produces each dead letter to its original topic
// (the __dlq.topic header of consumer-side dead letters, __rule.topic of
// producer-side ones) with its key, value and headers, minus the headers
// this package added. Use it once the cause is fixed: a schema
// registered, a rule corrected or disabled. cl produces the replayed
// records; a second client with cl's seed brokers reads.
func Replay(ctx context.Context, cl *kgo.Client, dlqTopic string, opts ...ReplayOpt) (Replayed, error) {
	var cfg replayConfig
	for _, o := range opts {
		o.apply(&cfg)
	}
	var out Replayed
	ends, err := kadm.NewClient(cl).ListEndOffsets(ctx, dlqTopic)
	if err != nil {
		return out, fmt.Errorf("dlq: end offsets of %s: %w", dlqTopic, err)
	}
	if err := ends.Error(); err != nil {
		return out, fmt.Errorf("dlq: end offsets of %s: %w", dlqTopic, err)
	}
	remaining := map[int32]int64{}
	start := map[int32]kgo.Offset{}
	ends.Each(func(o kadm.ListedOffset) {
		if o.Offset > 0 {
			remaining[o.Partition] = o.Offset
			start[o.Partition] = kgo.NewOffset().AtStart()
		}
	})
	if len(remaining) == 0 {
		return out, nil
	}
	seeds, _ := cl.OptValue(kgo.SeedBrokers).([]string)
	copts := append([]kgo.Opt{kgo.SeedBrokers(seeds...), kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{dlqTopic: start})}, cfg.consumerOpts...)
	reader, err := kgo.NewClient(copts...)
	if err != nil {
		return out, fmt.Errorf("dlq: replay consumer: %w", err)
	}
	defer reader.Close()
	for len(remaining) > 0 {
		fetches := reader.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			return out, err
		}
		var ferr error
		fetches.EachError(func(t string, p int32, err error) {
			if !errors.Is(err, context.Canceled) {
				ferr = errors.Join(ferr, fmt.Errorf("fetch %s[%d]: %w", t, p, err))
			}
		})
		if ferr != nil {
			return out, fmt.Errorf("dlq: %w", ferr)
		}
		var batch []*kgo.Record
		fetches.EachRecord(func(r *kgo.Record) {
			end, ok := remaining[r.Partition]
			if !ok || r.Offset >= end {
				return
			}
			if r.Offset+1 >= end {
				delete(remaining, r.Partition)
			}
			target := original(r)
			if target == "" || (cfg.filter != nil && !cfg.filter(r)) {
				out.Skipped++
				return
			}
			batch = append(batch, &kgo.Record{Topic: target, Key: r.Key, Value: r.Value, Headers: userHeaders(r.Headers)})
		})
		if len(batch) > 0 {
			if err := cl.ProduceSync(ctx, batch...).FirstErr(); err != nil {
				return out, fmt.Errorf("dlq: replay: %w", err)
			}
			out.Produced += len(batch)
		}
	}
	return out, nil
}

// original is the topic a dead letter came from.
func original(r *kgo.Record) string {
	if t, ok := Header(r, HeaderTopic); ok && t != "" {
		return t
	}
	t, _ := Header(r, HeaderRuleTopic)
	return t
}

func userHeaders(h []kgo.RecordHeader) []kgo.RecordHeader {
	var out []kgo.RecordHeader
	for _, x := range h {
		if strings.HasPrefix(x.Key, "__rule.") || strings.HasPrefix(x.Key, "__dlq.") {
			continue
		}
		out = append(out, x)
	}
	return out
}
