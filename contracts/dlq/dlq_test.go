package dlq_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/charter-registry/charter/contracts/client"
	"github.com/charter-registry/charter/contracts/dlq"
	"github.com/charter-registry/charter/contracts/rules"
	"github.com/charter-registry/charter/contracts/serde"
)

func cluster(t *testing.T, topics ...string) []string {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, topics...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c.ListenAddrs()
}

func TestWriterRefusesWeakAcks(t *testing.T) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(cluster(t)...), kgo.RequiredAcks(kgo.LeaderAck()), kgo.DisableIdempotentWrite())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if _, err := dlq.New(cl); err == nil {
		t.Fatal("a leader-ack client was accepted for dead letters")
	}
}

func TestWriteRuleTopicsAndHeaders(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	brokers := cluster(t, "orders", "rule-dlq", "fallback-dlq")
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	rec := &kgo.Record{Topic: "orders", Key: []byte("k"), Value: []byte{0, 0, 0, 0, 1, 2}, Headers: []kgo.RecordHeader{{Key: "trace", Value: []byte("t1")}}}
	re := &rules.Error{Rule: client.Rule{Name: "positive", Expr: "message.amount > 0"}, Mode: rules.Write, Subject: "orders-value",
		Topic: "orders", Action: rules.ActionDLQ, DLQTopic: "rule-dlq", Err: rules.ErrConditionFailed}

	noTopic, _ := dlq.New(cl)
	bare := *re
	bare.DLQTopic = ""
	if err := noTopic.WriteRule(ctx, rec, &bare); !errors.Is(err, dlq.ErrNoTopic) {
		t.Fatalf("err = %v, want ErrNoTopic", err)
	}
	w, _ := dlq.New(cl, dlq.Topic("fallback-dlq"))
	if err := w.WriteRule(ctx, rec, re); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteRule(ctx, rec, &bare); err != nil {
		t.Fatal(err)
	}
	// A consumer-side failure goes to the fallback with its origin.
	consumed := &kgo.Record{Topic: "orders", Partition: 0, Offset: 41, Value: []byte{9}}
	if err := w.WriteFailure(ctx, consumed, &serde.Error{Kind: serde.KindBadMagic, Topic: "orders", Err: serde.ErrBadMagic}); err != nil {
		t.Fatal(err)
	}

	got := readAll(t, brokers, map[string]int{"rule-dlq": 1, "fallback-dlq": 2})
	first := got["rule-dlq"][0]
	want := map[string]string{"trace": "t1", dlq.HeaderRuleName: "positive", dlq.HeaderRuleMode: "WRITE",
		dlq.HeaderRuleSubject: "orders-value", dlq.HeaderRuleTopic: "orders"}
	for k, v := range want {
		if h, _ := dlq.Header(first, k); h != v {
			t.Fatalf("header %s = %q, want %q", k, h, v)
		}
	}
	if string(first.Key) != "k" || string(first.Value) != string(rec.Value) {
		t.Fatalf("dead letter key %q value % x", first.Key, first.Value)
	}
	if skip := dlq.SkipRules(first); len(skip) != 1 || skip[0] != "positive" {
		t.Fatalf("SkipRules = %v", skip)
	}
	failure := got["fallback-dlq"][1]
	for k, v := range map[string]string{dlq.HeaderTopic: "orders", dlq.HeaderPartition: "0", dlq.HeaderOffset: "41", dlq.HeaderErrorKind: "bad-magic"} {
		if h, _ := dlq.Header(failure, k); h != v {
			t.Fatalf("header %s = %q, want %q", k, h, v)
		}
	}
	if _, ok := dlq.Header(failure, dlq.HeaderRuleName); ok {
		t.Fatal("a non-rule failure carries __rule.name")
	}
}

func readAll(t *testing.T, brokers []string, want map[string]int) map[string][]*kgo.Record {
	t.Helper()
	parts := map[string]map[int32]kgo.Offset{}
	for tp := range want {
		parts[tp] = map[int32]kgo.Offset{0: kgo.NewOffset().AtStart()}
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumePartitions(parts))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	got := map[string][]*kgo.Record{}
	for {
		done := true
		for tp, n := range want {
			if len(got[tp]) < n {
				done = false
			}
		}
		if done {
			return got
		}
		f := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("read %v, want %v", got, want)
		}
		f.EachRecord(func(r *kgo.Record) { got[r.Topic] = append(got[r.Topic], r) })
	}
}
