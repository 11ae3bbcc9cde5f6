package registry_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/charter-registry/charter"
	"github.com/charter-registry/charter/internal/poll"
	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/storage"
	"github.com/charter-registry/charter/storage/file"
	"github.com/charter-registry/charter/storage/memory"
)

// leased is a Service over log with the writer lease attached and
// contending (when url is set), replayed and ready; now is the lease's
// clock (nil: time.Now).
func leased(t *testing.T, log storage.Log, instance, url string, ttl time.Duration, now func() time.Time) (*registry.Service, *registry.WriterLease) {
	t.Helper()
	svc, err := registry.NewService(registry.ServiceConfig{Log: log, Formats: charter.Formats()})
	if err != nil {
		t.Fatal(err)
	}
	lease := registry.AttachWriterLease(svc, registry.WriterLeaseConfig{Instance: instance, URL: url, TTL: ttl, Now: now})
	ctx, cancel := context.WithCancel(context.Background())
	lctx, lcancel := context.WithCancel(ctx)
	runDone, leaseDone := make(chan struct{}), make(chan struct{})
	go func() { _ = svc.Run(ctx); close(runDone) }()
	go func() { _ = lease.Run(lctx); close(leaseDone) }()
	// The lease stops first: it gives the lease up through the log.
	t.Cleanup(func() { lcancel(); <-leaseDone; cancel(); <-runDone })
	wctx, wcancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer wcancel()
	if err := svc.WaitReady(wctx); err != nil {
		t.Fatal(err)
	}
	return svc, lease
}

func writeWriterLease(t *testing.T, svc *registry.Service, owner, url string, seq int64) {
	t.Helper()
	r, err := registry.WriterLeaseRecord(owner, url, seq)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Write(context.Background(), func() ([]storage.Record, error) { return []storage.Record{r}, nil }); err != nil {
		t.Fatal(err)
	}
}

// fakeClock is a lease clock that moves only when the test moves it.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// An eligible instance takes a free lease, a follower on the same log
// sees it as the holder, another instance's take-over is respected until
// it stops renewing for a TTL, and the renewals leave the digest alone.
// The instances share a fake clock: renewals and expiry happen only when
// the test moves it and wakes the contender, and the hour-long TTL keeps
// Run's real timers (a third of it) from firing during the test, so no
// state the test waits for can come and go before it looks.
func TestWriterLeaseElection(t *testing.T) {
	log := memory.New(memory.WithKeyFunc(registry.LogicalKey))
	ttl := time.Hour
	clock := &fakeClock{now: time.Unix(1_800_000_000, 0)}
	a, la := leased(t, log, "a", "http://a.example", ttl, clock.Now)
	poll.Until(t, 30*time.Second, "a holds the free lease", la.Held)
	if h, ok := la.Holder(); ok {
		t.Fatalf("the holder sees %v as another holder", h)
	}

	// A follower (no URL) never takes the lease and names a as the holder.
	b, lb := leased(t, log, "b", "", ttl, clock.Now)
	poll.Until(t, 30*time.Second, "b sees a's lease", func() bool {
		h, ok := lb.Holder()
		return ok && h == registry.Holder{Instance: "a", URL: "http://a.example"}
	})
	if lb.Held() {
		t.Fatal("an instance without a URL holds the lease")
	}

	// Renewals change the log, not the digest. A renewal is due a third
	// of a TTL after the last one.
	d := a.State().Digest()
	pos := a.Position()
	clock.Advance(ttl / 3)
	la.Wake()
	poll.Until(t, 30*time.Second, "a renewal", func() bool { return a.Position() > pos })
	if got := a.State().Digest(); got != d {
		t.Fatalf("a renewal changed the digest: %s, then %s", d, got)
	}
	if err := b.WaitApplied(context.Background(), a.Position()); err != nil {
		t.Fatal(err)
	}

	// Another instance takes the lease (as one that saw a's expire would):
	// a stops counting itself the holder and forwards to it...
	writeWriterLease(t, a, "c", "http://c.example", 1<<40)
	poll.Until(t, 30*time.Second, "a gives way to c", func() bool {
		h, ok := la.Holder()
		return !la.Held() && ok && h.Instance == "c"
	})
	// ... until c has not renewed it for a whole TTL: a takes it back.
	if la.Held() {
		t.Fatal("a holds the lease c took before c's expired")
	}
	clock.Advance(ttl)
	la.Wake()
	poll.Until(t, 30*time.Second, "a takes the expired lease back", la.Held)
	poll.Until(t, 30*time.Second, "b sees a again", func() bool {
		h, ok := lb.Holder()
		return ok && h.Instance == "a"
	})
}

// A replayed log hands a restarted instance the lease as the log has it.
func TestWriterLeaseReplays(t *testing.T) {
	log := memory.New(memory.WithKeyFunc(registry.LogicalKey))
	w, _ := leased(t, log, "w", "", time.Minute, nil)
	writeWriterLease(t, w, "x", "http://x.example", 7)
	_, l := leased(t, log, "y", "", time.Minute, nil)
	if h, ok := l.Holder(); !ok || h != (registry.Holder{Instance: "x", URL: "http://x.example"}) {
		t.Fatalf("replayed holder = %v %v, want x at http://x.example", h, ok)
	}
}

// Compaction keeps the lease's last record: a file log compacted on
// restart hands the new instance the lease as it was last written.
func TestWriterLeaseSurvivesCompaction(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	l, err := file.Open(ctx, dir, file.WithKeyFunc(registry.LogicalKey))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() }) // after the services stopped
	w, _ := leased(t, l, "w", "", time.Minute, nil)
	writeWriterLease(t, w, "x", "http://x.example", 1)
	writeWriterLease(t, w, "z", "http://z.example", 2)
	before := w.State().Digest()
	// Compact the log the first instance wrote, as charter serve does on
	// start, and replay it.
	if err := l.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	r, lr := leased(t, l, "r", "", time.Minute, nil)
	if h, ok := lr.Holder(); !ok || h.Instance != "z" || h.URL != "http://z.example" {
		t.Fatalf("holder after compaction = %v %v, want z", h, ok)
	}
	if got := r.State().Digest(); got != before {
		t.Fatalf("digest after compaction %s, want %s", got, before)
	}
}
