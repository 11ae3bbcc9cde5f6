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
		"--reason", "first schemas", "--link", "https://tickets.example.com/SCHEMA-1")
	if r.code != 0 || !strings.Contains(r.stderr, `recorded with reason "first schemas"`) {
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
		if e.Reason != "first schemas" || e.Link != "https://tickets.example.com/SCHEMA-1" {
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
