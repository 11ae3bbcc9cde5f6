package annotation

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// printMarkdown writes a summary for a pull-request comment: a headline,
// then one table row per checked file with its subject, level, verdict and
// every annotation on it.
func printMarkdown(w io.Writer, set Set, opts Options) error {
	files, groups := set.byFile()
	var b strings.Builder
	breaking := 0
	for _, f := range files {
		if v := set.Verdict(f, groups[f]); v == VerdictBreaking || v == VerdictInvalid {
			breaking++
		}
	}
	b.WriteString("### " + opts.title() + "\n\n")
	switch {
	case breaking > 0 && len(files) == 1:
		fmt.Fprintf(&b, "**The schema file fails the %s.**\n\n", strings.TrimPrefix(opts.title(), "charter "))
	case breaking > 0:
		fmt.Fprintf(&b, "**%d of %d schema files fail the %s.**\n\n", breaking, len(files), strings.TrimPrefix(opts.title(), "charter "))
	case len(files) == 1:
		b.WriteString("The schema file passes.\n\n")
	default:
		fmt.Fprintf(&b, "All %d schema files pass.\n\n", len(files))
	}
	b.WriteString("| File | Subject | Level | Verdict | Changes |\n")
	b.WriteString("|---|---|---|---|---|\n")
	for _, f := range files {
		anns := groups[f]
		info := set.Info[f]
		subject, level := info.Subject, info.Level
		var changes []string
		for _, a := range anns {
			if subject == "" {
				subject = a.Subject
			}
			if level == "" {
				level = a.Level
			}
			c := "`" + a.Rule + "`"
			if a.Line > 0 {
				c += fmt.Sprintf(" (line %d)", a.Line)
			}
			c += ": " + oneLine(a.Message)
			if a.Against != "" {
				c += " (against " + a.Against + ")"
			}
			changes = append(changes, c)
		}
		v := set.Verdict(f, anns)
		verdict := opts.verdict(v)
		if v == VerdictBreaking || v == VerdictInvalid {
			verdict = "**" + verdict + "**"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", cell("`"+f+"`"), cell(subject), cell(level), verdict, cell(strings.Join(changes, "\n")))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// cell escapes text for one Markdown table cell: a pipe would end the
// cell and a newline the row.
func cell(s string) string {
	if s == "" || s == "``" {
		return "-"
	}
	s = strings.ReplaceAll(s, "|", `\|`)
	s = strings.ReplaceAll(s, "\r", "")
	return strings.ReplaceAll(s, "\n", "<br>")
}

// gitlabIssue is one entry of GitLab's Code Quality report.
type gitlabIssue struct {
	Description string         `json:"description"`
	CheckName   string         `json:"check_name"`
	Fingerprint string         `json:"fingerprint"`
	Severity    string         `json:"severity"`
	Location    gitlabLocation `json:"location"`
}

type gitlabLocation struct {
	Path  string      `json:"path"`
	Lines gitlabLines `json:"lines"`
}

type gitlabLines struct {
	Begin int `json:"begin"`
}

// printGitLab writes GitLab's Code Quality report: a JSON array of issues,
// [] when there are none. A failing annotation is "major", a note "info".
// The fingerprint hashes what identifies the problem (file, rule, path
// and message, not the line), so GitLab can tell a fixed problem from a
// moved one.
func printGitLab(w io.Writer, set Set) error {
	out := make([]gitlabIssue, 0, len(set.Annotations))
	for _, a := range set.Annotations {
		sev := "major"
		if !a.Fails() {
			sev = "info"
		}
		desc := oneLine(a.Message)
		if ctx := suffix(a); ctx != "" {
			desc += " (" + ctx + ")"
		}
		h := sha256.Sum256([]byte(strings.Join([]string{a.File, a.Rule, a.Path, a.Subject, a.Against, a.Message}, "\x00")))
		line := a.Line
		if line < 1 {
			line = 1
		}
		out = append(out, gitlabIssue{
			Description: desc, CheckName: a.Rule, Fingerprint: hex.EncodeToString(h[:16]), Severity: sev,
			Location: gitlabLocation{Path: a.File, Lines: gitlabLines{Begin: line}},
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
