// Package cputime reads the CPU time a process has used (this one, or
// another by its pid from /proc), for benchmarks and the load test that
// report it beside wall time: on a machine shared with other work a
// benchmark waits for a core, and its wall time per operation says more
// about the neighbours than about the code, while its CPU time does not.
package cputime

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

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

// clockTicks is Linux's USER_HZ, the unit of /proc/PID/stat's CPU times;
// 100 on every architecture Go supports.
const clockTicks = 100

// OfProcess returns the user plus system CPU time process pid has used,
// from /proc/PID/stat; false where there is no /proc (or no such
// process). It reads another process as well as this one (os.Getpid()),
// which is what a load generator measuring the server beside it needs.
func OfProcess(pid int) (time.Duration, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	return parseStat(b)
}

// parseStat reads utime and stime from the text of /proc/PID/stat. The
// command name (field 2) is parenthesised and may hold spaces, so fields
// are counted after its closing parenthesis: utime and stime, fields 14
// and 15, are the 12th and 13th after it.
func parseStat(b []byte) (time.Duration, bool) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, false
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	s, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(u+s) * time.Second / clockTicks, true
}
