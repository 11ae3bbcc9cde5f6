package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// processMemory returns the resident set size and its peak (VmRSS and
// VmHWM of /proc/PID/status) in bytes; false where there is no /proc.
func processMemory(pid int) (rss, peak int64, ok bool) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, value, found := strings.Cut(sc.Text(), ":")
		if !found {
			continue
		}
		var dst *int64
		switch name {
		case "VmRSS":
			dst = &rss
		case "VmHWM":
			dst = &peak
		default:
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			return 0, 0, false
		}
		*dst = kb << 10
	}
	return rss, peak, rss > 0
}

// machine describes where the run happened.
type machine struct {
	cpus  int
	model string
}

func describeMachine() machine {
	m := machine{cpus: runtime.NumCPU(), model: "unknown"}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if name, value, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(name) == "model name" {
				m.model = strings.TrimSpace(value)
				break
			}
		}
	}
	return m
}

// loadAverage is /proc/loadavg's first three fields ("-" without /proc).
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "-"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "-"
	}
	return strings.Join(f[:3], " ")
}
