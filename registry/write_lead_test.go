package registry

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/compat/avro"
	"github.com/charter-registry/charter/internal/poll"
	"github.com/charter-registry/charter/storage"
	"github.com/charter-registry/charter/storage/memory"
)

// gatedLog is a shared (Transactional) memory log whose Begin waits for
// the test to answer it: the test decides when each group's transaction
// starts and whether it fails.
type gatedLog struct {
	*memory.Log
	begins chan chan error
}

func (l *gatedLog) Begin(ctx context.Context) (storage.Txn, error) {
	answer := make(chan error)
	select {
	case l.begins <- answer:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if err := <-answer; err != nil {
		return nil, err
	}
	end, err := l.End(ctx)
	if err != nil {
		return nil, err
	}
	return &gatedTxn{l: l, end: end}, nil
}

type gatedTxn struct {
	l   *gatedLog
	end int64
}

func (t *gatedTxn) End() int64 { return t.end }
func (t *gatedTxn) Commit(ctx context.Context, recs ...storage.Record) (int64, error) {
	return t.l.Append(ctx, recs...)
}
func (t *gatedTxn) Abort(context.Context) error { return nil }

// TestWriteGivenBackAfterItsContextEndedStillLeads pins a liveness bug seen
// when a Kafka broker died: a write whose context ended while a group held
// it waited only for that group's answer, so when the group's leader
// failed to begin and gave the write back to the queue, the lead passed to
// a writer that no longer listened for it, and every later write on the
// instance timed out "waiting for its turn" until the process restarted.
func TestWriteGivenBackAfterItsContextEndedStillLeads(t *testing.T) {
	log := &gatedLog{Log: memory.New(memory.WithKeyFunc(LogicalKey)), begins: make(chan chan error)}
	svc, err := NewService(ServiceConfig{Log: log, Formats: []compat.Format{avro.New()}})
	if err != nil {
		t.Fatal(err)
	}
	rctx, stop := context.WithCancel(context.Background())
	ran := make(chan struct{})
	go func() { _ = svc.Run(rctx); close(ran) }()
	t.Cleanup(func() { stop(); <-ran; _ = log.Close() })
	ready, cancelReady := context.WithTimeout(context.Background(), time.Minute)
	defer cancelReady()
	if err := svc.WaitReady(ready); err != nil {
		t.Fatal(err)
	}

	taken := make(chan struct{}, 1)
	testHookTaken = func() { taken <- struct{}{} }
	t.Cleanup(func() { testHookTaken = func() {} })

	register := func(ctx context.Context, n int) <-chan error {
		errc := make(chan error, 1)
		go func() {
			_, err := svc.Register(ctx, fmt.Sprintf("s-%d", n), RegisterRequest{
				Schema: fmt.Sprintf(`{"type":"record","name":"R%d","fields":[]}`, n)})
			errc <- err
		}()
		return errc
	}
	nextBegin := func() chan error {
		t.Helper()
		select {
		case a := <-log.begins:
			return a
		case <-time.After(time.Minute): // a hang guard
			t.Fatal("no group began")
			return nil
		}
	}
	answered := func(errc <-chan error, who string) error {
		t.Helper()
		select {
		case err := <-errc:
			return err
		case <-time.After(time.Minute): // a hang guard: the bug hangs here
			t.Fatalf("%s was never answered", who)
			return nil
		}
	}
	pending := func(n int) {
		t.Helper()
		poll.Until(t, time.Minute, fmt.Sprintf("%d writes queued", n), func() bool {
			svc.writes.mu.Lock()
			defer svc.writes.mu.Unlock()
			return len(svc.writes.pending) == n
		})
	}

	// A leads alone and is held in Begin while L and X queue behind it.
	a := register(context.Background(), 1)
	beginA := nextBegin()
	l := register(context.Background(), 2)
	pending(1)
	xctx, cancelX := context.WithCancel(context.Background())
	x := register(xctx, 3)
	pending(2)
	beginA <- nil
	if err := answered(a, "A"); err != nil {
		t.Fatalf("A: %v", err)
	}
	// L leads the group [L, X] and is held in Begin; X's context ends
	// meanwhile, so X waits for the group.
	beginL := nextBegin()
	cancelX()
	select {
	case <-taken:
	case <-time.After(time.Minute): // a hang guard
		t.Fatal("X's ended context was never noticed")
	}
	// L's Begin fails: L is answered with the failure and X goes back
	// to the queue, first in line for the lead.
	beginL <- errors.New("injected: brokers unreachable")
	if err := answered(l, "L"); err == nil {
		t.Fatal("L: registered although its Begin failed")
	}
	// X leads with its ended context and answers at once; B, a write
	// after it, gets its own group and lands.
	if err := answered(x, "X"); err == nil {
		t.Fatal("X: registered although its context ended before anything was decided")
	}
	b := register(context.Background(), 4)
	nextBegin() <- nil
	if err := answered(b, "B"); err != nil {
		t.Fatalf("B after the given-back write: %v", err)
	}
}
