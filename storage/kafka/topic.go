package kafka

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
)

// TopicError reports a topic that exists but cannot hold the log. Open
// never changes an existing topic: its owner decides, and Fix says how.
type TopicError struct {
	// Topic is the topic's name.
	Topic string
	// Problem says what is wrong, e.g. "has 3 partitions".
	Problem string
	// Fix is a command or step that makes the topic usable.
	Fix string
}

// Error implements error.
func (e *TopicError) Error() string {
	return fmt.Sprintf("kafka: topic %q %s; fix: %s", e.Topic, e.Problem, e.Fix)
}

// LogValue implements slog.LogValuer.
func (e *TopicError) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("topic", e.Topic),
		slog.String("problem", e.Problem),
		slog.String("fix", e.Fix),
	)
}

// ensureTopic creates the topic when it is absent and otherwise checks that
// it has exactly one partition and compaction.
func ensureTopic(ctx context.Context, adm *kadm.Client, cfg *Config, log *slog.Logger) error {
	for attempt := 0; ; attempt++ {
		details, err := adm.ListTopics(ctx, cfg.Topic)
		if err != nil {
			return classify("describe topic", err)
		}
		d, ok := details[cfg.Topic]
		switch {
		case ok && d.Err == nil:
			return validateTopic(ctx, adm, cfg, d, log)
		case ok && !errors.Is(d.Err, kerr.UnknownTopicOrPartition):
			return classify("describe topic", d.Err)
		}
		created, err := createTopic(ctx, adm, cfg, log)
		if err != nil {
			return err
		}
		if created {
			return nil
		}
		// The topic exists although the metadata we read did not show it
		// yet: another instance (or an operator) created it a moment ago.
		// Look again until it is visible and validate it; never accept a
		// topic that was not checked.
		if attempt >= 20 {
			return classify("describe topic", fmt.Errorf("topic %q exists but its metadata stayed invisible", cfg.Topic))
		}
		select {
		case <-ctx.Done():
			return classify("describe topic", ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// createTopic creates the topic. It reports false, and no error, when the
// topic already exists.
func createTopic(ctx context.Context, adm *kadm.Client, cfg *Config, log *slog.Logger) (bool, error) {
	rf := cfg.ReplicationFactor
	if rf == 0 {
		brokers, err := adm.ListBrokers(ctx)
		if err != nil {
			return false, classify("list brokers", err)
		}
		rf = min(3, len(brokers))
		if rf == 0 {
			return false, classify("list brokers", errors.New("the cluster reports no brokers"))
		}
	}
	configs := map[string]*string{"cleanup.policy": kadm.StringPtr("compact")}
	if cfg.MinInsyncReplicas > 0 {
		configs["min.insync.replicas"] = kadm.StringPtr(strconv.Itoa(cfg.MinInsyncReplicas))
	}
	resp, err := adm.CreateTopic(ctx, 1, int16(rf), configs, cfg.Topic)
	switch {
	case errors.Is(err, kerr.TopicAlreadyExists):
		return false, nil
	case err != nil:
		if resp.ErrMessage != "" {
			err = fmt.Errorf("%w: %s", err, resp.ErrMessage)
		}
		return false, classify(fmt.Sprintf("create topic %q", cfg.Topic), err)
	}
	log.Info("kafka: created topic",
		slog.String("topic", cfg.Topic),
		slog.Int("replication_factor", rf),
		slog.Int("min_insync_replicas", cfg.MinInsyncReplicas))
	return true, nil
}

// validateTopic refuses an existing topic that cannot hold the log.
func validateTopic(ctx context.Context, adm *kadm.Client, cfg *Config, d kadm.TopicDetail, log *slog.Logger) error {
	if n := len(d.Partitions); n != 1 {
		return &TopicError{
			Topic:   cfg.Topic,
			Problem: fmt.Sprintf("has %d partitions, but the registry log needs exactly 1 so that its records are totally ordered", n),
			Fix: fmt.Sprintf("Kafka cannot remove partitions: create a new topic with "+
				"`kafka-topics.sh --bootstrap-server %s --create --topic NEW_TOPIC --partitions 1 --config cleanup.policy=compact` "+
				"and configure charter to use it", bootstrap(cfg)),
		}
	}
	rcs, err := adm.DescribeTopicConfigs(ctx, cfg.Topic)
	if err != nil {
		return classify("describe topic configs", err)
	}
	rc, err := rcs.On(cfg.Topic, nil)
	if err == nil {
		err = rc.Err
	}
	if err != nil {
		return classify("describe topic configs", err)
	}
	policy := ""
	for _, c := range rc.Configs {
		if c.Key == "cleanup.policy" {
			policy = c.MaybeValue()
		}
	}
	if !hasCompact(policy) {
		return &TopicError{
			Topic: cfg.Topic,
			Problem: fmt.Sprintf("has cleanup.policy=%q, but the registry log needs compaction, "+
				"or retention would delete schemas", policy),
			Fix: fmt.Sprintf("`kafka-configs.sh --bootstrap-server %s --alter --entity-type topics --entity-name %s "+
				"--add-config cleanup.policy=compact`", bootstrap(cfg), cfg.Topic),
		}
	}
	log.Info("kafka: using existing topic",
		slog.String("topic", cfg.Topic),
		slog.String("cleanup_policy", policy),
		slog.Int("replicas", len(d.Partitions[0].Replicas)))
	return nil
}

// hasCompact reports whether a cleanup.policy value ("compact",
// "compact,delete", ...) includes compaction.
func hasCompact(policy string) bool {
	for p := range strings.SplitSeq(policy, ",") {
		if strings.TrimSpace(p) == "compact" {
			return true
		}
	}
	return false
}

// bootstrap formats the brokers for a command line.
func bootstrap(cfg *Config) string {
	return strings.Join(cfg.Brokers, ",")
}
