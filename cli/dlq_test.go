package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/charter-registry/charter/contracts/dlq"
)

// TestDLQReplaySendsDeadLettersHome dead-letters three records by hand
// (two producer-side from different rules, one consumer-side), replays only
// one rule's, then the rest, and checks what lands on the original topics.
func TestDLQReplaySendsDeadLettersHome(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "payments", "payments-dlq", "audit"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	brokers := strings.Join(c.ListenAddrs(), ",")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	h := func(k, v string) kgo.RecordHeader { return kgo.RecordHeader{Key: k, Value: []byte(v)} }
	dead := []*kgo.Record{
		{Topic: "payments-dlq", Key: []byte("p1"), Value: []byte("v1"), Headers: []kgo.RecordHeader{h("trace", "a"), h(dlq.HeaderRuleName, "amountPositive"), h(dlq.HeaderRuleTopic, "payments"), h(dlq.HeaderRuleMode, "WRITE")}},
		{Topic: "payments-dlq", Key: []byte("p2"), Value: []byte("v2"), Headers: []kgo.RecordHeader{h(dlq.HeaderRuleName, "currencyKnown"), h(dlq.HeaderRuleTopic, "payments")}},
		{Topic: "payments-dlq", Key: []byte("a1"), Value: []byte("v3"), Headers: []kgo.RecordHeader{h(dlq.HeaderTopic, "audit"), h(dlq.HeaderErrorKind, "unknown-id")}},
	}
	if err := cl.ProduceSync(ctx, dead...).FirstErr(); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		t.Helper()
		root := NewRootCommand()
		var out bytes.Buffer
		root.SetOut(&out)
		root.SetArgs(append([]string{"dlq", "replay", "payments-dlq", "--kafka-brokers", brokers}, args...))
		if err := root.ExecuteContext(ctx); err != nil {
			t.Fatalf("dlq replay %v: %v", args, err)
		}
		return out.String()
	}
	if got := run("--rule", "amountPositive"); !strings.Contains(got, "replayed 1 dead letters") || !strings.Contains(got, "skipped 2") {
		t.Fatalf("filtered replay said %q", got)
	}
	home := consumeAll(t, ctx, c.ListenAddrs(), "payments", 1)
	if string(home[0].Key) != "p1" || string(home[0].Value) != "v1" {
		t.Fatalf("replayed record %q=%q", home[0].Key, home[0].Value)
	}
	for _, hd := range home[0].Headers {
		if strings.HasPrefix(hd.Key, "__rule.") || strings.HasPrefix(hd.Key, "__dlq.") {
			t.Fatalf("replayed record still carries dead-letter header %s", hd.Key)
		}
	}
	if v, ok := dlq.Header(home[0], "trace"); !ok || v != "a" {
		t.Fatalf("the record's own header was lost: %v", home[0].Headers)
	}
	if got := run("--error-kind", "unknown-id"); !strings.Contains(got, "replayed 1 dead letters") {
		t.Fatalf("error-kind replay said %q", got)
	}
	if a := consumeAll(t, ctx, c.ListenAddrs(), "audit", 1); string(a[0].Key) != "a1" {
		t.Fatalf("consumer-side dead letter went back as %q", a[0].Key)
	}
	// Without a broker the command is a usage error, not a hang.
	root := NewRootCommand()
	root.SetArgs([]string{"dlq", "replay", "payments-dlq"})
	t.Setenv("CHARTER_KAFKA_BROKERS", "")
	if err := root.ExecuteContext(ctx); err == nil || !strings.Contains(err.Error(), "no brokers") {
		t.Fatalf("replay without brokers: %v", err)
	}
}

func consumeAll(t *testing.T, ctx context.Context, brokers []string, topic string, want int) []*kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var out []*kgo.Record
	for len(out) < want {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("%s: got %d records, want %d", topic, len(out), want)
		}
		fs.EachRecord(func(r *kgo.Record) { out = append(out, r) })
	}
	return out
}
