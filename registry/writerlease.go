package registry

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/charter-registry/charter/storage"
)

// KeyWriterLease names the instance that writes for the instances sharing
// a log, and the URL they reach it at: the others forward their writes to
// it (the API does; the registry only keeps the lease).
const KeyWriterLease KeyType = "WRITER_LEASE"

// writerLeaseKey is the lease's one key.
var writerLeaseKey = Key{Type: KeyWriterLease, Subject: "writer"}

// DefaultWriterLeaseTTL is how long the writer may go without renewing
// its lease before another eligible instance takes it.
const DefaultWriterLeaseTTL = 10 * time.Second

// WriterLeaseConfig configures an instance's part in the writer lease.
type WriterLeaseConfig struct {
	// Instance names this instance in the lease; a random id by default.
	Instance string
	// URL is where the other instances reach this one; empty, the
	// instance never takes the lease (it only follows it).
	URL string
	// TTL is how long the holder may go without renewing the lease
	// before another eligible instance takes it over, each judging by
	// its own clock; DefaultWriterLeaseTTL when zero.
	TTL    time.Duration
	Logger *slog.Logger
	// Now is the clock the lease judges renewals and expiry by;
	// time.Now when nil. Tests drive expiry with a fake one (the wait
	// between renewals is still a real timer: wake Run after moving it).
	Now func() time.Time
}

// Holder is the instance holding the writer lease.
type Holder struct {
	Instance string
	URL      string
}

// writerLeaseValue is the WRITER_LEASE record's value. Seq grows with
// every renewal: instances judge expiry by how long they have not seen
// it change on their own clock, so clocks need not agree.
type writerLeaseValue struct {
	Owner string `json:"owner"`
	URL   string `json:"url,omitempty"`
	Seq   int64  `json:"seq"`
	Ts    int64  `json:"ts"`
}

// WriterLease is the lease that picks the one instance of a shared log
// that writes for the others. Every instance applies the lease's records;
// an instance with a URL also contends for it (Run). It is the pattern of
// the exporters' lease: the holder renews it every third of the TTL and
// counts itself the holder only while its last renewal is younger than
// four fifths of the TTL; the others take it over once they have not seen
// it change for a whole TTL.
//
// The lease is only a hint for routing writes: every write is still
// fenced by the log (a Kafka transaction), so two instances that both
// believe they hold it, or none, cost throughput, never correctness.
type WriterLease struct {
	svc  *Service
	cfg  WriterLeaseConfig
	mu   sync.RWMutex
	cur  writerLeaseValue
	seen time.Time // when this instance saw the lease change
	wake chan struct{}
	// heldUntil is when this instance stops counting itself the holder
	// (Unix nanoseconds; zero: it does not hold the lease).
	heldUntil atomic.Int64
}

// AttachWriterLease registers the writer lease's records with svc's
// state. Call it before svc.Run; call Run to contend for the lease.
func AttachWriterLease(svc *Service, cfg WriterLeaseConfig) *WriterLease {
	if cfg.TTL <= 0 {
		cfg.TTL = DefaultWriterLeaseTTL
	}
	if cfg.Logger == nil {
		cfg.Logger = svc.cfg.Logger
	}
	if cfg.Instance == "" {
		cfg.Instance = randomInstance()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	l := &WriterLease{svc: svc, cfg: cfg, seen: cfg.Now(), wake: make(chan struct{})}
	svc.State().Register(KeyWriterLease, l)
	return l
}

func randomInstance() string {
	host, _ := os.Hostname()
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// Instance returns the name this instance holds the lease under.
func (l *WriterLease) Instance() string { return l.cfg.Instance }

// Apply implements Extension.
func (l *WriterLease) Apply(k Key, value []byte, _ int64) error {
	var v writerLeaseValue
	if value != nil {
		if err := json.Unmarshal(value, &v); err != nil {
			return fmt.Errorf("decode %s value: %w", KeyWriterLease, err)
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if v != l.cur {
		l.cur = v
		l.seen = l.cfg.Now()
	}
	l.wakeLocked()
	return nil
}

// wakeLocked wakes Run from its wait, to look at the lease and the clock
// again; l.mu is held.
func (l *WriterLease) wakeLocked() {
	close(l.wake)
	l.wake = make(chan struct{})
}

// since is how long ago t was on the lease's clock.
func (l *WriterLease) since(t time.Time) time.Duration { return l.cfg.Now().Sub(t) }

// Digest implements Extension. The lease is left out of the state
// digest: it is routing, not registry data, and its renewals would make
// the digests of two instances differ while one of them is a renewal
// behind.
func (l *WriterLease) Digest(func([]byte)) {}

// Held reports whether this instance holds the lease now: it renewed it
// less than four fifths of a TTL ago.
func (l *WriterLease) Held() bool {
	until := l.heldUntil.Load()
	return until != 0 && l.cfg.Now().UnixNano() < until
}

// Holder returns the instance holding the lease, if another instance
// holds one that has not expired as this instance's clock sees it.
func (l *WriterLease) Holder() (Holder, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.cur.Owner == "" || l.cur.Owner == l.cfg.Instance || l.cur.URL == "" || l.since(l.seen) >= l.cfg.TTL {
		return Holder{}, false
	}
	return Holder{Instance: l.cur.Owner, URL: l.cur.URL}, true
}

// Run contends for the lease until ctx ends, when the instance has a URL;
// without one it returns at once (the instance only follows the lease).
// On a clean stop the holder gives the lease up.
func (l *WriterLease) Run(ctx context.Context) error {
	if l.cfg.URL == "" {
		return nil
	}
	if err := l.svc.WaitReady(ctx); err != nil {
		return err
	}
	defer l.release()
	renew := l.cfg.TTL / 3
	var heldSince time.Time // start of the last successful renewal
	for {
		wake := l.wakeChan()
		failed := false // a write was tried and failed
		if heldSince.IsZero() || l.since(heldSince) >= renew {
			start := l.cfg.Now()
			renewed := false
			// Only write when the lease may be taken: every write opens
			// a transaction on a shared Kafka log.
			if l.available() {
				err := l.write(ctx, func(cur writerLeaseValue) *writerLeaseValue {
					return &writerLeaseValue{Owner: l.cfg.Instance, URL: l.cfg.URL, Seq: cur.Seq + 1, Ts: l.cfg.Now().UnixMilli()}
				})
				if err != nil && ctx.Err() == nil {
					l.cfg.Logger.Warn("writer lease: renewal failed", slog.Any("error", err))
				}
				renewed = err == nil
				failed = err != nil
			}
			// Only a write that succeeded extends the lease: a holder
			// that cannot write lets it run out.
			if renewed && l.owns() {
				if heldSince.IsZero() {
					l.cfg.Logger.Info("writer lease acquired: the other instances forward their writes here",
						slog.String("instance", l.cfg.Instance), slog.String("url", l.cfg.URL))
				}
				heldSince = start
			} else if !heldSince.IsZero() && (l.since(heldSince) >= l.cfg.TTL*4/5 || !l.owns()) {
				l.cfg.Logger.Warn("writer lease lost", slog.String("instance", l.cfg.Instance))
				heldSince = time.Time{}
			}
		}
		if !heldSince.IsZero() && l.owns() {
			l.heldUntil.Store(heldSince.Add(l.cfg.TTL * 4 / 5).UnixNano())
		} else {
			heldSince = time.Time{}
			l.heldUntil.Store(0)
		}
		wait := renew
		if !heldSince.IsZero() {
			wait = max(0, renew-l.since(heldSince))
		} else if h, ok := l.holderValue(); ok {
			// Wake when the holder's lease would expire unless renewed.
			wait = max(0, min(renew, l.cfg.TTL-l.since(h)))
		}
		if failed {
			// The wait above is 0 once a renewal is due or a take-over
			// possible: without a pause a log that fails fast would be
			// written again at once, thousands of times a second.
			wait = max(wait, writerLeaseRetry(l.cfg.TTL))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			l.heldUntil.Store(0)
			return nil
		case <-wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// writerLeaseRetry is the pause after a failed write of the lease: a
// twentieth of the TTL, so a holder still tries several times before its
// lease runs out at four fifths of it.
func writerLeaseRetry(ttl time.Duration) time.Duration { return ttl / 20 }

func (l *WriterLease) wakeChan() <-chan struct{} {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.wake
}

// holderValue returns when this instance last saw another's lease change.
func (l *WriterLease) holderValue() (time.Time, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.cur.Owner == "" || l.cur.Owner == l.cfg.Instance {
		return time.Time{}, false
	}
	return l.seen, true
}

func (l *WriterLease) owns() bool {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.cur.Owner == l.cfg.Instance
}

func (l *WriterLease) available() bool {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.availableLocked()
}

// availableLocked reports whether this instance may take the lease: it
// holds it, nobody does, or the holder has not renewed it for a whole
// TTL as this instance's clock sees it.
func (l *WriterLease) availableLocked() bool {
	return l.cur.Owner == l.cfg.Instance || l.cur.Owner == "" || l.since(l.seen) >= l.cfg.TTL
}

// write appends the lease next returns, decided on the applied state
// caught up with the log, if the lease is still available to this
// instance then; a nil next writes nothing.
func (l *WriterLease) write(ctx context.Context, next func(cur writerLeaseValue) *writerLeaseValue) error {
	wctx, cancel := context.WithTimeout(ctx, l.cfg.TTL/3)
	defer cancel()
	return l.svc.MutateSystem(wctx, func(mu *Mutation) error {
		l.mu.RLock()
		defer l.mu.RUnlock()
		if !l.availableLocked() {
			return nil // no records: nothing is written
		}
		v := next(l.cur)
		if v == nil {
			return nil
		}
		r, err := record(writerLeaseKey, *v)
		if err != nil {
			return err
		}
		mu.Append(r)
		return nil
	})
}

// release gives the lease up if this instance holds it, so another
// instance takes over without waiting for it to expire.
func (l *WriterLease) release() {
	l.heldUntil.Store(0)
	if !l.owns() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), l.cfg.TTL/3)
	defer cancel()
	err := l.write(ctx, func(cur writerLeaseValue) *writerLeaseValue {
		if cur.Owner != l.cfg.Instance {
			return nil
		}
		return &writerLeaseValue{Seq: cur.Seq + 1, Ts: l.cfg.Now().UnixMilli()}
	})
	if err != nil {
		l.cfg.Logger.Warn("writer lease: release failed", slog.Any("error", err))
	}
}

// WriterLeaseRecord returns the lease record naming instance at url, for tests that
// write the lease raw.
func WriterLeaseRecord(instance, url string, seq int64) (storage.Record, error) {
	return record(writerLeaseKey, writerLeaseValue{Owner: instance, URL: url, Seq: seq, Ts: time.Now().UnixMilli()})
}
