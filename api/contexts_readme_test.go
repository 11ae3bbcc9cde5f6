package api_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charter-registry/charter/internal/registrytest"
	"github.com/charter-registry/charter/internal/testdata"
)

// TestReadmeContextsWorkflow runs the README's contexts block as written
// against a live registry and checks what each command printed.
func TestReadmeContextsWorkflow(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Fatalf("curl is needed to run the README's block: %v", err)
	}
	b, err := os.ReadFile(filepath.Join(testdata.Root(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(b), "<!-- contexts: workflow -->\n```sh\n")
	if !ok {
		t.Fatal("the README has no contexts workflow block")
	}
	block, _, _ := strings.Cut(sec, "```")
	r := registrytest.Start(t)
	cmd := exec.Command("bash", "-eo", "pipefail", "-c", block)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "R=" + r.URL}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("README block failed: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	want := []string{
		`{"subject":"orders-value","version":1,"id":1,`,
		`{"subject":":.staging:orders-value","version":1,"id":1,`,
		`{"compatibility":"NONE"}`,
		`[":.staging:orders-value"]`,
		`[".",".staging"]`,
		`{"subject":":.staging:orders-value","version":1,`,
		`{"error_code":42211,"message":"The specified context ':.staging:' is not empty."}`,
		`[1]`,
		`[1]`,
		`204`,
		`["."]`,
	}
	if len(lines) != len(want) {
		t.Fatalf("the block printed %d lines, want %d:\n%s", len(lines), len(want), out)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d = %s, want it to start with %s", i+1, lines[i], w)
		}
	}
}
