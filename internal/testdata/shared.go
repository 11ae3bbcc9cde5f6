// Package testdata locates the reference test data in ../shared, beside the
// repository. Tests that need it skip with a clear message when it is
// absent; .ci/run refuses to run without it. It also holds the cases that
// tests of different packages must judge alike (InvalidAvroDefaults), so
// that their expectations cannot drift apart.
package testdata

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Root returns the repository root, found from this source file's location.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// Shared returns the path of rel inside ../shared, or skips t when the
// shared folder is not there.
func Shared(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(Root(), "..", "shared", rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("reference data %s is absent (expected ../shared beside the repository): %v", rel, err)
	}
	return p
}
