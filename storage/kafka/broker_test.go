package kafka

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/charter-registry/charter/internal/poll"
	"github.com/charter-registry/charter/storage"
)

// The tests in this file need a real Kafka broker: set
// CHARTER_KAFKA_BROKERS=host:port[,host:port...] (scripts/kafka.sh up
// starts one and prints the line). TestBrokerRestart also stops and starts
// that broker through the script named by CHARTER_KAFKA_SCRIPT.

func brokers(t testing.TB) []string {
	t.Helper()
	env := os.Getenv("CHARTER_KAFKA_BROKERS")
	if env == "" {
		t.Skip("CHARTER_KAFKA_BROKERS is not set: skipping a test that needs a real Kafka broker " +
			"(run scripts/kafka.sh up and export the line it prints)")
	}
	return strings.Split(env, ",")
}

// brokerConfig returns a Config for a fresh, uniquely named topic on the
// real broker, and deletes the topic when the test ends.
func brokerConfig(t testing.TB, name string) Config {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Brokers = brokers(t)
	cfg.Topic = fmt.Sprintf("charter-test-%s-%d", name, time.Now().UnixNano())
	t.Cleanup(func() { deleteTopic(t, cfg) })
	return cfg
}

func deleteTopic(t testing.TB, cfg Config) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	opts, err := cfg.clientOpts(kgoLogger{testLogger(t)})
	if err != nil {
		return
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return
	}
	defer cl.Close()
	_, _ = kadm.NewClient(cl).DeleteTopics(ctx, cfg.Topic)
}

func openBroker(t testing.TB, cfg Config) *Log {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	l, err := Open(ctx, cfg, testLogger(t))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l
}

func TestBrokerTopicValidation(t *testing.T) {
	base := brokerConfig(t, "validate")
	adm := adminFor(t, base)
	ctx := context.Background()

	// A new topic is created with one partition and compaction.
	created := base
	created.MinInsyncReplicas = 1
	openBroker(t, created)
	// A broker's metadata may list a topic it has just created before its
	// partitions have leaders: wait until they show.
	var td kadm.TopicDetails
	poll.Until(t, time.Minute, "the created topic's partitions in the metadata", func() bool {
		var err error
		td, err = adm.ListTopics(ctx, created.Topic)
		return err == nil && td[created.Topic].Err == nil && len(td[created.Topic].Partitions) > 0
	})
	if n := len(td[created.Topic].Partitions); n != 1 {
		t.Fatalf("created topic has %d partitions, want 1", n)
	}
	if got := topicConfig(t, adm, created.Topic, "cleanup.policy"); got != "compact" {
		t.Fatalf("created topic has cleanup.policy=%q, want compact", got)
	}
	if got := topicConfig(t, adm, created.Topic, "min.insync.replicas"); got != "1" {
		t.Fatalf("created topic has min.insync.replicas=%q, want 1", got)
	}

	for _, tc := range []struct {
		name       string
		partitions int32
		configs    map[string]*string
		problem    string
		fix        []string
	}{
		{"three-partitions", 3, map[string]*string{"cleanup.policy": kadm.StringPtr("compact")},
			"has 3 partitions", []string{"kafka-topics.sh", "--partitions 1", "cleanup.policy=compact"}},
		{"delete-policy", 1, nil,
			`cleanup.policy="delete"`, []string{"kafka-configs.sh", "--alter", "--add-config cleanup.policy=compact"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := brokerConfig(t, tc.name)
			if _, err := adm.CreateTopic(ctx, tc.partitions, -1, tc.configs, cfg.Topic); err != nil {
				t.Fatalf("create topic: %v", err)
			}
			octx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			l, err := Open(octx, cfg, testLogger(t))
			if err == nil {
				_ = l.Close()
				t.Fatal("Open accepted an unfit topic")
			}
			var te *TopicError
			if !errors.As(err, &te) {
				t.Fatalf("Open: %v, want a *TopicError", err)
			}
			t.Logf("refusal: %v", err)
			if !strings.Contains(te.Problem, tc.problem) {
				t.Errorf("problem %q does not mention %q", te.Problem, tc.problem)
			}
			for _, f := range append(tc.fix, cfg.Topic, bootstrap(&cfg)) {
				if tc.name == "three-partitions" && f == cfg.Topic {
					continue // the fix is a new topic
				}
				if !strings.Contains(te.Fix, f) {
					t.Errorf("fix %q does not mention %q", te.Fix, f)
				}
			}
		})
	}
}

// TestBrokerAppendIsOneBatch checks that the broker stores every Append
// as one record batch; offsets, End and Tail are the conformance suite's
// (TestBrokerConformance).
func TestBrokerAppendIsOneBatch(t *testing.T) {
	cfg := brokerConfig(t, "append")
	l := openBroker(t, cfg)
	want := []storage.Record{
		rec("a", "1"), rec("b", "2"), tombstone("a"),
		{Key: []byte("empty"), Value: []byte{}},
		rec("c", "3"), rec("d", "4"),
	}
	sizes := []int{3, 1, 2}
	at := 0
	for _, n := range sizes {
		if first := mustAppend(t, l, want[at:at+n]...); first != int64(at) {
			t.Fatalf("Append of %d records at %d, want %d", n, first, at)
		}
		at += n
	}
	mustAppend(t, l, rec("e", "5"))

	// The broker stored each Append as one batch.
	got := fetchBatchSizes(t, cfg, len(want)+1)
	if fmt.Sprint(got) != fmt.Sprint(append(sizes, 1)) {
		t.Fatalf("the broker holds batches of %v records, want %v", got, append(sizes, 1))
	}
}

// fetchBatchSizes reads the topic from the start with a client that
// records how many records each fetched batch holds.
func fetchBatchSizes(t *testing.T, cfg Config, records int) []int {
	t.Helper()
	h := &batchHook{}
	opts, err := cfg.clientOpts(kgoLogger{testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(append(opts, kgo.WithHooks(h),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{cfg.Topic: {0: kgo.NewOffset().AtStart()}}))...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for seen := 0; seen < records; {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("read %d of %d records", seen, records)
		}
		seen += fs.NumRecords()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.sizes
}

type batchHook struct {
	mu    sync.Mutex
	sizes []int
}

func (h *batchHook) OnFetchBatchRead(_ kgo.BrokerMetadata, _ string, _ int32, m kgo.FetchBatchMetrics) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.sizes = append(h.sizes, m.NumRecords)
}

// TestBrokerCompaction checks that the broker compacts the topic Open
// creates: with short segments, the cleaner (log.cleaner.backoff.ms=1000
// in scripts/kafka.sh) drops superseded records and offsets keep their
// values.
func TestBrokerCompaction(t *testing.T) {
	cfg := brokerConfig(t, "compact")
	l := openBroker(t, cfg)
	adm := adminFor(t, cfg)
	ctx := context.Background()
	alter := []kadm.AlterConfig{
		{Name: "segment.ms", Value: kadm.StringPtr("100")},
		{Name: "min.cleanable.dirty.ratio", Value: kadm.StringPtr("0.01")},
		{Name: "delete.retention.ms", Value: kadm.StringPtr("100")},
	}
	resps, err := adm.AlterTopicConfigs(ctx, alter, cfg.Topic)
	if err == nil {
		_, err = resps.On(cfg.Topic, nil)
	}
	if err != nil {
		t.Fatalf("alter topic configs: %v", err)
	}
	mustAppend(t, l, rec("a", "1"), rec("b", "1"))
	mustAppend(t, l, rec("a", "2"))
	// Each later append rolls the segment (segment.ms has passed), so
	// the earlier records leave the active segment and can be cleaned.
	deadline := time.Now().Add(90 * time.Second)
	for i := 0; ; i++ {
		// The broker's cleaner runs on its own clock: append at a
		// pace that lets segment.ms pass between appends.
		poll.Pause(context.Background(), 300*time.Millisecond)
		mustAppend(t, l, rec("filler", fmt.Sprint(i)))
		first := firstOffsets(t, l)
		if first["a"] == 2 {
			// Offset 0 (a=1) is gone; the records kept have their
			// offsets: b=1 at 1, a=2 at 2.
			if first["b"] != 1 {
				t.Fatalf("after compaction key b is first at %d, want 1", first["b"])
			}
			t.Logf("compacted after %d appends", i+1)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no compaction within 90s: first offsets %v", first)
		}
	}
}

// firstOffsets reads the log from the start up to its end and returns the
// first offset of each key.
func firstOffsets(t *testing.T, l *Log) map[string]int64 {
	t.Helper()
	end := mustEnd(t, l)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	first := map[string]int64{}
	errDone := errors.New("done")
	err := l.Tail(ctx, 0, func(r storage.Record) error {
		if _, ok := first[string(r.Key)]; !ok {
			first[string(r.Key)] = r.Offset
		}
		if r.Offset+1 >= end {
			return errDone
		}
		return nil
	})
	if !errors.Is(err, errDone) {
		t.Fatalf("Tail: %v", err)
	}
	return first
}

// TestBrokerRestart stops the broker under a running Tail: Append and End
// fail within their deadline with storage.ErrUnavailable, and after the
// broker is back the same Log appends again and the Tail carries on
// without losing or repeating a record.
func TestBrokerRestart(t *testing.T) {
	script := os.Getenv("CHARTER_KAFKA_SCRIPT")
	cfg := brokerConfig(t, "restart")
	if script == "" {
		t.Skip("CHARTER_KAFKA_SCRIPT is not set: skipping the broker restart test " +
			"(set it to the path of scripts/kafka.sh that started the broker)")
	}
	run := func(cmd string) {
		t.Helper()
		out, err := exec.Command(script, cmd).CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", script, cmd, err, out)
		}
		t.Logf("%s %s: %s", script, cmd, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() { _, _ = exec.Command(script, "start").CombinedOutput() })

	l := openBroker(t, cfg)
	col, stop := startTail(t, l, 0)
	mustAppend(t, l, rec("a", "1"), rec("b", "1"))
	checkRecord(t, col.next(t), 0, rec("a", "1"))
	checkRecord(t, col.next(t), 1, rec("b", "1"))

	run("stop")
	for _, op := range []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"Append", func(ctx context.Context) error { _, err := l.Append(ctx, rec("lost", "?")); return err }},
		{"Append after a failed Append", func(ctx context.Context) error { _, err := l.Append(ctx, rec("lost2", "?")); return err }},
		{"End", func(ctx context.Context) error { _, err := l.End(ctx); return err }},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		errc := make(chan error, 1)
		go func() { errc <- op.call(ctx) }()
		select {
		case err := <-errc:
			wantUnavailable(t, op.name+" with the broker down", err)
			t.Logf("%s with the broker down: %v", op.name, err)
		case <-time.After(60 * time.Second):
			t.Fatalf("%s with the broker down ignored its 3s deadline", op.name)
		}
		cancel()
	}
	run("start")

	first := mustAppend(t, l, rec("c", "1"))
	end := mustEnd(t, l)
	if end != first+1 {
		t.Fatalf("End = %d after an Append at %d", end, first)
	}
	// Appends that timed out either landed whole or not at all; the Tail
	// delivers every offset up to End exactly once, in order.
	seen := map[string]int64{}
	next := int64(2)
	for next < end {
		r := col.next(t)
		if r.Offset < next {
			t.Fatalf("Tail repeated offset %d", r.Offset)
		}
		seen[string(r.Key)] = r.Offset
		next = r.Offset + 1
	}
	if off, ok := seen["c"]; !ok || off != first {
		t.Fatalf("Tail did not deliver the Append after the restart at %d: saw %v", first, seen)
	}
	t.Logf("after the restart the Tail saw %v", seen)
	if err := stop(); !errors.Is(err, context.Canceled) {
		t.Fatalf("Tail returned %v, want context.Canceled", err)
	}
}
