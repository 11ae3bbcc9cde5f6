package registry_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/charter-registry/charter/registry"
)

// consumeChanges reads n events from the start of topic.
func consumeChanges(t *testing.T, brokers []string, topic string, n int) []*kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out []*kgo.Record
	for len(out) < n {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("read %d of %d events from %s", len(out), n, topic)
		}
		fs.EachRecord(func(r *kgo.Record) { out = append(out, r) })
	}
	return out
}

// runPublisher publishes svc's changes to topic until stop is called.
func runPublisher(t *testing.T, svc *registry.Service, brokers []string, topic string) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pub, err := registry.NewKafkaPublisher(ctx, registry.KafkaPublisherConfig{Topic: topic, ClientOpts: []kgo.Opt{kgo.SeedBrokers(brokers...)}})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- svc.PublishChanges(ctx, pub) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != context.Canceled {
			t.Errorf("PublishChanges ended with %v", err)
		}
		pub.Close()
	}
	t.Cleanup(stop)
	return stop
}

func TestKafkaPublisherPublishesEveryChangeOnceAcrossRestarts(t *testing.T) {
	for name, brokers := range kafkaClusters(t) {
		t.Run(name, func(t *testing.T) {
			topic := fmt.Sprintf("charter-changes-%d", time.Now().UnixNano())
			svc := runService(t, memLog(), registry.AccessConfig{})
			stop := runPublisher(t, svc, brokers, topic)
			ctx := context.Background()
			if _, err := svc.CreateTeam(ctx, registry.Team{Name: "payments"}); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.CreateTopic(ctx, "orders", registry.TopicUpdate{Owner: ptr("payments")}); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Register(ctx, "orders-value", registry.RegisterRequest{Schema: orderV1}); err != nil {
				t.Fatal(err)
			}
			consumeChanges(t, brokers, topic, 3)
			stop()

			// Changes made while no publisher runs are published by the
			// next one, after the ones already there and without repeats.
			if _, err := svc.SetConfig(ctx, "orders-value", registry.Config{Normalize: ptr(true)}); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.UpdateTopic(ctx, "orders", registry.TopicUpdate{Lifecycle: ptr(registry.Deprecated)}); err != nil {
				t.Fatal(err)
			}
			runPublisher(t, svc, brokers, topic)
			if _, err := svc.DeleteSubject(ctx, "orders-value", false); err != nil {
				t.Fatal(err)
			}
			recs := consumeChanges(t, brokers, topic, 6)
			want := []struct{ key, typ string }{
				{"payments", "team.created"},
				{"orders", "topic.created"},
				{"orders-value", "schema.registered"},
				{"orders-value", "config.changed"},
				{"orders", "topic.updated"},
				{"orders-value", "subject.deleted"},
			}
			all, err := svc.Changes(ctx, registry.ChangeQuery{})
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range recs {
				var e registry.ChangeEvent
				if err := json.Unmarshal(r.Value, &e); err != nil {
					t.Fatalf("event %d: %v", i, err)
				}
				if string(r.Key) != want[i].key || string(e.Type) != want[i].typ || e.Position != all.Events[i].Position {
					t.Errorf("event %d: key %s type %s position %d, want %s %s %d", i, r.Key, e.Type, e.Position, want[i].key, want[i].typ, all.Events[i].Position)
				}
			}
			// Nothing more arrives: no event was published twice.
			time.Sleep(200 * time.Millisecond)
			if extra := consumeAvailable(t, brokers, topic); extra != 6 {
				t.Errorf("topic holds %d events, want 6", extra)
			}
		})
	}
}

// consumeAvailable counts the records of topic below its end.
func consumeAvailable(t *testing.T, brokers []string, topic string) int {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	n := 0
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		fs := cl.PollFetches(ctx)
		cancel()
		got := fs.NumRecords()
		n += got
		if got == 0 {
			return n
		}
	}
}
