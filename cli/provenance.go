package cli

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/charter-registry/charter/contracts/client"
)

// change is the provenance a command sends with its writes.
type change struct {
	reason string
	link   string
}

// changeFlags are --reason and --link, which every command that writes to
// a registry takes, with their variables.
type changeFlags struct {
	reason string
	link   string
}

func (f *changeFlags) bind(fs *pflag.FlagSet, what string) {
	fs.StringVar(&f.reason, "reason", "", "why "+what+", stored in the audit entry of each write (default in GitHub Actions: the pull request, commit and run)")
	fs.StringVar(&f.link, "link", "", "URL of where the change was decided, e.g. the pull request, stored in each audit entry (default in GitHub Actions: the pull request's URL, else the run's)")
	withEnv(fs, "reason", "CHARTER_CHANGE_REASON")
	withEnv(fs, "link", "CHARTER_CHANGE_LINK")
}

// resolve completes the flags from a GitHub Actions run's environment
// where they are unset, and checks the link.
func (f *changeFlags) resolve(getenv func(string) string) (change, error) {
	ch := change{reason: f.reason, link: f.link}
	gh, inActions, err := githubChange(getenv)
	if err != nil {
		return change{}, err
	}
	if inActions {
		if ch.reason == "" {
			ch.reason = gh.reason
		}
		if ch.link == "" {
			ch.link = gh.link
		}
	}
	ch.reason = oneLineReason(ch.reason)
	if ch.link != "" {
		if u, err := url.Parse(ch.link); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
			return change{}, usageErr("--link %q: give an absolute http:// or https:// URL without credentials", ch.link)
		}
	}
	return ch, nil
}

// opt is the client option that sends the change with every write.
func (c change) opt() client.Opt { return client.Change(c.reason, c.link) }

// maxReason matches the registry's limit on a change reason, in bytes.
const maxReason = 1024

// githubEvent is the part of a GitHub Actions event payload
// (GITHUB_EVENT_PATH) that names a pull request or a pushed commit.
type githubEvent struct {
	Number      int `json:"number"`
	PullRequest *struct {
		Number  int    `json:"number"`
		HTMLURL string `json:"html_url"`
		Title   string `json:"title"`
	} `json:"pull_request"`
	HeadCommit *struct {
		Message string `json:"message"`
	} `json:"head_commit"`
}

var (
	// A merge commit says "Merge pull request #42 from ..."; a squash
	// merge ends its first line with "(#42)".
	mergeMessage  = regexp.MustCompile(`^Merge pull request #([0-9]+)\b`)
	squashMessage = regexp.MustCompile(`\(#([0-9]+)\)\s*$`)
	pullRef       = regexp.MustCompile(`^refs/pull/([0-9]+)/`)
)

// githubChange derives a change from a GitHub Actions run's environment:
// the pull request (from the event payload, the ref, or the merge
// commit's message), the commit and the run. The link is the pull
// request's URL, else the run's. ok is false outside GitHub Actions.
func githubChange(getenv func(string) string) (c change, ok bool, err error) {
	if getenv("GITHUB_ACTIONS") != "true" {
		return change{}, false, nil
	}
	server := strings.TrimRight(getenv("GITHUB_SERVER_URL"), "/")
	repo := getenv("GITHUB_REPOSITORY")
	var ev githubEvent
	if p := getenv("GITHUB_EVENT_PATH"); p != "" {
		b, err := os.ReadFile(p)
		if err != nil {
			return change{}, true, fmt.Errorf("GITHUB_EVENT_PATH: %w", err)
		}
		if err := json.Unmarshal(b, &ev); err != nil {
			return change{}, true, fmt.Errorf("GITHUB_EVENT_PATH %s: %w", p, err)
		}
	}
	pr, prURL, title := 0, "", ""
	subject := ""
	if ev.HeadCommit != nil {
		subject, _, _ = strings.Cut(ev.HeadCommit.Message, "\n")
		subject = strings.TrimSpace(subject)
	}
	switch {
	case ev.PullRequest != nil && ev.PullRequest.Number > 0:
		pr, prURL, title = ev.PullRequest.Number, ev.PullRequest.HTMLURL, ev.PullRequest.Title
	case ev.Number > 0:
		pr = ev.Number
	}
	for _, m := range [][]string{pullRef.FindStringSubmatch(getenv("GITHUB_REF")), mergeMessage.FindStringSubmatch(subject), squashMessage.FindStringSubmatch(subject)} {
		if pr == 0 && m != nil {
			pr, _ = strconv.Atoi(m[1])
		}
	}
	if pr > 0 && prURL == "" && server != "" && repo != "" {
		prURL = fmt.Sprintf("%s/%s/pull/%d", server, repo, pr)
	}
	runURL := ""
	if id := getenv("GITHUB_RUN_ID"); id != "" && server != "" && repo != "" {
		runURL = fmt.Sprintf("%s/%s/actions/runs/%s", server, repo, id)
	}
	var parts []string
	if title == "" {
		title = subject
	}
	if title != "" {
		parts = append(parts, title)
	}
	if pr > 0 {
		parts = append(parts, fmt.Sprintf("pull request #%d", pr))
	}
	if sha := getenv("GITHUB_SHA"); sha != "" {
		parts = append(parts, "commit "+sha)
	}
	if runURL != "" {
		parts = append(parts, "run "+runURL)
	}
	c.reason = strings.Join(parts, "; ")
	c.link = prURL
	if c.link == "" {
		c.link = runURL
	}
	return c, true, nil
}

// oneLineReason makes a reason fit a header: one line, within the
// registry's limit (cut at a rune boundary).
func oneLineReason(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= maxReason {
		return s
	}
	cut := maxReason - len("…")
	for cut > 0 && !utf8RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
