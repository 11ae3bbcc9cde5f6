package annotation

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// Format is an output format for a Set.
type Format string

// The output formats.
const (
	Text          Format = "text"
	JSON          Format = "json"
	GitHubActions Format = "github-actions"
	JUnit         Format = "junit"
	// Markdown is a summary table for a pull-request comment.
	Markdown Format = "markdown"
	// GitLabCodeQuality is GitLab's Code Quality report (a JSON array).
	GitLabCodeQuality Format = "gitlab-code-quality"
)

// Formats lists every output format, for help texts and validation.
func Formats() []Format {
	return []Format{Text, JSON, GitHubActions, JUnit, Markdown, GitLabCodeQuality}
}

// FormatNames is the list of format names for messages: "text, json, …".
func FormatNames() string {
	names := make([]string, 0, len(Formats()))
	for _, f := range Formats() {
		names = append(names, string(f))
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// ParseFormat accepts an output format name.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats() {
		if string(f) == strings.ToLower(strings.TrimSpace(s)) {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown output format %q: use %s", s, FormatNames())
}

// Options tune printing.
type Options struct {
	// Color adds ANSI colours to Text output. Set it only when writing to a
	// terminal.
	Color bool
	// Lint says the set holds lint findings (charter lint) rather than
	// compatibility problems: the Markdown and JUnit reports are titled
	// "charter lint" and call a file "clean" or "findings".
	Lint bool
}

// title is the report's name, and verdict relabels a file's verdict, for
// the command that made the set.
func (o Options) title() string {
	if o.Lint {
		return "charter lint"
	}
	return "charter check"
}

func (o Options) verdict(v string) string {
	if !o.Lint {
		return v
	}
	switch v {
	case VerdictBreaking:
		return "findings"
	case VerdictInvalid:
		return v
	}
	return "clean"
}

// Print writes set to w in format f.
func Print(w io.Writer, f Format, set Set, opts Options) error {
	switch f {
	case Text:
		return printText(w, set, opts.Color)
	case JSON:
		return printJSON(w, set)
	case GitHubActions:
		return printGitHub(w, set)
	case JUnit:
		return printJUnit(w, set, opts)
	case Markdown:
		return printMarkdown(w, set, opts)
	case GitLabCodeQuality:
		return printGitLab(w, set)
	}
	return fmt.Errorf("unknown output format %q", f)
}

const (
	bold  = "\x1b[1m"
	red   = "\x1b[31m"
	dim   = "\x1b[2m"
	reset = "\x1b[0m"
)

// printText writes one line per annotation, gcc-style so editors and
// terminals can jump to the location:
//
//	schemas/orders.avsc:6:5: READER_FIELD_MISSING_DEFAULT_VALUE: message (orders-value, FULL)
func printText(w io.Writer, set Set, color bool) error {
	var b strings.Builder
	paint := func(code, s string) string {
		if !color {
			return s
		}
		return code + s + reset
	}
	for _, a := range set.Annotations {
		b.WriteString(paint(bold, a.Location()))
		b.WriteString(": ")
		if a.Fails() {
			b.WriteString(paint(red, a.Rule))
		} else {
			b.WriteString(a.Rule)
		}
		b.WriteString(": ")
		b.WriteString(oneLine(a.Message))
		if ctx := suffix(a); ctx != "" {
			b.WriteString(" ")
			b.WriteString(paint(dim, "("+ctx+")"))
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// suffix is the subject, level and baseline of an annotation, for text.
func suffix(a Annotation) string {
	var parts []string
	if a.Subject != "" {
		parts = append(parts, "subject "+a.Subject)
	}
	if a.Level != "" {
		parts = append(parts, a.Level)
	}
	if a.Against != "" {
		parts = append(parts, "against "+a.Against)
	}
	return strings.Join(parts, ", ")
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// printJSON writes the annotations as one JSON array, [] when there are
// none, so that tools can always parse the output. Every entry has its
// severity, "error" or "info".
func printJSON(w io.Writer, set Set) error {
	list := make([]Annotation, len(set.Annotations))
	for i, a := range set.Annotations {
		if a.Severity == "" {
			a.Severity = SeverityError
		}
		list[i] = a
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(list)
}

// printGitHub writes GitHub Actions workflow commands, which the runner
// turns into annotations on the pull request's changed lines:
//
//	::error file=F,line=L,col=C,title=RULE::message
func printGitHub(w io.Writer, set Set) error {
	var b strings.Builder
	for _, a := range set.Annotations {
		if a.Fails() {
			b.WriteString("::error file=")
		} else {
			b.WriteString("::notice file=")
		}
		b.WriteString(escapeProperty(a.File))
		if a.Line > 0 {
			fmt.Fprintf(&b, ",line=%d", a.Line)
			if a.Column > 0 {
				fmt.Fprintf(&b, ",col=%d", a.Column)
			}
		}
		b.WriteString(",title=")
		b.WriteString(escapeProperty(a.Rule))
		b.WriteString("::")
		msg := a.Message
		if ctx := suffix(a); ctx != "" {
			msg += " (" + ctx + ")"
		}
		b.WriteString(escapeData(msg))
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// escapeData escapes a workflow command's message the way the Actions
// runner unescapes it.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a workflow command's property value, where ':'
// and ',' are separators.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// printJUnit writes a JUnit XML report: one test suite per file, one
// failing test case per annotation, and one passing case for a file with
// no annotations, so CI dashboards count checked files too.
func printJUnit(w io.Writer, set Set, opts Options) error {
	files, groups := set.byFile()
	out := junitSuites{Name: opts.title()}
	for _, f := range files {
		s := junitSuite{Name: f}
		anns := groups[f]
		failing := 0
		for _, a := range anns {
			if a.Fails() {
				failing++
			}
		}
		if failing == 0 {
			c := junitCase{Name: opts.verdict("compatible"), ClassName: f}
			for _, a := range anns {
				c.Name = opts.verdict(set.Verdict(f, anns))
				c.SystemOut += a.Location() + ": " + a.Rule + ": " + oneLine(a.Message) + "\n"
			}
			s.Cases = append(s.Cases, c)
		}
		for _, a := range anns {
			if !a.Fails() {
				continue
			}
			name := a.Rule
			if a.Line > 0 {
				name = fmt.Sprintf("%s:%d:%d", a.Rule, a.Line, a.Column)
			}
			class := f
			if a.Subject != "" {
				class = a.Subject
			}
			text := a.Location() + ": " + a.Message
			if ctx := suffix(a); ctx != "" {
				text += " (" + ctx + ")"
			}
			s.Cases = append(s.Cases, junitCase{Name: name, ClassName: class, Failure: &junitFailure{Message: oneLine(a.Message), Type: a.Rule, Text: text}})
			s.Failures++
		}
		s.Tests = len(s.Cases)
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Suites = append(out.Suites, s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
