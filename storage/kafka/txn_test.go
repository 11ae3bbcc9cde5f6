package kafka

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/charter-registry/charter/internal/poll"
	"github.com/charter-registry/charter/storage"
)

// The transaction tests run twice: against kfake (fast, every run) and
// against the real broker when CHARTER_KAFKA_BROKERS is set. Only the real
// broker is evidence for the fencing design; kfake checks the client side.

type txnEnv struct {
	name string
	cfg  func(t *testing.T, name string) Config
}

func txnEnvs() []txnEnv {
	return []txnEnv{
		{"fake", func(t *testing.T, _ string) Config { return fakeConfig(newFake(t)) }},
		{"broker", func(t *testing.T, name string) Config { return brokerConfig(t, name) }},
	}
}

func openEnv(t *testing.T, cfg Config) *Log {
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

func mustBegin(t *testing.T, l *Log) storage.Txn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	tx, err := l.Begin(ctx)
	if err != nil {
		t.Fatalf("Begin: %v", err)
	}
	return tx
}

func commit(t *testing.T, tx storage.Txn, recs ...storage.Record) (int64, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	return tx.Commit(ctx, recs...)
}

// nextData returns the next non-control record of a Tail.
func nextData(t *testing.T, c *collector) storage.Record {
	t.Helper()
	for {
		r := c.next(t)
		if !r.Control {
			return r
		}
	}
}

// TestTxnCommitTailEnd: a committed batch is read back in order, followed
// by its commit marker as a Control record, and the next transaction's End
// lies past both.
func TestTxnCommitTailEnd(t *testing.T) {
	for _, env := range txnEnvs() {
		t.Run(env.name, func(t *testing.T) {
			l := openEnv(t, env.cfg(t, "txn-commit"))
			col, _ := startTail(t, l, 0)

			tx := mustBegin(t, l)
			if tx.End() != 0 {
				t.Fatalf("End of an empty topic = %d, want 0", tx.End())
			}
			first, err := commit(t, tx, rec("a", "1"), rec("b", "2"), tombstone("a"))
			if err != nil {
				t.Fatalf("Commit: %v", err)
			}
			if first != 0 {
				t.Fatalf("first offset %d, want 0", first)
			}
			checkRecord(t, col.next(t), 0, rec("a", "1"))
			checkRecord(t, col.next(t), 1, rec("b", "2"))
			checkRecord(t, col.next(t), 2, tombstone("a"))
			marker := col.next(t)
			if !marker.Control || marker.Offset != 3 {
				t.Fatalf("after the batch: got %+v, want the commit marker as a Control record at 3", marker)
			}

			tx = mustBegin(t, l)
			if tx.End() < 3 {
				t.Fatalf("End after a commit of offsets 0..2 = %d, want >= 3", tx.End())
			}
			first, err = commit(t, tx, rec("c", "3"))
			if err != nil {
				t.Fatalf("second Commit: %v", err)
			}
			if got := nextData(t, col); got.Offset != first || string(got.Key) != "c" {
				t.Fatalf("second commit at %d: Tail delivered %+v", first, got)
			}
			if end := mustEnd(t, l); end <= first {
				t.Fatalf("End() = %d after a commit at %d", end, first)
			}
		})
	}
}

// TestTxnAbortWritesNothing: an aborted transaction leaves the log as it
// was, and the Log begins again at once.
func TestTxnAbortWritesNothing(t *testing.T) {
	for _, env := range txnEnvs() {
		t.Run(env.name, func(t *testing.T) {
			l := openEnv(t, env.cfg(t, "txn-abort"))
			tx := mustBegin(t, l)
			if err := tx.Abort(context.Background()); err != nil {
				t.Fatalf("Abort: %v", err)
			}
			if err := tx.Abort(context.Background()); err != nil {
				t.Fatalf("second Abort: %v", err)
			}
			if _, err := tx.Commit(context.Background(), rec("x", "1")); err == nil {
				t.Fatal("Commit after Abort succeeded")
			}
			if end := mustEnd(t, l); end != 0 {
				t.Fatalf("End after an abort = %d, want 0", end)
			}
			tx = mustBegin(t, l)
			if _, err := commit(t, tx, rec("y", "1")); err != nil {
				t.Fatalf("Commit after an aborted transaction: %v", err)
			}
			// An invalid batch ends the transaction too.
			tx = mustBegin(t, l)
			if _, err := tx.Commit(context.Background()); err == nil {
				t.Fatal("Commit of no records succeeded")
			}
			tx = mustBegin(t, l)
			_ = tx.Abort(context.Background())
		})
	}
}

// TestTxnFencing: two Logs on one topic. The one that began last holds the
// epoch; the other's commit fails with storage.ErrConflict and writes
// nothing, and its next Begin takes the epoch back and sees the winner's
// batch below End.
func TestTxnFencing(t *testing.T) {
	for _, env := range txnEnvs() {
		t.Run(env.name, func(t *testing.T) {
			cfg := env.cfg(t, "txn-fence")
			a, b := openEnv(t, cfg), openEnv(t, cfg)
			col, _ := startTail(t, a, 0)

			ta := mustBegin(t, a)
			tb := mustBegin(t, b) // initialises b's producer: fences a
			if _, err := commit(t, ta, rec("from-a", "lost")); !errors.Is(err, storage.ErrConflict) {
				t.Fatalf("fenced Commit: got %v, want storage.ErrConflict", err)
			}
			fb, err := commit(t, tb, rec("from-b", "1"))
			if err != nil {
				t.Fatalf("Commit of the current producer: %v", err)
			}
			ta = mustBegin(t, a) // takes over again
			if ta.End() <= fb {
				t.Fatalf("End after taking over = %d, but b committed at %d", ta.End(), fb)
			}
			fa, err := commit(t, ta, rec("from-a", "2"))
			if err != nil {
				t.Fatalf("Commit after taking over: %v", err)
			}
			if got := nextData(t, col); got.Offset != fb || string(got.Key) != "from-b" {
				t.Fatalf("first record: %+v, want from-b at %d", got, fb)
			}
			if got := nextData(t, col); got.Offset != fa || string(got.Value) != "2" {
				t.Fatalf("second record: %+v, want from-a=2 at %d (the fenced batch must never be read)", got, fa)
			}
		})
	}
}

// TestTxnTakesOverFromCrashedWriter: a producer of the shared id that dies
// inside a transaction does not hold the others back for the transaction
// timeout: Begin's initialisation aborts its transaction, and its records
// are never read.
func TestTxnTakesOverFromCrashedWriter(t *testing.T) {
	for _, env := range txnEnvs() {
		t.Run(env.name, func(t *testing.T) {
			cfg := env.cfg(t, "txn-crash")
			l := openEnv(t, cfg)
			col, _ := startTail(t, l, 0)

			opts, err := cfg.clientOpts(kgoLogger{testLogger(t)})
			if err != nil {
				t.Fatal(err)
			}
			zombie, err := kgo.NewClient(append(opts,
				kgo.TransactionalID(TransactionalID(cfg.Topic)),
				kgo.TransactionTimeout(time.Minute), // far longer than the test waits
				kgo.DefaultProduceTopic(cfg.Topic),
				kgo.RecordPartitioner(kgo.ManualPartitioner()),
			)...)
			if err != nil {
				t.Fatal(err)
			}
			defer zombie.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			if err := zombie.BeginTransaction(); err != nil {
				t.Fatal(err)
			}
			if err := zombie.ProduceSync(ctx, &kgo.Record{Key: []byte("zombie"), Value: []byte("x")}).FirstErr(); err != nil {
				t.Fatalf("zombie produce: %v", err)
			}
			// The zombie never commits.

			tx := mustBegin(t, l)
			first, err := commit(t, tx, rec("live", "1"))
			if err != nil {
				t.Fatalf("Commit after taking over from a dead writer: %v", err)
			}
			got := nextData(t, col)
			if string(got.Key) != "live" || got.Offset != first {
				t.Fatalf("Tail delivered %+v, want the live record at %d and never the zombie's", got, first)
			}
			if err := zombie.EndTransaction(ctx, kgo.TryCommit); err == nil {
				t.Fatal("the zombie committed after being fenced")
			}
		})
	}
}

// TestTxnClosed: Begin on a closed Log, and Commit of a transaction whose
// Log closed, fail with storage.ErrClosed.
func TestTxnClosed(t *testing.T) {
	l := openFake(t, fakeConfig(newFake(t)))
	tx := mustBegin(t, l)
	done := make(chan error, 1)
	go func() { _, err := tx.Commit(context.Background(), rec("k", "v")); done <- err }()
	_ = l.Close()
	if err := <-done; err != nil && !errors.Is(err, storage.ErrClosed) {
		// The commit may have won the race with Close.
		t.Fatalf("Commit racing Close: got %v, want success or storage.ErrClosed", err)
	}
	if _, err := l.Begin(context.Background()); !errors.Is(err, storage.ErrClosed) {
		t.Fatalf("Begin after Close: got %v, want storage.ErrClosed", err)
	}
}

// seqState is what a counter instance knows from its Tail: the highest
// sequence number committed and how far it has read.
type seqState struct {
	mu     sync.Mutex
	pos    int64
	max    int64
	notify chan struct{}
}

func (s *seqState) apply(r storage.Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pos = r.Offset + 1
	if !r.Control {
		n, err := strconv.ParseInt(string(r.Value), 10, 64)
		if err != nil {
			return err
		}
		s.max = max(s.max, n)
	}
	close(s.notify)
	s.notify = make(chan struct{})
	return nil
}

// waitMax waits until the state has read below end and returns the
// highest sequence number.
func (s *seqState) waitMax(ctx context.Context, end int64) (int64, error) {
	for {
		s.mu.Lock()
		pos, m, ch := s.pos, s.max, s.notify
		s.mu.Unlock()
		if pos >= end {
			return m, nil
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-ch:
		}
	}
}

// TestBrokerTxnMutualExclusion is the fencing design's proof in miniature:
// three Logs on one topic each allocate sequence numbers by reading to
// Txn.End, taking the highest number seen plus one and committing it. If
// two writers ever decided on overlapping views, a number would repeat.
// Every committed number must appear exactly once, in increasing order.
func TestBrokerTxnMutualExclusion(t *testing.T) {
	cfg := brokerConfig(t, "txn-mutex")
	const writers, perWriter = 3, 60
	var wg sync.WaitGroup
	var conflicts, unavailable [writers]int
	errs := make(chan error, writers)
	for w := range writers {
		l := openEnv(t, cfg)
		st := &seqState{notify: make(chan struct{})}
		tctx, stop := context.WithCancel(context.Background())
		tailDone := make(chan struct{})
		go func() { defer close(tailDone); _ = l.Tail(tctx, 0, st.apply) }()
		t.Cleanup(func() { stop(); <-tailDone })
		wg.Add(1)
		go func() {
			defer wg.Done()
			for done := 0; done < perWriter; {
				ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
				err := func() error {
					tx, err := l.Begin(ctx)
					if err != nil {
						return err
					}
					m, err := st.waitMax(ctx, tx.End())
					if err != nil {
						_ = tx.Abort(ctx)
						return err
					}
					_, err = tx.Commit(ctx, storage.Record{Key: []byte("seq"), Value: []byte(strconv.FormatInt(m+1, 10))})
					return err
				}()
				cancel()
				switch {
				case err == nil:
					done++
				case errors.Is(err, storage.ErrConflict):
					conflicts[w]++
				case errors.Is(err, storage.ErrUnavailable) && unavailable[w] < 50:
					// Another test package may bounce the broker.
					unavailable[w]++
					poll.Pause(context.Background(), 200*time.Millisecond) // do not spin while the broker is away
				default:
					errs <- fmt.Errorf("writer %d: %w", w, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	t.Logf("conflicts per writer: %v; unavailable: %v", conflicts, unavailable)

	l := openEnv(t, cfg)
	end := mustEnd(t, l)
	var got []int64
	errDone := errors.New("done")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	err := l.Tail(ctx, 0, func(r storage.Record) error {
		if !r.Control {
			n, err := strconv.ParseInt(string(r.Value), 10, 64)
			if err != nil {
				return err
			}
			got = append(got, n)
		}
		if r.Offset+1 >= end {
			return errDone
		}
		return nil
	})
	if !errors.Is(err, errDone) {
		t.Fatalf("reading back: %v", err)
	}
	if len(got) != writers*perWriter {
		t.Fatalf("read %d committed numbers, want %d", len(got), writers*perWriter)
	}
	for i, n := range got {
		if n != int64(i+1) {
			t.Fatalf("committed number %d is %d, want %d: two writers decided on the same view", i, n, i+1)
		}
	}
}

// TestTxnResolve: resolve tells a committed batch from an aborted one by
// a read-committed fetch after taking the epoch.
func TestTxnResolve(t *testing.T) {
	for _, env := range txnEnvs() {
		t.Run(env.name, func(t *testing.T) {
			cfg := env.cfg(t, "txn-resolve")
			a, b := openEnv(t, cfg), openEnv(t, cfg)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()

			tx := mustBegin(t, a)
			first, err := commit(t, tx, rec("k1", "1"), rec("k2", "2"))
			if err != nil {
				t.Fatal(err)
			}
			if ok, err := b.resolve(ctx, first, first+1); err != nil || !ok {
				t.Fatalf("resolve of a committed batch: %v, %v; want true", ok, err)
			}

			// resolve took the epoch for b: a's next commit is refused,
			// and a's Begin after that takes the epoch back.
			tx = mustBegin(t, a)
			if _, err := commit(t, tx, rec("k", "fenced")); !errors.Is(err, storage.ErrConflict) {
				t.Fatalf("commit after b's resolve: %v, want storage.ErrConflict", err)
			}

			// An open transaction of a's, whose records are in the
			// partition: b's resolve fences and aborts it.
			tx = mustBegin(t, a)
			ta := tx.(*txn)
			produced := make(chan error, 1)
			var offset int64
			ta.cl.Produce(ctx, &kgo.Record{Key: []byte("k3"), Value: []byte("3")}, func(r *kgo.Record, err error) {
				offset = r.Offset
				produced <- err
			})
			_ = ta.cl.Flush(ctx) // the client flushes manually
			if err := <-produced; err != nil {
				t.Fatalf("produce in the open transaction: %v", err)
			}
			if ok, err := b.resolve(ctx, offset, offset); err != nil || ok {
				t.Fatalf("resolve of an open transaction: %v, %v; want false", ok, err)
			}
			if _, err := tx.Commit(ctx, rec("k4", "4")); !errors.Is(err, storage.ErrConflict) {
				t.Fatalf("commit after being fenced: %v, want storage.ErrConflict", err)
			}
		})
	}
}

// TestFakeCommitUnknownServerError: a commit the coordinator answers with
// UNKNOWN_SERVER_ERROR, without acting on it, is resolved as aborted and
// reported as storage.ErrConflict; the next transaction commits.
func TestFakeCommitUnknownServerError(t *testing.T) {
	c := newFake(t)
	l := openFake(t, fakeConfig(c))
	col, _ := startTail(t, l, 0)
	c.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.EndTxn}, TopLevel: true})

	tx := mustBegin(t, l)
	if _, err := commit(t, tx, rec("lost", "1")); !errors.Is(err, storage.ErrConflict) {
		t.Fatalf("commit answered with UNKNOWN_SERVER_ERROR: %v, want storage.ErrConflict", err)
	}
	tx = mustBegin(t, l)
	first, err := commit(t, tx, rec("kept", "1"))
	if err != nil {
		t.Fatalf("commit after the failure: %v", err)
	}
	got := nextData(t, col)
	if string(got.Key) != "kept" || got.Offset != first {
		t.Fatalf("Tail delivered %+v, want only the second commit at %d", got, first)
	}
}
