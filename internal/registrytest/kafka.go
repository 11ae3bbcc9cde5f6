package registrytest

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/storage/kafka"
)

// KafkaClusters returns the clusters a Kafka test runs against, by name:
// always "kfake", an in-process fake broker closed when t ends, and
// "broker", the real brokers named by CHARTER_KAFKA_BROKERS, when that is
// set (scripts/test.sh sets it).
func KafkaClusters(t testing.TB) map[string][]string {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatalf("kfake: %v", err)
	}
	t.Cleanup(c.Close)
	out := map[string][]string{"kfake": c.ListenAddrs()}
	if env := os.Getenv("CHARTER_KAFKA_BROKERS"); env != "" {
		out["broker"] = strings.Split(env, ",")
	}
	return out
}

// OpenKafka opens a Kafka log on topic of brokers, closed when t ends.
func OpenKafka(t testing.TB, brokers []string, topic string) *kafka.Log {
	t.Helper()
	cfg := kafka.DefaultConfig()
	cfg.Brokers = brokers
	cfg.Topic = topic
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l, err := kafka.Open(ctx, cfg, nil)
	if err != nil {
		t.Fatalf("kafka.Open: %v", err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l
}

// WaitApplied waits until svc has applied its log up to pos. Instances on
// one log tail it independently, so this waits for an event; the minute is
// a hang guard, not a timing assumption.
func WaitApplied(t testing.TB, svc *registry.Service, pos int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for {
		if applied, _ := svc.Progress(); applied >= pos {
			return
		}
		select {
		case <-ctx.Done():
			applied, _ := svc.Progress()
			t.Fatalf("instance stuck at position %d, want %d", applied, pos)
		case <-time.After(10 * time.Millisecond): // the pace of a poll
		}
	}
}
