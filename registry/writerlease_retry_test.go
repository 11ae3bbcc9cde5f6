package registry_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/charter-registry/charter/internal/poll"
	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/storage"
	"github.com/charter-registry/charter/storage/memory"
)

// failingLog is a memory log whose appends fail, counted, once the test
// says so, as a broker refusing every transaction at once would.
type failingLog struct {
	*memory.Log
	fail     atomic.Bool
	attempts atomic.Int64
}

func (l *failingLog) Append(ctx context.Context, recs ...storage.Record) (int64, error) {
	if l.fail.Load() {
		l.attempts.Add(1)
		return 0, errors.New("the log refuses writes")
	}
	return l.Log.Append(ctx, recs...)
}

// checkPaced fails the test when log was written more often since start
// than a pause of a twentieth of ttl between attempts allows.
func checkPaced(t *testing.T, log *failingLog, start time.Time, ttl time.Duration, what string) {
	t.Helper()
	n := log.attempts.Load()
	elapsed := time.Since(start)
	if limit := int64(elapsed/(ttl/20)) + 2; n > limit {
		t.Fatalf("%s: %d failed writes of the lease in %v, want at most %d (one per %v)", what, n, elapsed, limit, ttl/20)
	}
	t.Logf("%s: %d failed writes in %v", what, n, elapsed)
}

// A holder whose renewals fail, and an instance whose take-over fails,
// pause between attempts instead of writing again at once.
func TestWriterLeaseFailedWritesBackOff(t *testing.T) {
	ttl := 2 * time.Second

	held := &failingLog{Log: memory.New(memory.WithKeyFunc(registry.LogicalKey))}
	_, la := leased(t, held, "a", "http://a.example", ttl, nil)
	poll.Until(t, 30*time.Second, "a holds the lease", la.Held)
	start := time.Now()
	held.fail.Store(true)
	poll.Until(t, 30*time.Second, "a loses the lease it cannot renew", func() bool { return !la.Held() })
	poll.Until(t, 30*time.Second, "a failed renewal", func() bool { return held.attempts.Load() > 0 })
	checkPaced(t, held, start, ttl, "renewals")

	// The taker judges expiry by a fake clock, so dead's lease stays live
	// until the test moves it (not only for a TTL after it was written);
	// the pauses between its attempts are real timers, paced as above.
	taker := &failingLog{Log: memory.New(memory.WithKeyFunc(registry.LogicalKey))}
	clock := &fakeClock{now: time.Unix(1_800_000_000, 0)}
	b, lb := leased(t, taker, "b", "http://b.example", ttl, clock.Now)
	writeWriterLease(t, b, "dead", "http://dead.example", 1)
	poll.Until(t, 30*time.Second, "b sees dead's lease", func() bool { h, ok := lb.Holder(); return ok && h.Instance == "dead" })
	start = time.Now()
	taker.fail.Store(true)
	clock.Advance(ttl)
	lb.Wake()
	poll.Until(t, 30*time.Second, "b tries to take the expired lease", func() bool { return taker.attempts.Load() >= 3 })
	checkPaced(t, taker, start, ttl, "take-overs")
}
