package registrytest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/charter-registry/charter/internal/testdata"
)

// built is the charter binary BuildBinary made for this test process.
var built struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// BuildBinary builds cmd/charter once per test process and returns its
// path; every later call reuses that binary (a build costs seconds, and
// every test of a process wants the same one). A package that calls it
// removes the binary when its tests end, by passing RemoveBinary to
// leaktest.Main.
func BuildBinary(t testing.TB) string {
	t.Helper()
	built.once.Do(func() {
		dir, err := os.MkdirTemp("", "charter-test-bin-")
		if err != nil {
			built.err = err
			return
		}
		built.dir = dir
		bin := filepath.Join(dir, "charter")
		cmd := exec.Command("go", "build", "-o", bin, "./cmd/charter")
		cmd.Dir = testdata.Root()
		if out, err := cmd.CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go build ./cmd/charter: %v\n%s", err, out)
			return
		}
		built.path = bin
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.path
}

// RemoveBinary deletes the binary BuildBinary made, if any.
func RemoveBinary() {
	if built.dir != "" {
		_ = os.RemoveAll(built.dir)
	}
}
