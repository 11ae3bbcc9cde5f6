package cli_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charter-registry/charter/api"
	"github.com/charter-registry/charter/internal/registrytest"
	"github.com/charter-registry/charter/internal/testdata"
)

// TestReadmeGovernanceWorkflow runs the README's governance block as
// written against the real binary with auth required (and the webhook
// secret the block says it needs): the only substitution is the server's
// address for 127.0.0.1:8081. Every step
// but the one held for review must succeed, and afterwards what the
// block's comments promise holds: the approved change landed, and the
// private topic's subjects are readable by its owner and by the consumer
// team it lists, and answer 404 to another team.
func TestReadmeGovernanceWorkflow(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(testdata.Root(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(b), "<!-- governance: workflow -->\n```sh\n")
	if !ok {
		t.Fatal("the README has no governance workflow block")
	}
	block, _, _ := strings.Cut(sec, "```")

	bin := registrytest.BuildBinary(t)
	keys := map[string]string{}
	for _, p := range []string{"platform-admin", "payments-ci", "billing-ci", "shipping-ci"} {
		keys[p], _ = api.NewAPIKey()
	}
	authFile := filepath.Join(t.TempDir(), "auth.yaml")
	doc := fmt.Sprintf(`principals:
  - name: platform-admin
    admin: true
    keys: [%s]
  - name: payments-ci
    teams: [payments]
    keys: [%s]
  - name: billing-ci
    teams: [billing]
    keys: [%s]
  - name: shipping-ci
    teams: [shipping]
    keys: [%s]
`, api.HashAPIKey(keys["platform-admin"]), api.HashAPIKey(keys["payments-ci"]), api.HashAPIKey(keys["billing-ci"]), api.HashAPIKey(keys["shipping-ci"]))
	if err := os.WriteFile(authFile, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(t.TempDir(), "webhook.secret")
	if err := os.WriteFile(secret, []byte("a webhook signing secret of 32 b"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", "--storage", "memory", "--webhook-secret-file", secret)
	cmd.Env = registrytest.Environ("CHARTER_AUTH=required", "CHARTER_AUTH_CONFIG="+authFile)
	addr := registrytest.Serve(t, cmd, os.Kill).Addr

	run := exec.Command("bash", "-eo", "pipefail", "-c", strings.ReplaceAll(block, "127.0.0.1:8081", addr))
	run.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(),
		"ADMIN_KEY=" + keys["platform-admin"], "PAYMENTS_KEY=" + keys["payments-ci"], "BILLING_KEY=" + keys["billing-ci"]}
	out, err := run.CombinedOutput()
	if err != nil {
		t.Fatalf("README block failed: %v\n%s", err, out)
	}
	// The one refusal the block shows on purpose: the change held for
	// billing's review.
	if n := strings.Count(string(out), `"error_code"`); n != 1 || !strings.Contains(string(out), `"error_code":40920`) {
		t.Fatalf("the README block was refused %d times, want once with 40920 (held for review):\n%s", n, out)
	}
	if got, body := call(t, addr, keys["payments-ci"], "GET", "/subjects/com.acme.Order/versions", ""); got != 200 || body != "[1,2]" {
		t.Errorf("after billing approved, com.acme.Order versions = %d %s, want [1,2]", got, body)
	}
	if !strings.Contains(string(out), `"lifecycle":"archived"`) {
		t.Errorf("the block did not end with orders archived:\n%s", out)
	}

	schema := `{"schema":"{\"type\":\"record\",\"name\":\"Entry\",\"fields\":[{\"name\":\"amount\",\"type\":\"long\"}]}"}`
	if got, body := call(t, addr, keys["payments-ci"], "POST", "/subjects/ledger-value/versions", schema); got != 200 {
		t.Fatalf("payments registers ledger-value: %d %s", got, body)
	}
	for who, want := range map[string]int{"payments-ci": 200, "billing-ci": 200, "platform-admin": 200, "shipping-ci": 404} {
		if got, body := call(t, addr, keys[who], "GET", "/subjects/ledger-value/versions", ""); got != want {
			t.Errorf("%s reads the private ledger-value: %d %s, want %d", who, got, body, want)
		}
	}
}
