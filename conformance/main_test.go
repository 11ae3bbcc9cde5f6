package conformance

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if any goroutine outlives the tests: every charter
// instance, HTTP server and client connection a test starts must be gone by
// its cleanup.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
