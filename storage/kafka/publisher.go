package kafka

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// PublisherConfig configures a Publisher.
type PublisherConfig struct {
	// Topic receives the events. It is created when absent. Required.
	Topic string
	// ClientOpts connect to the cluster: seed brokers, TLS, SASL. The
	// publisher adds its own producer settings. Required.
	ClientOpts []kgo.Opt
	// Partitions is used when the topic is created; 1 by default, which
	// keeps every event in one global order.
	Partitions int32
	// ReplicationFactor is used when the topic is created; -1 (the
	// default) takes the broker's default.
	ReplicationFactor int16
	// ResumeTimeout bounds the search for the last published event; 30 s
	// by default.
	ResumeTimeout time.Duration
}

// Event is what a Publisher sends: encoded as JSON, keyed by Key, and
// carrying its place in the source's order in the JSON field "position"
// (registry.ChangeEvent is one).
type Event interface{ Key() string }

// Publisher publishes events to a Kafka topic, one JSON record per event,
// keyed by the event's Key. It resumes after the newest event the topic
// already holds, so a restart neither loses nor repeats events. Run it on
// one instance: two publishers on one topic publish every event twice
// (consumers can drop repeats by position). It lives here, beside the other
// franz-go code, so that the registry itself knows no Kafka client.
type Publisher[E Event] struct {
	cfg PublisherConfig
	cl  *kgo.Client
	adm *kadm.Client
}

// NewPublisher connects and makes sure the topic exists.
func NewPublisher[E Event](ctx context.Context, cfg PublisherConfig) (*Publisher[E], error) {
	if cfg.Topic == "" {
		return nil, errors.New("change publisher: no topic")
	}
	if len(cfg.ClientOpts) == 0 {
		return nil, errors.New("change publisher: no client options (seed brokers)")
	}
	if cfg.Partitions <= 0 {
		cfg.Partitions = 1
	}
	if cfg.ReplicationFactor == 0 {
		cfg.ReplicationFactor = -1
	}
	if cfg.ResumeTimeout <= 0 {
		cfg.ResumeTimeout = 30 * time.Second
	}
	opts := append(append([]kgo.Opt(nil), cfg.ClientOpts...),
		kgo.DefaultProduceTopic(cfg.Topic),
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.ProducerLinger(0),
	)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("change publisher: %w", err)
	}
	p := &Publisher[E]{cfg: cfg, cl: cl, adm: kadm.NewClient(cl)}
	resp, err := p.adm.CreateTopic(ctx, cfg.Partitions, cfg.ReplicationFactor, nil, cfg.Topic)
	if err == nil {
		err = resp.Err
	}
	if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
		cl.Close()
		return nil, fmt.Errorf("change publisher: create topic %s: %w", cfg.Topic, err)
	}
	return p, nil
}

// Close releases the connection.
func (p *Publisher[E]) Close() { p.cl.Close() }

// Resume reads the newest record of every partition and returns the
// position after the newest event among them. Events are published one at
// a time, in order, so every event below that position was published.
func (p *Publisher[E]) Resume(ctx context.Context) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.ResumeTimeout)
	defer cancel()
	starts, err := p.adm.ListStartOffsets(ctx, p.cfg.Topic)
	if err != nil {
		return 0, fmt.Errorf("change publisher: list start offsets: %w", err)
	}
	ends, err := p.adm.ListEndOffsets(ctx, p.cfg.Topic)
	if err != nil {
		return 0, fmt.Errorf("change publisher: list end offsets: %w", err)
	}
	want := map[int32]kgo.Offset{}
	last := map[int32]int64{}
	var listErr error
	ends.Each(func(o kadm.ListedOffset) {
		if o.Err != nil {
			listErr = o.Err
			return
		}
		start, ok := starts.Lookup(o.Topic, o.Partition)
		if ok && start.Err == nil && o.Offset > start.Offset {
			want[o.Partition] = kgo.NewOffset().At(o.Offset - 1)
			last[o.Partition] = o.Offset - 1
		}
	})
	if listErr != nil {
		return 0, fmt.Errorf("change publisher: list offsets: %w", listErr)
	}
	if len(want) == 0 {
		return 0, nil
	}
	opts := append(append([]kgo.Opt(nil), p.cfg.ClientOpts...),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{p.cfg.Topic: want}))
	cons, err := kgo.NewClient(opts...)
	if err != nil {
		return 0, fmt.Errorf("change publisher: %w", err)
	}
	defer cons.Close()
	next := int64(0)
	for len(last) > 0 {
		fs := cons.PollFetches(ctx)
		if ctx.Err() != nil {
			return 0, fmt.Errorf("change publisher: read the newest events: %w", ctx.Err())
		}
		var ferr error
		fs.EachError(func(_ string, _ int32, err error) { ferr = err })
		if ferr != nil {
			return 0, fmt.Errorf("change publisher: read the newest events: %w", ferr)
		}
		fs.EachRecord(func(r *kgo.Record) {
			end, ok := last[r.Partition]
			if !ok || r.Offset < end {
				return
			}
			delete(last, r.Partition)
			var e struct {
				Position *int64 `json:"position"`
			}
			if json.Unmarshal(r.Value, &e) == nil && e.Position != nil {
				next = max(next, *e.Position+1)
			}
		})
	}
	return next, nil
}

// Publish produces events one at a time, in order, each acknowledged by
// every in-sync replica before the next is sent.
func (p *Publisher[E]) Publish(ctx context.Context, events []E) error {
	for _, e := range events {
		v, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("change publisher: encode event for %q: %w", e.Key(), err)
		}
		r := &kgo.Record{
			Key:     []byte(e.Key()),
			Value:   v,
			Headers: []kgo.RecordHeader{{Key: "content-type", Value: []byte("application/json")}},
		}
		if err := p.cl.ProduceSync(ctx, r).FirstErr(); err != nil {
			return fmt.Errorf("change publisher: produce event for %q: %w", e.Key(), err)
		}
	}
	return nil
}
