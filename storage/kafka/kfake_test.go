package kafka

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/goleak"

	"github.com/charter-registry/charter/internal/leaktest"
	"github.com/charter-registry/charter/storage"
)

// These tests run against kfake, franz-go's in-process fake broker: fast,
// and enough for the client-side logic. broker_test.go repeats the
// important ones against a real Kafka broker.

func newFake(t *testing.T, opts ...kfake.Opt) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1)}, opts...)...)
	if err != nil {
		t.Fatalf("kfake: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

func fakeConfig(c *kfake.Cluster) Config {
	cfg := DefaultConfig()
	cfg.Brokers = c.ListenAddrs()
	cfg.RequestTimeout = 10 * time.Second
	return cfg
}

func openFake(t testing.TB, cfg Config) *Log {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	l, err := Open(ctx, cfg, testLogger(t))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l
}

// adminFor returns an admin client on the cluster at cfg.
func adminFor(t testing.TB, cfg Config) *kadm.Client {
	t.Helper()
	opts, err := cfg.clientOpts(kgoLogger{testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return kadm.NewClient(cl)
}

func topicConfig(t *testing.T, adm *kadm.Client, topic, key string) string {
	t.Helper()
	rcs, err := adm.DescribeTopicConfigs(context.Background(), topic)
	if err != nil {
		t.Fatalf("describe configs: %v", err)
	}
	rc, err := rcs.On(topic, nil)
	if err != nil {
		t.Fatalf("describe configs: %v", err)
	}
	for _, c := range rc.Configs {
		if c.Key == key {
			return c.MaybeValue()
		}
	}
	return ""
}

func TestFakeOpenCreatesCompactedSinglePartitionTopic(t *testing.T) {
	c := newFake(t)
	cfg := fakeConfig(c)
	cfg.MinInsyncReplicas = 1
	openFake(t, cfg)

	adm := adminFor(t, cfg)
	td, err := adm.ListTopics(context.Background(), DefaultTopic)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(td[DefaultTopic].Partitions); n != 1 {
		t.Fatalf("created topic has %d partitions, want 1", n)
	}
	if got := topicConfig(t, adm, DefaultTopic, "cleanup.policy"); got != "compact" {
		t.Fatalf("cleanup.policy = %q, want compact", got)
	}
	if got := topicConfig(t, adm, DefaultTopic, "min.insync.replicas"); got != "1" {
		t.Fatalf("min.insync.replicas = %q, want 1", got)
	}
}

func TestFakeOpenRefusesUnfitTopics(t *testing.T) {
	c := newFake(t)
	base := fakeConfig(c)
	adm := adminFor(t, base)
	ctx := context.Background()
	mk := func(topic string, partitions int32, policy string) {
		t.Helper()
		configs := map[string]*string{}
		if policy != "" {
			configs["cleanup.policy"] = kadm.StringPtr(policy)
		}
		if _, err := adm.CreateTopic(ctx, partitions, 1, configs, topic); err != nil {
			t.Fatalf("create %s: %v", topic, err)
		}
	}
	mk("three-partitions", 3, "compact")
	mk("delete-policy", 1, "delete")
	mk("default-policy", 1, "")
	mk("compact-and-delete", 1, "compact,delete")

	for _, tc := range []struct {
		topic   string
		problem string // "" means the topic is accepted
		fix     []string
	}{
		{"three-partitions", "has 3 partitions", []string{"kafka-topics.sh", "--partitions 1", "cleanup.policy=compact"}},
		{"delete-policy", `cleanup.policy="delete"`, []string{"kafka-configs.sh", "--entity-name delete-policy", "--add-config cleanup.policy=compact"}},
		{"default-policy", "cleanup.policy=", []string{"kafka-configs.sh", "--add-config cleanup.policy=compact"}},
		{"compact-and-delete", "", nil},
	} {
		t.Run(tc.topic, func(t *testing.T) {
			cfg := base
			cfg.Topic = tc.topic
			l, err := Open(ctx, cfg, testLogger(t))
			if tc.problem == "" {
				if err != nil {
					t.Fatalf("Open refused a fit topic: %v", err)
				}
				_ = l.Close()
				return
			}
			if err == nil {
				_ = l.Close()
				t.Fatal("Open accepted an unfit topic")
			}
			var te *TopicError
			if !errors.As(err, &te) {
				t.Fatalf("got %T %v, want *TopicError", err, err)
			}
			if !strings.Contains(te.Problem, tc.problem) {
				t.Errorf("problem %q does not mention %q", te.Problem, tc.problem)
			}
			for _, f := range tc.fix {
				if !strings.Contains(te.Fix, f) {
					t.Errorf("fix %q does not mention %q", te.Fix, f)
				}
			}
			if !strings.Contains(te.Fix, bootstrap(&cfg)) {
				t.Errorf("fix %q does not name the brokers", te.Fix)
			}
		})
	}
}

// TestFakeAppendIsOneBatch checks, on the produce requests kfake receives,
// that every Append travels as exactly one record batch, also when several
// goroutines append at once.
func TestFakeAppendIsOneBatch(t *testing.T) {
	c := newFake(t)
	// Batches by producer id, epoch and first sequence: a retried batch
	// is sent again with the same sequence and is counted once.
	type batchID struct {
		pid   int64
		epoch int16
		seq   int32
	}
	var mu sync.Mutex
	sizes := map[batchID]int{}
	c.ControlKey(int16(kmsg.Produce), func(req kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		pr := req.(*kmsg.ProduceRequest)
		for _, tp := range pr.Topics {
			for _, p := range tp.Partitions {
				raw := p.Records
				n := 0
				for len(raw) > 0 {
					var b kmsg.RecordBatch
					if err := b.ReadFrom(raw); err != nil {
						t.Errorf("bad batch: %v", err)
						break
					}
					mu.Lock()
					sizes[batchID{b.ProducerID, b.ProducerEpoch, b.FirstSequence}] = int(b.NumRecords)
					mu.Unlock()
					raw = raw[12+int(b.Length):]
					n++
				}
				if n != 1 {
					t.Errorf("a produce request carried %d batches for partition %d, want 1", n, p.Partition)
				}
			}
		}
		return nil, nil, false
	})
	l := openFake(t, fakeConfig(c))

	const writers, appends = 4, 10
	var wg sync.WaitGroup
	firsts := make([][]int64, writers)
	for w := range writers {
		wg.Go(func() {
			for i := range appends {
				n := 1 + (w+i)%5
				recs := make([]storage.Record, n)
				for j := range recs {
					recs[j] = rec(fmt.Sprintf("w%d-a%d", w, i), fmt.Sprintf("r%d", j))
				}
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				first, err := l.Append(ctx, recs...)
				cancel()
				if err != nil {
					t.Errorf("Append: %v", err)
					return
				}
				firsts[w] = append(firsts[w], first)
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	mu.Lock()
	if len(sizes) != writers*appends {
		t.Errorf("kfake saw %d batches, want %d (one per Append)", len(sizes), writers*appends)
	}
	perSize := map[int]int{}
	for _, n := range sizes {
		perSize[n]++
	}
	mu.Unlock()
	wantPerSize := map[int]int{}
	for w := range writers {
		for i := range appends {
			wantPerSize[1+(w+i)%5]++
		}
	}
	if fmt.Sprint(perSize) != fmt.Sprint(wantPerSize) {
		t.Errorf("batch sizes (size: count) %v, want %v", perSize, wantPerSize)
	}

	// The records of each Append are consecutive in the log.
	end := mustEnd(t, l)
	col, _ := startTail(t, l, 0)
	byOffset := map[int64]storage.Record{}
	for range end {
		r := col.next(t)
		byOffset[r.Offset] = r
	}
	for w, fs := range firsts {
		for i, first := range fs {
			n := 1 + (w+i)%5
			for j := range n {
				r := byOffset[first+int64(j)]
				if string(r.Key) != fmt.Sprintf("w%d-a%d", w, i) || string(r.Value) != fmt.Sprintf("r%d", j) {
					t.Fatalf("offset %d: got %q=%q, want record %d of writer %d's append %d",
						first+int64(j), r.Key, r.Value, j, w, i)
				}
			}
		}
	}
}

func TestFakeAppendRejectsOversizedBatches(t *testing.T) {
	c := newFake(t)
	cfg := fakeConfig(c)
	cfg.MaxBatchBytes = 4096
	l := openFake(t, cfg)
	ctx := context.Background()
	if _, err := l.Append(ctx); err == nil {
		t.Error("Append of no records succeeded")
	}
	big := storage.Record{Key: []byte("k"), Value: make([]byte, 5000)}
	if _, err := l.Append(ctx, big); err == nil || errors.Is(err, storage.ErrUnavailable) {
		t.Errorf("Append over MaxBatchBytes: got %v, want a non-retryable error", err)
	}
	many := make([]storage.Record, MaxAppendRecords+1)
	if _, err := l.Append(ctx, many...); err == nil {
		t.Error("Append over MaxAppendRecords succeeded")
	}
	if end := mustEnd(t, l); end != 0 {
		t.Fatalf("refused appends wrote records: End = %d", end)
	}
}

// TestFakeUnavailable stops the cluster under an open Log: Append and End
// fail within their deadline with storage.ErrUnavailable.
func TestFakeUnavailable(t *testing.T) {
	c := newFake(t)
	cfg := fakeConfig(c)
	l := openFake(t, cfg)
	mustAppend(t, l, rec("a", "1"))
	c.Close()

	for _, op := range []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"Append", func(ctx context.Context) error { _, err := l.Append(ctx, rec("b", "2")); return err }},
		{"second Append", func(ctx context.Context) error { _, err := l.Append(ctx, rec("c", "3")); return err }},
		{"End", func(ctx context.Context) error { _, err := l.End(ctx); return err }},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		errc := make(chan error, 1)
		go func() { errc <- op.call(ctx) }()
		select {
		case err := <-errc:
			wantUnavailable(t, op.name, err)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("%s: %v does not wrap context.DeadlineExceeded", op.name, err)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("%s ignored its 1s deadline", op.name)
		}
		cancel()
	}
	// Open fails the same way.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	cfg.Brokers = []string{"127.0.0.1:1"}
	_, err := Open(ctx, cfg, testLogger(t))
	wantUnavailable(t, "Open", err)
}

// TestFakeTailAcrossRestart restarts a persistent kfake cluster on the same
// port under a running Tail, and appends through the same Log afterwards.
// The port is bound once for the whole test and lent to each cluster in
// turn (portKeeper), so no other process can take it in between.
func TestFakeTailAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	port := keepPort(t)
	c := newFake(t, kfake.DataDir(dir), kfake.ListenFn(port.listen))
	addr := c.ListenAddrs()[0]
	l := openFake(t, fakeConfig(c))
	col, stop := startTail(t, l, 0)
	mustAppend(t, l, rec("a", "1"))
	checkRecord(t, col.next(t), 0, rec("a", "1"))

	c.Close()
	c2 := newFake(t, kfake.DataDir(dir), kfake.ListenFn(port.listen))
	if got := c2.ListenAddrs()[0]; got != addr {
		t.Fatalf("the restarted cluster listens on %s, not on %s", got, addr)
	}
	mustAppend(t, l, rec("b", "2"))
	checkRecord(t, col.next(t), 1, rec("b", "2"))
	if err := stop(); !errors.Is(err, context.Canceled) {
		t.Fatalf("Tail returned %v after its context was canceled, want context.Canceled", err)
	}
}

// portKeeper holds one bound loopback port for a whole test and lends it
// to one kfake cluster at a time (kfake.ListenFn), so that a cluster
// restarted on "the same port" gets exactly the port its clients know.
// Connections that arrive while no cluster holds the port are closed, as
// a stopped broker's would be refused.
type portKeeper struct {
	ln   net.Listener
	mu   sync.Mutex
	cur  *lentListener
	done chan struct{}
}

func keepPort(t *testing.T) *portKeeper {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	k := &portKeeper{ln: ln, done: make(chan struct{})}
	go k.accept()
	t.Cleanup(func() {
		ln.Close()
		<-k.done
	})
	return k
}

func (k *portKeeper) accept() {
	defer close(k.done)
	for {
		c, err := k.ln.Accept()
		if err != nil {
			return
		}
		k.mu.Lock()
		cur := k.cur
		k.mu.Unlock()
		if cur == nil || !cur.deliver(c) {
			c.Close()
		}
	}
}

// listen is the kfake.ListenFn: it lends the port to a new cluster.
func (k *portKeeper) listen(string, string) (net.Listener, error) {
	l := &lentListener{conns: make(chan net.Conn), closed: make(chan struct{}), addr: k.ln.Addr()}
	k.mu.Lock()
	k.cur = l
	k.mu.Unlock()
	return l, nil
}

// lentListener is one cluster's view of the kept port.
type lentListener struct {
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
	addr   net.Addr
}

func (l *lentListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *lentListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

func (l *lentListener) Addr() net.Addr { return l.addr }

func (l *lentListener) deliver(c net.Conn) bool {
	select {
	case l.conns <- c:
		return true
	case <-l.closed:
		return false
	}
}

// TestFakeCloseEndsTailsWithoutLeaks closes a Log with Tails waiting and
// checks that they return storage.ErrClosed, that later calls fail with
// it, and that no goroutine is left behind.
func TestFakeCloseEndsTailsWithoutLeaks(t *testing.T) {
	c := newFake(t)
	before := goleak.IgnoreCurrent()
	l := openFake(t, fakeConfig(c))
	mustAppend(t, l, rec("a", "1"))
	errc := make(chan error, 2)
	started := newCollector()
	for range 2 {
		go func() { errc <- l.Tail(context.Background(), 0, started.fn) }()
	}
	started.next(t)
	started.next(t)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		select {
		case err := <-errc:
			if !errors.Is(err, storage.ErrClosed) {
				t.Errorf("Tail after Close returned %v, want storage.ErrClosed", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("Tail did not return after Close")
		}
	}
	if _, err := l.Append(context.Background(), rec("b", "2")); !errors.Is(err, storage.ErrClosed) {
		t.Errorf("Append after Close: %v, want storage.ErrClosed", err)
	}
	if _, err := l.End(context.Background()); !errors.Is(err, storage.ErrClosed) {
		t.Errorf("End after Close: %v, want storage.ErrClosed", err)
	}
	if err := l.Tail(context.Background(), 0, started.fn); !errors.Is(err, storage.ErrClosed) {
		t.Errorf("Tail after Close: %v, want storage.ErrClosed", err)
	}
	if err := l.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	goleak.VerifyNone(t, append(leaktest.Options(), before)...)
}

// TestFakeCloseDuringUnsettledAppend closes a Log while an Append that
// timed out is still settling in the background: Close must not hang and
// must leave no goroutine.
func TestFakeCloseDuringUnsettledAppend(t *testing.T) {
	c := newFake(t)
	before := goleak.IgnoreCurrent()
	l := openFake(t, fakeConfig(c))
	mustAppend(t, l, rec("a", "1"))
	// Swallow produce requests: the batch stays in flight.
	c.ControlKey(int16(kmsg.Produce), func(kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		return nil, nil, true // no reply: the client waits for one
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err := l.Append(ctx, rec("b", "2"))
	wantUnavailable(t, "Append to a broker that does not answer", err)
	done := make(chan struct{})
	go func() { _ = l.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Close hung on an unsettled Append")
	}
	goleak.VerifyNone(t, append(leaktest.Options(), before)...)
}

func TestFakeFromBelowLogStartAndNegative(t *testing.T) {
	c := newFake(t)
	l := openFake(t, fakeConfig(c))
	if err := l.Tail(context.Background(), -1, func(storage.Record) error { return nil }); err == nil {
		t.Fatal("Tail from -1 succeeded")
	}
	mustAppend(t, l, rec("a", "1"), rec("b", "2"), rec("c", "3"))
	adm := adminFor(t, fakeConfig(c))
	offs := kadm.Offsets{}
	offs.AddOffset(DefaultTopic, 0, 2, -1)
	if _, err := adm.DeleteRecords(context.Background(), offs); err != nil {
		t.Skipf("kfake cannot delete records: %v", err)
	}
	col, _ := startTail(t, l, 0)
	checkRecord(t, col.next(t), 2, rec("c", "3"))
}
