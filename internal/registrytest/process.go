package registrytest

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/charter-registry/charter/internal/testdata"
)

// BuildBinary builds cmd/charter into a temporary directory of t and
// returns its path.
func BuildBinary(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "charter")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/charter")
	cmd.Dir = testdata.Root()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/charter: %v\n%s", err, out)
	}
	return bin
}
