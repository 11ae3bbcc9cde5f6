package main

import (
	"os"
	"testing"

	"github.com/charter-registry/charter/internal/leaktest"
	"github.com/charter-registry/charter/internal/registrytest"
)

// TestMain serves the ceiling when the tool starts this test binary as one
// (the tool starts its own executable again for the ceiling), and checks
// for leaked goroutines otherwise.
func TestMain(m *testing.M) {
	if serveCeilingFromEnv() {
		os.Exit(0)
	}
	leaktest.Main(m, registrytest.RemoveBinary)
}
