package governance_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/charter-registry/charter/governance"
	"github.com/charter-registry/charter/internal/registrytest"
	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/storage/kafka"
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
	pub, err := kafka.NewPublisher[governance.ChangeEvent](ctx, kafka.PublisherConfig{Topic: topic, ClientOpts: []kgo.Opt{kgo.SeedBrokers(brokers...)}})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- gov(svc).PublishChanges(ctx, pub) }()
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
	for name, brokers := range registrytest.KafkaClusters(t) {
		t.Run(name, func(t *testing.T) {
			topic := fmt.Sprintf("charter-changes-%d", time.Now().UnixNano())
			svc := runService(t, memLog(), registry.AccessConfig{})
			stop := runPublisher(t, svc, brokers, topic)
			ctx := context.Background()
			if _, err := gov(svc).CreateTeam(ctx, governance.Team{Name: "payments"}); err != nil {
				t.Fatal(err)
			}
			if _, err := gov(svc).CreateTopic(ctx, "orders", governance.TopicUpdate{Owner: ptr("payments")}); err != nil {
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
			if _, err := gov(svc).UpdateTopic(ctx, "orders", governance.TopicUpdate{Lifecycle: ptr(governance.Deprecated)}); err != nil {
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
			all, err := gov(svc).Changes(ctx, governance.ChangeQuery{})
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range recs {
				var e governance.ChangeEvent
				if err := json.Unmarshal(r.Value, &e); err != nil {
					t.Fatalf("event %d: %v", i, err)
				}
				if string(r.Key) != want[i].key || string(e.Type) != want[i].typ || e.Position != all.Events[i].Position {
					t.Errorf("event %d: key %s type %s position %d, want %s %s %d", i, r.Key, e.Type, e.Position, want[i].key, want[i].typ, all.Events[i].Position)
				}
			}
			// No event was published twice: the topic's one partition ends
			// after the six (each publish is acknowledged before the next).
			if n := topicEnd(t, brokers, topic); n != 6 {
				t.Errorf("topic holds %d events, want 6", n)
			}
		})
	}
}

// topicEnd returns the end offset of topic's only partition: the number
// of records produced to it, since nothing compacts or deletes them.
func topicEnd(t *testing.T, brokers []string, topic string) int64 {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ends, err := kadm.NewClient(cl).ListEndOffsets(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	end, ok := ends.Lookup(topic, 0)
	if !ok || end.Err != nil {
		t.Fatalf("end offset of %s: %v", topic, end.Err)
	}
	return end.Offset
}
