package api

import (
	"context"
	"math"
	"net"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Default limits on failed password checks: 10 at once per principal name
// and per client address, then 10 a minute.
const (
	DefaultAuthFailures      = 10
	DefaultAuthFailureWindow = time.Minute
)

// failureLimiter is a token bucket per key (a principal name or a client
// address): a password check takes a token from every key it concerns, and
// a check that succeeds gives them back, so only failures use them up. A
// key without a token gets 429 and no password check, which is what makes
// a guessing flood cheap for the server.
type failureLimiter struct {
	mu      sync.Mutex
	burst   float64
	perSec  float64
	now     func() time.Time
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

// maxBuckets bounds the limiter's memory. When it is reached, buckets that
// have refilled are dropped (they hold nothing a new bucket would not);
// if none has, all are, which at worst forgives some failures.
const maxBuckets = 100_000

func newFailureLimiter(burst int, window time.Duration) *failureLimiter {
	return &failureLimiter{
		burst:   float64(burst),
		perSec:  float64(burst) / window.Seconds(),
		now:     time.Now,
		buckets: map[string]*bucket{},
	}
}

// refill brings b up to date. Call with mu held.
func (l *failureLimiter) refill(b *bucket, now time.Time) {
	if d := now.Sub(b.at).Seconds(); d > 0 {
		b.tokens = math.Min(l.burst, b.tokens+d*l.perSec)
	}
	b.at = now
}

// take takes a token from every key, or, if any key has none, takes none
// and returns how long until all of them have one.
func (l *failureLimiter) take(keys ...string) (retry time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	bs := make([]*bucket, len(keys))
	for i, k := range keys {
		b := l.buckets[k]
		if b == nil {
			if len(l.buckets) >= maxBuckets {
				l.sweep(now)
			}
			b = &bucket{tokens: l.burst, at: now}
			l.buckets[k] = b
		}
		l.refill(b, now)
		if b.tokens < 1 {
			retry = max(retry, time.Duration((1-b.tokens)/l.perSec*float64(time.Second)))
		}
		bs[i] = b
	}
	if retry > 0 {
		return retry
	}
	for _, b := range bs {
		b.tokens--
	}
	return 0
}

// refund gives back the tokens of a check that succeeded.
func (l *failureLimiter) refund(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		if b := l.buckets[k]; b != nil {
			b.tokens = math.Min(l.burst, b.tokens+1)
		}
	}
}

// sweep drops the buckets that have refilled, or all of them. Call with mu
// held.
func (l *failureLimiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		l.refill(b, now)
		if b.tokens >= l.burst {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) >= maxBuckets {
		clear(l.buckets)
	}
}

// passwordGate runs password checks: at most a few at once (half the CPUs),
// each after the limiter has allowed it.
type passwordGate struct {
	limiter *failureLimiter
	slots   chan struct{}
	checks  atomic.Int64 // password hashes computed
	limited atomic.Int64 // checks refused by the limiter
}

func newPasswordGate(burst int, window time.Duration) *passwordGate {
	return &passwordGate{
		limiter: newFailureLimiter(burst, window),
		slots:   make(chan struct{}, max(1, runtime.GOMAXPROCS(0)/2)),
	}
}

func (g *passwordGate) collectors() []prometheus.Collector {
	return []prometheus.Collector{
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "charter_auth_password_checks_total", Help: "Password hashes computed for basic authentication (cache misses, unknown names included)."}, func() float64 {
			return float64(g.checks.Load())
		}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "charter_auth_limited_total", Help: "Basic authentications answered 429 because the principal name or the client address failed too often."}, func() float64 {
			return float64(g.limited.Load())
		}),
	}
}

// check runs check for a name from r's client address, unless the name or
// the address has failed too often (then retry says when to come back).
func (g *passwordGate) check(ctx context.Context, r *http.Request, name string, check func() bool) (ok bool, retry time.Duration, err error) {
	keys := []string{"principal\x00" + name, "address\x00" + clientAddress(r)}
	if retry := g.limiter.take(keys...); retry > 0 {
		g.limited.Add(1)
		return false, retry, nil
	}
	select {
	case g.slots <- struct{}{}:
	case <-ctx.Done():
		g.limiter.refund(keys...)
		return false, 0, ctx.Err()
	}
	g.checks.Add(1)
	ok = check()
	<-g.slots
	if ok {
		g.limiter.refund(keys...)
	}
	return ok, 0, nil
}

// clientAddress is the host of the connection's peer. charter trusts no
// forwarding header, so behind a proxy every client shares the proxy's
// address.
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
