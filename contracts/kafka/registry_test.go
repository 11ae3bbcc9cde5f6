package kafka_test

import (
	"testing"

	"github.com/charter-registry/charter/contracts/client"
	"github.com/charter-registry/charter/internal/registrytest"
)

// startRegistry runs charter in-process on a memory log and returns a
// client for it; both stop when the test ends.
func startRegistry(t testing.TB, opts ...client.Opt) *client.Client {
	t.Helper()
	return registrytest.Start(t).Client(t, opts...)
}
