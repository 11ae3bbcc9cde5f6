// Package leaktest holds the goroutine-leak check every package's tests
// run in TestMain, so that no goroutine of charter's outlives the test that
// started it.
package leaktest

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

// Options are the goroutines that are not charter's to stop:
//   - kfake, the in-process fake broker, serves each client connection with
//     goroutines that exit only once it notices the connection closed, some
//     time after the client (charter's code under test) has closed it; a
//     client-side leak still fails the check;
//   - regexp2 (the ECMAScript regular expressions behind JSON Schema
//     patterns) keeps one process-wide clock goroutine while its match
//     timeouts are in use.
func Options() []goleak.Option {
	const conn = "github.com/twmb/franz-go/pkg/kfake.(*clientConn)."
	return []goleak.Option{
		goleak.IgnoreAnyFunction("github.com/dlclark/regexp2/v2.runClock"),
		goleak.IgnoreAnyFunction(conn + "read"),
		goleak.IgnoreAnyFunction(conn + "read.func1"),
		goleak.IgnoreAnyFunction(conn + "write"),
		goleak.IgnoreAnyFunction(conn + "write.func1"),
	}
}

// Main runs a package's tests and then fails if any goroutine is left
// that Options does not excuse. Call it from TestMain; cleanups run once
// the tests have ended, before the process exits.
func Main(m *testing.M, cleanups ...func()) {
	opts := Options()
	if len(cleanups) > 0 {
		opts = append(opts, goleak.Cleanup(func(code int) {
			for _, c := range cleanups {
				c()
			}
			os.Exit(code)
		}))
	}
	goleak.VerifyTestMain(m, opts...)
}
