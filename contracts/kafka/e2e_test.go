package kafka_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/contracts/client"
	"github.com/charter-registry/charter/contracts/dlq"
	"github.com/charter-registry/charter/contracts/kafka"
	"github.com/charter-registry/charter/contracts/serde"
)

const paymentSchema = `{"type":"record","name":"Payment","namespace":"acme","fields":[
 {"name":"id","type":"string"},{"name":"amount","type":"double"}]}`

// TestContractKfake runs the dead-letter scenario on an in-process kfake
// broker.
func TestContractKfake(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	runContractScenario(t, c.ListenAddrs())
}

// TestContractRealKafka runs the same scenario on the broker named by
// CHARTER_KAFKA_BROKERS (CI always sets it).
func TestContractRealKafka(t *testing.T) {
	brokers := os.Getenv("CHARTER_KAFKA_BROKERS")
	if brokers == "" {
		t.Skip("CHARTER_KAFKA_BROKERS is not set: the end-to-end test needs a real Kafka broker (scripts/kafka.sh up; CI sets it)")
	}
	runContractScenario(t, strings.Split(brokers, ","))
}

// runContractScenario registers a schema whose CEL rule message.amount > 0
// dead-letters failures, produces 100 valid and 10 invalid payments, and
// checks that exactly 100 land on the topic and 10 on the DLQ with
// Confluent's headers, that a record not matching the schema lands
// nowhere, and that one consumer reads all 110, the dead letters included
// because their rule is skipped on read. Then it feeds the consumer
// records it cannot read, checks they are dead-lettered with where they
// came from, and replays them.
func runContractScenario(t *testing.T, brokers []string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	run := time.Now().UnixNano()
	topic := fmt.Sprintf("contracts-payments-%d", run)
	dlqTopic := topic + "-dlq"
	badTopic := topic + "-unreadable"

	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.RequiredAcks(kgo.AllISRAcks()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	if _, err := adm.CreateTopics(ctx, 1, 1, nil, topic, dlqTopic, badTopic); err != nil {
		t.Fatal(err)
	}
	defer func() { _, _ = adm.DeleteTopics(context.Background(), topic, dlqTopic, badTopic) }()

	reg := startRegistry(t)
	subject := topic + "-value"
	// WRITEREAD: the rule also runs on read, so reading the dead letters
	// works only because their __rule.name is skipped.
	_, err = reg.Register(ctx, subject, client.Schema{Schema: paymentSchema, RuleSet: &client.RuleSet{DomainRules: []client.Rule{{
		Name: "positiveAmount", Kind: "CONDITION", Mode: "WRITEREAD", Type: "CEL",
		Expr: "message.amount > 0", OnFailure: "DLQ", Params: map[string]string{"dlq.topic": dlqTopic},
	}}}}, false)
	if err != nil {
		t.Fatal(err)
	}

	ser, err := serde.NewSerializer(reg, compat.Avro)
	if err != nil {
		t.Fatal(err)
	}
	prod, err := kafka.NewProducer(cl, ser)
	if err != nil {
		t.Fatal(err)
	}
	valid, deadLettered := 0, 0
	for i := range 110 {
		amount := float64(i + 1)
		if i%11 == 10 {
			amount = -amount
		}
		key := []byte(fmt.Sprintf("p-%d", i))
		_, err := prod.Produce(ctx, topic, key, map[string]any{"id": string(key), "amount": amount},
			kgo.RecordHeader{Key: "trace", Value: key})
		switch {
		case err == nil:
			valid++
		case kafka.DeadLettered(err):
			deadLettered++
		default:
			t.Fatalf("payment %d (amount %v): %v", i, amount, err)
		}
	}
	if valid != 100 || deadLettered != 10 {
		t.Fatalf("produced %d, dead-lettered %d; want 100 and 10", valid, deadLettered)
	}

	// A value that does not match the schema fails before Kafka.
	_, err = prod.Produce(ctx, topic, []byte("bad"), map[string]any{"id": "bad", "amount": "a lot"})
	if serde.KindOf(err) != serde.KindValidation || !strings.Contains(err.Error(), "$.amount: expected double, got string") {
		t.Fatalf("schema mismatch: err = %v", err)
	}
	if kafka.DeadLettered(err) {
		t.Fatal("a schema mismatch was dead-lettered")
	}

	ends, err := adm.ListEndOffsets(ctx, topic, dlqTopic)
	if err != nil {
		t.Fatal(err)
	}
	for tp, want := range map[string]int64{topic: 100, dlqTopic: 10} {
		got, _ := ends.Lookup(tp, 0)
		if got.Offset != want {
			t.Fatalf("%s holds %d records, want %d", tp, got.Offset, want)
		}
	}

	// One consumer reads both topics: all 110 payments.
	cons := consumerOn(t, brokers, topic, dlqTopic)
	de, err := serde.NewDeserializer(reg, compat.Avro)
	if err != nil {
		t.Fatal(err)
	}
	reader, err := kafka.NewConsumer(cons, de)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for got[topic]+got[dlqTopic] < 110 {
		msgs, err := reader.Poll(ctx)
		if err != nil {
			t.Fatalf("poll: %v", err)
		}
		for _, m := range msgs {
			if m.Err != nil {
				t.Fatalf("%s offset %d: %v", m.Record.Topic, m.Record.Offset, m.Err)
			}
			amount := m.Value.(map[string]any)["amount"].(float64)
			if (m.Record.Topic == dlqTopic) != (amount < 0) {
				t.Fatalf("payment with amount %v read from %s", amount, m.Record.Topic)
			}
			if m.Record.Topic == dlqTopic {
				checkRuleHeaders(t, m.Record, topic, subject)
			}
			got[m.Record.Topic]++
		}
	}
	if got[topic] != 100 || got[dlqTopic] != 10 {
		t.Fatalf("read %v, want 100 and 10", got)
	}

	// Without the skip, a dead letter fails the READ side of its rule.
	dl := firstRecord(t, brokers, dlqTopic)
	if _, err := de.Deserialize(ctx, dlqTopic, dl.Value); serde.KindOf(err) != serde.KindRule {
		t.Fatalf("dead letter read without skipping its rule: err = %v, want a rule failure", err)
	}

	consumerSide(t, ctx, cl, brokers, reg, badTopic)
}

func checkRuleHeaders(t *testing.T, r *kgo.Record, topic, subject string) {
	t.Helper()
	want := map[string]string{
		dlq.HeaderRuleName:    "positiveAmount",
		dlq.HeaderRuleMode:    "WRITE",
		dlq.HeaderRuleSubject: subject,
		dlq.HeaderRuleTopic:   topic,
		"trace":               string(r.Key),
	}
	for k, v := range want {
		if got, ok := dlq.Header(r, k); !ok || got != v {
			t.Fatalf("dead letter header %s = %q, want %q", k, got, v)
		}
	}
	if ex, _ := dlq.Header(r, dlq.HeaderRuleException); !strings.Contains(ex, "message.amount > 0") {
		t.Fatalf("__rule.exception = %q", ex)
	}
}

// consumerSide sends the consumer a record with a bad magic byte, one with
// an unknown schema id and one whose body does not decode; all three are
// dead-lettered with their origin and error kind, consumption goes on to a
// good record, and Replay puts the three back on their topic.
func consumerSide(t *testing.T, ctx context.Context, cl *kgo.Client, brokers []string, reg *client.Client, topic string) {
	deadTopic := topic + "-dlq"
	if _, err := kadm.NewClient(cl).CreateTopics(ctx, 1, 1, nil, deadTopic); err != nil {
		t.Fatal(err)
	}
	defer func() { _, _ = kadm.NewClient(cl).DeleteTopics(context.Background(), deadTopic) }()
	if _, err := reg.Register(ctx, topic+"-value", client.Schema{Schema: paymentSchema}, false); err != nil {
		t.Fatal(err)
	}
	ser, err := serde.NewSerializer(reg, compat.Avro)
	if err != nil {
		t.Fatal(err)
	}
	good, err := ser.Serialize(ctx, topic, map[string]any{"id": "ok", "amount": 1.0})
	if err != nil {
		t.Fatal(err)
	}
	recs := []*kgo.Record{
		{Topic: topic, Key: []byte("magic"), Value: []byte("{\"not\":\"avro\"}")},
		{Topic: topic, Key: []byte("unknown"), Value: serde.AppendHeader(nil, 99999)},
		{Topic: topic, Key: []byte("corrupt"), Value: append(good[:serde.HeaderSize:serde.HeaderSize], 0x7f)},
		{Topic: topic, Key: []byte("good"), Value: good},
	}
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
	w, err := dlq.New(cl, dlq.Topic(deadTopic))
	if err != nil {
		t.Fatal(err)
	}
	de, err := serde.NewDeserializer(reg, compat.Avro)
	if err != nil {
		t.Fatal(err)
	}
	reader, err := kafka.NewConsumer(consumerOn(t, brokers, topic), de, kafka.ConsumerDeadLetters(w))
	if err != nil {
		t.Fatal(err)
	}
	var msgs []kafka.Message
	for len(msgs) < 4 {
		m, err := reader.Poll(ctx)
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, m...)
	}
	if !msgs[0].DeadLettered || serde.KindOf(msgs[0].Err) != serde.KindBadMagic ||
		!msgs[1].DeadLettered || serde.KindOf(msgs[1].Err) != serde.KindUnknownID ||
		!msgs[2].DeadLettered || serde.KindOf(msgs[2].Err) != serde.KindDecode ||
		msgs[3].Err != nil || msgs[3].DeadLettered {
		t.Fatalf("consumer outcomes: %+v", msgs)
	}
	ends, _ := kadm.NewClient(cl).ListEndOffsets(ctx, deadTopic)
	if o, _ := ends.Lookup(deadTopic, 0); o.Offset != 3 {
		t.Fatalf("%s holds %d dead letters, want 3", deadTopic, o.Offset)
	}
	dl := firstRecord(t, brokers, deadTopic)
	for k, v := range map[string]string{dlq.HeaderTopic: topic, dlq.HeaderPartition: "0", dlq.HeaderOffset: "0", dlq.HeaderErrorKind: "bad-magic"} {
		if got, _ := dlq.Header(dl, k); got != v {
			t.Fatalf("consumer dead letter header %s = %q, want %q", k, got, v)
		}
	}

	n, err := dlq.Replay(ctx, cl, deadTopic)
	if err != nil || n.Produced != 3 || n.Skipped != 0 {
		t.Fatalf("replay = %+v, %v; want 3 produced", n, err)
	}
	ends, _ = kadm.NewClient(cl).ListEndOffsets(ctx, topic)
	if o, _ := ends.Lookup(topic, 0); o.Offset != 7 {
		t.Fatalf("%s holds %d records after the replay, want 7", topic, o.Offset)
	}
}

func consumerOn(t *testing.T, brokers []string, topics ...string) *kgo.Client {
	t.Helper()
	parts := map[string]map[int32]kgo.Offset{}
	for _, tp := range topics {
		parts[tp] = map[int32]kgo.Offset{0: kgo.NewOffset().AtStart()}
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumePartitions(parts), kgo.FetchMaxWait(200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

func firstRecord(t *testing.T, brokers []string, topic string) *kgo.Record {
	t.Helper()
	cl := consumerOn(t, brokers, topic)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		f := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("no record on %s: %v", topic, err)
		}
		if errs := f.Errors(); len(errs) > 0 {
			t.Fatal(errors.New(fmt.Sprint(errs)))
		}
		if recs := f.Records(); len(recs) > 0 {
			return recs[0]
		}
	}
}
