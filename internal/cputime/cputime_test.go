package cputime

import (
	"testing"
	"time"

	"github.com/charter-registry/charter/internal/leaktest"
)

func TestMain(m *testing.M) { leaktest.Main(m) }

func TestProcessCountsWork(t *testing.T) {
	from, ok := Process()
	if !ok {
		t.Skip("no CPU time on this system")
	}
	x := 0
	for i := range 50_000_000 {
		x += i % 7
	}
	to, _ := Process()
	if to <= from {
		t.Fatalf("CPU time did not grow over a busy loop (%d): %s -> %s", x, from, to)
	}
	if got := PerOp(0, 4*time.Millisecond, 2); got != 2 {
		t.Fatalf("PerOp = %v, want 2", got)
	}
}
