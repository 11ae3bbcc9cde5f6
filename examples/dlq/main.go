package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/contracts/client"
	"github.com/charter-registry/charter/contracts/kafka"
	"github.com/charter-registry/charter/contracts/serde"
)

const (
	topic    = "payments-example"
	dlqTopic = "payments-example-dlq"
	schema   = `{"type":"record","name":"Payment","namespace":"example","fields":[
  {"name":"id","type":"string"},
  {"name":"amount","type":"double"}]}`
)

// payment is written with hamba/avro's struct tags.
type payment struct {
	ID     string  `avro:"id"`
	Amount float64 `avro:"amount"`
}

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, log); err != nil {
		log.Error("example failed", slog.Any("error", err))
		os.Exit(1)
	}
}

func run(ctx context.Context, log *slog.Logger) error {
	registryURL := envOr("CHARTER_REGISTRY_URL", "http://localhost:8081")
	brokers := strings.Split(envOr("CHARTER_KAFKA_BROKERS", "localhost:9092"), ",")

	reg, err := client.New(client.URLs(registryURL))
	if err != nil {
		return err
	}
	// The contract: the schema plus a rule that dead-letters non-positive
	// amounts. A real deployment registers it through CI, not here.
	_, err = reg.Register(ctx, topic+"-value", client.Schema{
		Schema: schema,
		RuleSet: &client.RuleSet{DomainRules: []client.Rule{{
			Name: "positiveAmount", Kind: "CONDITION", Mode: "WRITE", Type: "CEL",
			Expr: "message.amount > 0", OnFailure: "DLQ",
			Params: map[string]string{"dlq.topic": dlqTopic},
		}}},
	}, false)
	if err != nil {
		return fmt.Errorf("register the contract: %w", err)
	}

	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.RequiredAcks(kgo.AllISRAcks()))
	if err != nil {
		return err
	}
	defer cl.Close()
	if _, err := kadm.NewClient(cl).CreateTopics(ctx, 1, 1, nil, topic, dlqTopic); err != nil {
		return fmt.Errorf("create topics: %w", err)
	}

	ser, err := serde.NewSerializer(reg, compat.Avro)
	if err != nil {
		return err
	}
	producer, err := kafka.NewProducer(cl, ser)
	if err != nil {
		return err
	}
	for i, amount := range []float64{12.5, -3, 40, 0, 7.25} {
		p := payment{ID: fmt.Sprintf("pay-%d", i), Amount: amount}
		rec, err := producer.Produce(ctx, topic, []byte(p.ID), &p)
		switch {
		case err == nil:
			log.Info("produced", slog.String("id", p.ID), slog.Int64("offset", rec.Offset))
		case kafka.DeadLettered(err):
			log.Warn("dead-lettered", slog.String("id", p.ID), slog.Any("error", err))
		default:
			return err
		}
	}

	// Read both topics back. Dead letters decode too: the rule that sent
	// them there is skipped on read.
	reader, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(topic, dlqTopic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		return err
	}
	defer reader.Close()
	de, err := serde.NewDeserializer(reg, compat.Avro)
	if err != nil {
		return err
	}
	consumer, err := kafka.NewConsumer(reader, de)
	if err != nil {
		return err
	}
	pollCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for {
		msgs, err := consumer.Poll(pollCtx)
		if errors.Is(err, context.DeadlineExceeded) || pollCtx.Err() != nil {
			return nil
		}
		if err != nil {
			return err
		}
		for _, m := range msgs {
			if m.Err != nil {
				log.Warn("unreadable", slog.String("topic", m.Record.Topic), slog.Any("error", m.Err))
				continue
			}
			log.Info("consumed", slog.String("topic", m.Record.Topic), slog.Any("value", m.Value))
		}
	}
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
