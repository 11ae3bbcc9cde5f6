package exporter_test

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charter-registry/charter/internal/registrytest"
	"github.com/charter-registry/charter/internal/testdata"
	"github.com/charter-registry/charter/registry"
)

// readmeBlock returns the sh block after the README's marker comment.
func readmeBlock(t *testing.T, marker string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testdata.Root(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(b), "<!-- exporters: "+marker+" -->\n```sh\n")
	if !ok {
		t.Fatalf("the README has no %s block", marker)
	}
	block, _, _ := strings.Cut(sec, "```")
	return block
}

// runBlock runs a README block with bash as written, with env on top of
// PATH and HOME only.
func runBlock(t *testing.T, block string, env ...string) string {
	t.Helper()
	cmd := exec.Command("bash", "-eo", "pipefail", "-c", block)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("README block failed: %v\n%s\n--- block:\n%s", err, out, block)
	}
	return string(out)
}

func TestReadmeRegionFailover(t *testing.T) {
	a := registrytest.Start(t, registrytest.WithExporters(fast))
	b := registrytest.Start(t, registrytest.WithExporters(fast))
	id := register(t, a.URL, "orders-value", record("Order", "a"))
	register(t, a.URL, "orders-value", record("Order", "a", "b"))
	register(t, a.URL, "payments-value", record("Payment", "p"))

	out := runBlock(t, readmeBlock(t, "failover"), "A="+a.URL, "B="+b.URL)
	// The consumer's read through B: the schema A gave id 1.
	want, err := a.Service.SchemaByID(id)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, want.Schema[:20]) && !strings.Contains(out, strings.ReplaceAll(want.Schema[:20], `"`, `\"`)) {
		t.Errorf("the README's read of id 1 through B printed %q, want A's schema", out)
	}
	eventually(t, "B holds A's versions and ids", samePicture(a.Service, b.Service, func(s string) string { return s }))
	// B takes writes now, with ids above A's.
	next := register(t, b.URL, "orders-value", record("Order", "a", "b", "c"))
	if next <= a.Service.MaxID() {
		t.Errorf("B's new id %d is not above A's highest %d", next, a.Service.MaxID())
	}
	if m, _ := b.Service.GetMode("orders-value", true); m != registry.ReadWrite {
		t.Errorf("B's orders-value mode after failover = %s, want READWRITE", m)
	}
}

func TestReadmeMigrationFromConfluent(t *testing.T) {
	// A charter stands in for Confluent Schema Registry: it answers the
	// same /exporters API.
	confluent := registrytest.Start(t, registrytest.WithExporters(fast))
	charter := registrytest.Start(t)
	register(t, confluent.URL, "orders-value", record("Order", "a"))
	register(t, confluent.URL, "orders-value", record("Order", "a", "b"))
	register(t, confluent.URL, "users-value", record("User", "u"))
	runBlock(t, readmeBlock(t, "migration"), "CONFLUENT="+confluent.URL, "CHARTER="+charter.URL)
	if !samePictureNow(confluent.Service, charter.Service) {
		t.Error("after the migration block charter does not hold the source's versions and ids")
	}
	var names []string
	_ = json.Unmarshal(mustCall(t, http.MethodGet, confluent.URL+"/exporters", nil), &names)
	if len(names) != 0 {
		t.Errorf("exporters after the migration = %v, want none", names)
	}
	register(t, charter.URL, "users-value", record("User", "u", "v"))
}

func samePictureNow(src, dst *registry.Service) bool {
	ok, _ := samePicture(src, dst, func(s string) string { return s })()
	return ok
}
