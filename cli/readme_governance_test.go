package cli_test

import (
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
// written against the real binary, started with the README's own auth
// file (its principals, admin flags and teams, each given a fresh key in
// place of the elided hash) and its own serve line (the files it names
// replaced by temporary ones, the file log in the server's working
// directory as `charter serve` keeps it): the only other substitution is
// the server's address for 127.0.0.1:8081. Every step
// but the one held for review must succeed, and afterwards what the
// block's comments promise holds: the approved change landed, and the
// private topic's subjects are readable by its owner and by the consumer
// team it lists, and answer 404 to another team.
func TestReadmeGovernanceWorkflow(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(testdata.Root(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	_, sec, ok := strings.Cut(readme, "<!-- governance: workflow -->\n```sh\n")
	if !ok {
		t.Fatal("the README has no governance workflow block")
	}
	block, _, _ := strings.Cut(sec, "```")

	// The auth file as the README shows it, each elided hash replaced by
	// the hash of a key made here for that principal.
	_, yml, ok := strings.Cut(readme, "```yaml\n# /etc/charter/auth.yaml")
	if !ok {
		t.Fatal("the README shows no /etc/charter/auth.yaml")
	}
	_, yml, _ = strings.Cut(yml, "\n") // the rest of the comment line
	yml, _, _ = strings.Cut(yml, "```")
	keys := map[string]string{}
	var doc strings.Builder
	name := ""
	for _, line := range strings.Split(yml, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, "- name:"):
			name = strings.TrimSpace(strings.TrimPrefix(trimmed, "- name:"))
		case strings.HasPrefix(trimmed, "keys:"):
			keys[name], _ = api.NewAPIKey()
			line = strings.Replace(line, trimmed, "keys: ["+api.HashAPIKey(keys[name])+"]", 1)
		}
		doc.WriteString(line + "\n")
	}
	for _, p := range []string{"platform-admin", "payments-ci", "billing-ci", "shipping-ci"} {
		if keys[p] == "" {
			t.Fatalf("the README's auth.yaml has no principal %s with a key, which the governance block needs", p)
		}
	}
	dir := t.TempDir()
	authFile := filepath.Join(dir, "auth.yaml")
	if err := os.WriteFile(authFile, []byte(doc.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(dir, "webhook.secret")
	if err := os.WriteFile(secret, []byte("a webhook signing secret of 32 b"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The serve line the README gives after the auth file.
	_, serve, ok := strings.Cut(readme, "```sh\ncharter serve --auth=required")
	if !ok {
		t.Fatal("the README shows no `charter serve --auth=required` line")
	}
	serve, _, _ = strings.Cut(serve, "\n")
	args := []string{"serve", "--auth=required"}
	for _, a := range strings.Fields(serve) {
		switch a {
		case "/etc/charter/auth.yaml":
			a = authFile
		case "/etc/charter/webhook.secret":
			a = secret
		}
		args = append(args, a)
	}
	if !strings.Contains(serve, "--webhook-secret-file") {
		t.Fatalf("the README's serve line %q has no --webhook-secret-file, which the block's webhook step needs", serve)
	}
	bin := registrytest.BuildBinary(t)
	cmd := exec.Command(bin, args...)
	cmd.Dir = t.TempDir()
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
