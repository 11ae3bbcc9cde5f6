// Package cputime reads the CPU time the process has used, for benchmarks
// that report it beside wall time: on a machine shared with other work a
// benchmark waits for a core, and its wall time per operation says more
// about the neighbours than about the code, while its CPU time does not.
package cputime

import "time"

// Process returns the user plus system CPU time of the whole process
// (every thread, the garbage collector's included); false where the
// system does not say.
func Process() (time.Duration, bool) { return process() }

// PerOp is the CPU time per operation between two readings of Process,
// in milliseconds, for testing.B.ReportMetric; 0 when unknown.
func PerOp(from, to time.Duration, ops int) float64 {
	if ops <= 0 || to <= from {
		return 0
	}
	return float64(to-from) / float64(ops) / float64(time.Millisecond)
}
