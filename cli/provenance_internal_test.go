package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGitHubChange derives the pull request, commit and run from a GitHub
// Actions environment, for pull-request and push (merge) events.
func TestGitHubChange(t *testing.T) {
	dir := t.TempDir()
	event := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	base := map[string]string{
		"GITHUB_ACTIONS": "true", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/schemas",
		"GITHUB_RUN_ID": "99", "GITHUB_SHA": "0123abcd",
	}
	run := "https://github.com/acme/schemas/actions/runs/99"
	cases := []struct {
		name      string
		env       map[string]string
		reason    string
		link      string
		inActions bool
	}{
		{"not in GitHub Actions", map[string]string{"GITHUB_ACTIONS": ""}, "", "", false},
		{"pull request event", map[string]string{"GITHUB_EVENT_PATH": event("pr.json", `{"number":7,"pull_request":{"number":7,"html_url":"https://github.com/acme/schemas/pull/7","title":"Add a discount"}}`), "GITHUB_REF": "refs/pull/7/merge"},
			"Add a discount; pull request #7; commit 0123abcd; run " + run, "https://github.com/acme/schemas/pull/7", true},
		{"push of a merge commit", map[string]string{"GITHUB_EVENT_PATH": event("merge.json", `{"head_commit":{"message":"Merge pull request #12 from acme/discount\n\nAdd a discount"}}`), "GITHUB_REF": "refs/heads/main"},
			"Merge pull request #12 from acme/discount; pull request #12; commit 0123abcd; run " + run, "https://github.com/acme/schemas/pull/12", true},
		{"push of a squash merge", map[string]string{"GITHUB_EVENT_PATH": event("squash.json", `{"head_commit":{"message":"Add a discount (#13)\n\n* wip"}}`)},
			"Add a discount (#13); pull request #13; commit 0123abcd; run " + run, "https://github.com/acme/schemas/pull/13", true},
		{"push without a pull request", map[string]string{"GITHUB_EVENT_PATH": event("push.json", `{"head_commit":{"message":"hotfix"}}`)},
			"hotfix; commit 0123abcd; run " + run, run, true},
		{"ref only", map[string]string{"GITHUB_REF": "refs/pull/5/merge"},
			"pull request #5; commit 0123abcd; run " + run, "https://github.com/acme/schemas/pull/5", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range base {
				env[k] = v
			}
			for k, v := range c.env {
				env[k] = v
			}
			got, in, err := githubChange(func(k string) string { return env[k] })
			if err != nil || in != c.inActions || got.reason != c.reason || got.link != c.link {
				t.Errorf("got %+v in=%v err=%v\nwant reason %q link %q", got, in, err, c.reason, c.link)
			}
		})
	}
	if _, _, err := githubChange(func(k string) string {
		return map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_EVENT_PATH": "/no/such/event.json"}[k]
	}); err == nil || !strings.Contains(err.Error(), "GITHUB_EVENT_PATH") {
		t.Errorf("unreadable event: %v", err)
	}
}

func TestOneLineReason(t *testing.T) {
	if got := oneLineReason("a\n  b\tc"); got != "a b c" {
		t.Errorf("%q", got)
	}
	long := oneLineReason(strings.Repeat("é", 1000))
	if len(long) > maxReason || !strings.HasSuffix(long, "…") || !strings.HasPrefix(long, "éé") {
		t.Errorf("len %d: %q", len(long), long[len(long)-8:])
	}
}
