package registry

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/compat/avro"
	"github.com/charter-registry/charter/storage"
	"github.com/charter-registry/charter/storage/memory"
)

// gatedPipe is a memory log that pipelines like the file log: Enqueue
// gives a batch its offsets at once, and the batch is written when the
// test releases it (the channel Enqueue sends on).
type gatedPipe struct {
	*memory.Log
	mu       sync.Mutex
	next     int64
	enqueued chan chan struct{}
}

func (l *gatedPipe) Enqueue(ctx context.Context, first int64, recs ...storage.Record) (func(context.Context) (int64, error), error) {
	l.mu.Lock()
	if end, _ := l.End(ctx); l.next < end {
		l.next = end
	}
	if first != l.next {
		l.mu.Unlock()
		return nil, storage.ErrConflict
	}
	l.next += int64(len(recs))
	l.mu.Unlock()
	release := make(chan struct{})
	l.enqueued <- release
	return func(ctx context.Context) (int64, error) {
		<-release
		return l.Append(ctx, recs...)
	}, nil
}

// TestGroupAfterUnspeculatedGroupWaitsForIt: a write decided alone (here
// Service.Write's records) is not speculated, so a group decided while it
// is in flight must wait for it to land instead of deciding on the
// snapshot before it; otherwise a registration under another subject
// takes the id the first one's schema holds.
func TestGroupAfterUnspeculatedGroupWaitsForIt(t *testing.T) {
	log := &gatedPipe{Log: memory.New(memory.WithKeyFunc(LogicalKey)), enqueued: make(chan chan struct{})}
	svc, err := NewService(ServiceConfig{Log: log, Formats: []compat.Format{avro.New()}})
	if err != nil {
		t.Fatal(err)
	}
	waiting := make(chan struct{}, 1)
	svc.writes.waitHook = func() {
		select {
		case waiting <- struct{}{}:
		default:
		}
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
	nextEnqueue := func() chan struct{} {
		t.Helper()
		select {
		case r := <-log.enqueued:
			return r
		case <-time.After(time.Minute): // a hang guard
			t.Fatal("no group was enqueued")
			return nil
		}
	}

	solo := make(chan error, 1)
	go func() {
		solo <- svc.Write(context.Background(), func() ([]storage.Record, error) {
			rec, err := record(schemaKey("first-value", 1), schemaValue{Subject: "first-value", Version: 1, ID: 1, Schema: `"string"`})
			return []storage.Record{rec}, err
		})
	}()
	releaseSolo := nextEnqueue()
	type result struct {
		s   Schema
		err error
	}
	reg := make(chan result, 1)
	go func() {
		s, err := svc.Register(context.Background(), "second-value", RegisterRequest{Schema: `"int"`})
		reg <- result{s, err}
	}()
	// The registration's leader must wait for the solo write to land: the
	// hook says it does. Deciding it instead (on the snapshot before the
	// solo write) would enqueue it while the solo write is held.
	select {
	case <-waiting:
	case r := <-log.enqueued:
		close(r)
		close(releaseSolo)
		t.Fatal("the registration was decided and enqueued while the unspeculated write was in flight")
	case <-time.After(time.Minute): // a hang guard
		t.Fatal("the registration's leader neither waited nor enqueued")
	}
	close(releaseSolo)
	if err := <-solo; err != nil {
		t.Fatal(err)
	}
	close(nextEnqueue())
	r := <-reg
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.s.ID == 1 {
		t.Fatalf("second-value got id %d, which first-value's schema holds", r.s.ID)
	}
	got, err := svc.SchemaByID(1)
	if err != nil || got.Schema != `"string"` {
		t.Fatalf("id 1 = %q, %v; want first-value's schema", got.Schema, err)
	}
}
