package cli

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/charter-registry/charter/api"
)

func runAuth(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	cmd := newAuthCommand()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SetArgs(args)
	if err := cmd.Execute(); err != nil {
		t.Fatalf("charter auth %v: %v", args, err)
	}
	return out.String()
}

// TestAuthCommandsMakeSecretsTheCredentialsFileAccepts makes a key and a
// password hash with the commands and checks that a credentials file with
// them authenticates the key and the password, and nothing else.
func TestAuthCommandsMakeSecretsTheCredentialsFileAccepts(t *testing.T) {
	var key, hash string
	if _, err := fmt.Sscanf(runAuth(t, "", "hash-key"), "key:  %s\nhash: %s\n", &key, &hash); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(key, "chk_") || len(key) < 40 || hash != api.HashAPIKey(key) {
		t.Fatalf("key %q hash %q", key, hash)
	}
	if got := strings.TrimSpace(runAuth(t, "", "hash-key", key)); got != hash {
		t.Errorf("hash-key KEY = %q, want %q", got, hash)
	}
	if got := strings.TrimSpace(runAuth(t, key+"\n", "hash-key", "-")); got != hash {
		t.Errorf("hash-key - = %q, want %q", got, hash)
	}
	pw := strings.TrimSpace(runAuth(t, "s3cret pass\n", "hash-password"))
	creds, err := api.ParseCredentials([]byte(fmt.Sprintf("principals:\n  - name: alice\n    keys: [%s]\n    password: %s\n", hash, pw)))
	if err != nil {
		t.Fatal(err)
	}
	if creds.Principals() != 1 {
		t.Errorf("%d principals", creds.Principals())
	}
	cmd := newAuthCommand()
	cmd.SetIn(strings.NewReader(""))
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	cmd.SetArgs([]string{"hash-password"})
	if err := cmd.Execute(); err == nil {
		t.Error("hash-password with empty input succeeded")
	}
}

func TestAuthSettingsRefuseIncoherentFlags(t *testing.T) {
	for _, f := range []serveFlags{
		{auth: "required", unowned: "open"},
		{auth: "sometimes", unowned: "open"},
		{auth: "off", unowned: "closed"},
		{auth: "off", unowned: "open", anonymousRead: true},
		{auth: "required", unowned: "open", authConfig: "/nonexistent/charter-auth.yaml"},
	} {
		if _, _, err := authSettings(f); err == nil {
			t.Errorf("authSettings(%+v) accepted", f)
		}
	}
	acc, cfg, err := authSettings(serveFlags{auth: "off", unowned: "ADMIN-ONLY"})
	if err != nil || acc.Enforce || cfg.Required || acc.Unowned != "admin-only" {
		t.Errorf("auth off: %+v %+v %v", acc, cfg, err)
	}
}
