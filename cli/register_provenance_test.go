package cli_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestRegisterRecordsWhy: --reason and --link (or their variables) reach
// every registration's audit entry; outside GitHub Actions nothing is
// made up; a link that is not a URL is a usage error.
func TestRegisterRecordsWhy(t *testing.T) {
	t.Setenv("GITHUB_ACTIONS", "")
	reg := startRegistry(t)
	repo := newGitRepo(t)
	repo.commit("1", "Avro, Protobuf and JSON schemas")
	r := charterRun(t, "register", "--config", repo.config(), "--registry", reg.url,
		"--reason", "first schemas — première", "--link", "https://tickets.example.com/SCHEMA-1")
	if r.code != 0 || !strings.Contains(r.stderr, `recorded with reason "first schemas — première"`) {
		t.Fatalf("register: %s", r)
	}
	audit := func() []struct{ Subject, Reason, Link string } {
		_, body := reg.get(t, "/v1/audit?operation=schema.registered")
		var out []struct{ Subject, Reason, Link string }
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	got := audit()
	if len(got) != 6 {
		t.Fatalf("want 6 registrations, got %+v", got)
	}
	for _, e := range got {
		if e.Reason != "first schemas — première" || e.Link != "https://tickets.example.com/SCHEMA-1" {
			t.Errorf("%s: %+v", e.Subject, e)
		}
	}

	repo.commit("2", "a compatible change to each")
	t.Setenv("CHARTER_CHANGE_REASON", "from the environment")
	if r := charterRun(t, "register", "--config", repo.config(), "--registry", reg.url); r.code != 0 {
		t.Fatalf("register: %s", r)
	}
	if e := audit()[0]; e.Reason != "from the environment" || e.Link != "" {
		t.Errorf("newest entry: %+v", e)
	}

	t.Setenv("CHARTER_CHANGE_REASON", "")
	if r := charterRun(t, "register", "--config", repo.config(), "--registry", reg.url, "--link", "pr 42"); r.code != 2 || !strings.Contains(errString(r.err), "--link") {
		t.Errorf("bad link: %s", r)
	}
}

// TestEveryWritingCommandRecordsWhy: config and import take --reason and
// --link too, so every write the CLI makes can say why.
func TestEveryWritingCommandRecordsWhy(t *testing.T) {
	t.Setenv("GITHUB_ACTIONS", "")
	reg := startRegistry(t)
	repo := newGitRepo(t)
	repo.commit("1", "Avro, Protobuf and JSON schemas")
	register(t, reg, repo)
	r := charterRun(t, "config", "orders-value", "--set", "FULL", "--registry", reg.url, "--reason", "orders need FULL", "--link", "https://tickets.example.com/SCHEMA-2")
	if r.code != 0 {
		t.Fatalf("config --set: %s", r)
	}
	_, body := reg.get(t, "/v1/audit?operation=config.changed")
	var got []struct{ Subject, Reason, Link string }
	if err := json.Unmarshal([]byte(body), &got); err != nil || len(got) != 1 || got[0].Reason != "orders need FULL" || got[0].Link != "https://tickets.example.com/SCHEMA-2" {
		t.Errorf("config audit: %s", body)
	}
	dir := t.TempDir() + "/dump"
	if r := charterRun(t, "export", dir, "--registry", reg.url); r.code != 0 {
		t.Fatalf("export: %s", r)
	}
	target := startRegistry(t)
	if r := charterRun(t, "import", dir, "--registry", target.url, "--reason", "move to charter"); r.code != 0 {
		t.Fatalf("import: %s", r)
	}
	_, body = target.get(t, "/v1/audit?operation=schema.registered")
	var imported []struct{ Reason string }
	if err := json.Unmarshal([]byte(body), &imported); err != nil || len(imported) == 0 {
		t.Fatalf("import audit: %s", body)
	}
	for _, e := range imported {
		if e.Reason != "move to charter" {
			t.Errorf("an imported version without the reason: %s", body)
			break
		}
	}
}
