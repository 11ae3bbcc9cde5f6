package kafka_test

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/contracts/client"
	"github.com/charter-registry/charter/contracts/dlq"
	"github.com/charter-registry/charter/contracts/kafka"
	"github.com/charter-registry/charter/contracts/serde"
)

// TestConsumerDeadLettersReadRule: a READ rule whose action is DLQ sends
// the record to the rule's topic with both the rule headers and where the
// record was read, and the consumer goes on.
func TestConsumerDeadLettersReadRule(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "pay", "pay-read-dlq"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	brokers := c.ListenAddrs()
	reg := startRegistry(t)
	if _, err := reg.Register(ctx, "pay-value", client.Schema{Schema: paymentSchema, RuleSet: &client.RuleSet{DomainRules: []client.Rule{{
		Name: "notFrozen", Kind: "CONDITION", Mode: "READ", Type: "CEL", Expr: "message.id != 'frozen'",
		OnFailure: "DLQ", Params: map[string]string{"dlq.topic": "pay-read-dlq"},
	}}}}, false); err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ser, _ := serde.NewSerializer(reg, compat.Avro)
	prod, _ := kafka.NewProducer(cl, ser)
	for _, id := range []string{"frozen", "fine"} {
		if _, err := prod.Produce(ctx, "pay", []byte(id), map[string]any{"id": id, "amount": 1.0}); err != nil {
			t.Fatal(err)
		}
	}
	de, _ := serde.NewDeserializer(reg, compat.Avro)
	reader, err := kafka.NewConsumer(consumerOn(t, brokers, "pay"), de)
	if err != nil {
		t.Fatal(err)
	}
	var msgs []kafka.Message
	for len(msgs) < 2 {
		m, err := reader.Poll(ctx)
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, m...)
	}
	if !msgs[0].DeadLettered || serde.KindOf(msgs[0].Err) != serde.KindRule || msgs[1].Err != nil {
		t.Fatalf("outcomes %+v", msgs)
	}
	dl := firstRecord(t, brokers, "pay-read-dlq")
	for k, v := range map[string]string{dlq.HeaderRuleName: "notFrozen", dlq.HeaderRuleMode: "READ", dlq.HeaderTopic: "pay",
		dlq.HeaderOffset: "0", dlq.HeaderErrorKind: "rule", dlq.HeaderSchemaID: "1"} {
		if got, _ := dlq.Header(dl, k); got != v {
			t.Fatalf("header %s = %q, want %q", k, got, v)
		}
	}
	// The dead letter itself reads fine: its rule is skipped.
	v, err := de.Deserialize(ctx, "pay-read-dlq", dl.Value, dlq.SkipRules(dl)...)
	if err != nil || v.(map[string]any)["id"] != "frozen" {
		t.Fatalf("dead letter = %v, %v", v, err)
	}
}
