package poll_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/charter-registry/charter/internal/leaktest"
	"github.com/charter-registry/charter/internal/poll"
)

func TestMain(m *testing.M) { leaktest.Main(m) }

func TestUntilChecksAgainUntilTheConditionHolds(t *testing.T) {
	var n atomic.Int32
	poll.Until(t, time.Minute, "the third check", func() bool { return n.Add(1) == 3 })
	if n.Load() != 3 {
		t.Errorf("%d checks, want 3", n.Load())
	}
}

func TestUntilCtxStopsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := poll.UntilCtx(ctx, func() bool { return false }); !errors.Is(err, context.Canceled) {
		t.Errorf("UntilCtx = %v, want context.Canceled", err)
	}
	if !poll.Pause(context.Background(), time.Millisecond) || poll.Pause(ctx, time.Minute) {
		t.Error("Pause did not report whether its context is live")
	}
}
