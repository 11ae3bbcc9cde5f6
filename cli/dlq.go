package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/charter-registry/charter/contracts/dlq"
)

type dlqReplayFlags struct {
	kafka     kafkaConnFlags
	rule      string
	errorKind string
}

func newDLQCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "dlq",
		Short: "Work with dead-letter topics written by the contracts library",
	}
	cmd.AddCommand(newDLQReplayCommand())
	return cmd
}

func newDLQReplayCommand() *cobra.Command {
	f := dlqReplayFlags{}
	cmd := &cobra.Command{
		Use:   "replay DLQ_TOPIC",
		Short: "Send dead letters back to the topic they came from",
		Long: `Replay reads a dead-letter topic from its start to its current end and
re-produces each dead letter to its original topic, with its key, value and
headers, minus the headers the dead-letter writer added. Producer-side dead
letters go back to __rule.topic, consumer-side ones to __dlq.topic.

Run it once the cause is fixed: the missing schema registered, the rule
corrected or disabled. Filter with --rule or --error-kind to replay only the
dead letters one fix covers; the rest are left in place and counted as skipped.`,
		Example: `  charter dlq replay payments-dlq --kafka-brokers 127.0.0.1:9092
  charter dlq replay payments-dlq --rule amountPositive
  CHARTER_KAFKA_BROKERS=kafka:9092 charter dlq replay payments-dlq --error-kind unknown-id`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDLQReplay(cmd.Context(), cmd, f, args[0])
		},
	}
	fs := cmd.Flags()
	f.kafka.bind(fs, "Kafka seed brokers (host:port, comma-separated)")
	fs.StringVar(&f.rule, "rule", "", "replay only dead letters of this rule (__rule.name)")
	fs.StringVar(&f.errorKind, "error-kind", "", "replay only consumer-side dead letters of this kind: bad-magic, unknown-id, decode or rule")
	annotateEnv(fs)
	return cmd
}

func runDLQReplay(ctx context.Context, cmd *cobra.Command, f dlqReplayFlags, topic string) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if len(f.kafka.brokers) == 0 {
		return usageErr("no brokers: give --kafka-brokers or set %s", envName("kafka-brokers"))
	}
	cfg := f.kafka.config()
	cfg.ClientID = "charter-dlq-replay"
	opts, err := cfg.ClientOptions()
	if err != nil {
		return usageErr("%v", err)
	}
	cl, err := kgo.NewClient(append(opts, kgo.RequiredAcks(kgo.AllISRAcks()))...)
	if err != nil {
		return fmt.Errorf("connect to Kafka: %w", err)
	}
	defer cl.Close()
	var ropts []dlq.ReplayOpt
	if f.rule != "" || f.errorKind != "" {
		ropts = append(ropts, dlq.Filter(func(r *kgo.Record) bool {
			if f.rule != "" {
				if v, _ := dlq.Header(r, dlq.HeaderRuleName); v != f.rule {
					return false
				}
			}
			if f.errorKind != "" {
				if v, _ := dlq.Header(r, dlq.HeaderErrorKind); v != f.errorKind {
					return false
				}
			}
			return true
		}))
	}
	ropts = append(ropts, dlq.ConsumerOpts(opts...))
	res, err := dlq.Replay(ctx, cl, topic, ropts...)
	if err != nil {
		return fmt.Errorf("replay %s: %w", topic, err)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "replayed %d dead letters from %s; skipped %d\n", res.Produced, topic, res.Skipped)
	return nil
}
