package cputime

import (
	"os"
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

func TestParseStatCountsFieldsAfterTheCommandName(t *testing.T) {
	// A command name with spaces and a parenthesis; utime 250 and stime 50
	// ticks are fields 14 and 15.
	line := "4242 (a (b) c) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 8 0 123 456 789\n"
	if got, ok := parseStat([]byte(line)); !ok || got != 3*time.Second {
		t.Errorf("parseStat = %v %v, want 3s", got, ok)
	}
	for _, bad := range []string{"", "4242 no parenthesis", "4242 (x) S 1 2"} {
		if got, ok := parseStat([]byte(bad)); ok {
			t.Errorf("parseStat(%q) = %v, want false", bad, got)
		}
	}
	if _, ok := OfProcess(os.Getpid()); !ok {
		if _, err := os.Stat("/proc/self/stat"); err == nil {
			t.Error("OfProcess(self) = false with /proc/self/stat present")
		}
	}
}
