// Package poll waits in tests for conditions that nothing announces: a
// server's readiness over HTTP, a broker's partition leader, a count of
// open connections. A test that can wait for an event (a log line, a
// channel, a callback) waits for that instead; what it cannot observe it
// checks here, again and again until it holds, never by sleeping for a
// while and assuming it does. The waits are hang guards, not speed
// checks: a loaded machine stays far below them.
package poll

import (
	"context"
	"testing"
	"time"
)

// Every is how often a condition is checked.
const Every = 20 * time.Millisecond

// Until checks cond until it holds, failing the test with what when it
// still does not after d.
func Until(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	if UntilCtx(ctx, cond) != nil {
		t.Fatalf("%s: not within %v", what, d)
	}
}

// UntilCtx checks cond until it holds (nil) or ctx ends (ctx.Err()).
func UntilCtx(ctx context.Context, cond func() bool) error {
	tick := time.NewTicker(Every)
	defer tick.Stop()
	for {
		if cond() {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// Pause waits d or until ctx ends, whichever is first, and reports
// whether ctx is still live. It paces a load generator that must not spin
// while its target is down; it is no way to wait for something to happen.
func Pause(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
