package annotation

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Annotation is one problem in one schema file: a compatibility violation
// against an earlier version, or a schema that does not parse.
type Annotation struct {
	// File is the schema file's path, relative to the directory that holds
	// charter.yaml, with forward slashes.
	File string `json:"file"`
	// Line and Column are 1-based; zero when the problem has no position
	// in the file (the whole file is meant).
	Line   int `json:"line,omitempty"`
	Column int `json:"column,omitempty"`
	// Rule is the rule id, such as FIELD_WIRE_COMPATIBLE_TYPE or
	// INVALID_SCHEMA.
	Rule string `json:"rule"`
	// Message says in words what broke.
	Message string `json:"message"`
	// Subject is the registry subject the file maps to.
	Subject string `json:"subject,omitempty"`
	// Level is the compatibility level the file was checked at; empty for
	// a parse error.
	Level string `json:"level,omitempty"`
	// Path locates the change inside the schema in the format's own terms
	// (/fields/1, #/Order/2, #/properties/qty); empty when unknown.
	Path string `json:"path,omitempty"`
	// Against names what the file was compared with: git:REF or
	// "version N".
	Against string `json:"against,omitempty"`
	// Severity is empty (or SeverityError) for a problem that fails the
	// check, SeverityInfo for a note that does not, such as a new subject.
	// The JSON output always carries it: "error" or "info".
	Severity Severity `json:"severity,omitempty"`
}

// Severity says whether an annotation fails the check.
type Severity string

// The severities. The zero value is an error, so that an annotation made
// without thinking about severity fails the check.
const (
	SeverityError Severity = "error"
	SeverityInfo  Severity = "info"
)

// Fails reports whether the annotation fails the check.
func (a Annotation) Fails() bool { return a.Severity != SeverityInfo }

// RuleNewSubject is the rule id of the note on a file whose subject has
// nothing registered (or nothing at the git revision) to compare with.
const RuleNewSubject = "NEW_SUBJECT"

// Location renders file:line:column, leaving out what is unknown.
func (a Annotation) Location() string {
	switch {
	case a.Line > 0 && a.Column > 0:
		return fmt.Sprintf("%s:%d:%d", a.File, a.Line, a.Column)
	case a.Line > 0:
		return fmt.Sprintf("%s:%d", a.File, a.Line)
	default:
		return a.File
	}
}

// Set is the outcome of one check: every file that was checked, so that
// reports can list passing files too, and the annotations found.
type Set struct {
	Files       []string
	Annotations []Annotation
	// Info describes each checked file, keyed like Files, for the
	// summaries that list passing files too; a file may be missing.
	Info map[string]FileInfo
}

// FileInfo is what a file was checked as.
type FileInfo struct {
	Subject string `json:"subject,omitempty"`
	// Level is the compatibility level in force; empty when the file was
	// only parsed.
	Level string `json:"level,omitempty"`
	// Against names the baseline: git:REF, the registry's URL, or empty
	// when the file was only parsed.
	Against string `json:"against,omitempty"`
}

// Failures counts the annotations that fail the check.
func (s Set) Failures() int {
	n := 0
	for _, a := range s.Annotations {
		if a.Fails() {
			n++
		}
	}
	return n
}

// Verdicts of a file, as the summaries print them.
const (
	VerdictBreaking   = "breaking"
	VerdictInvalid    = "invalid"
	VerdictNewSubject = "new subject"
	VerdictCompatible = "compatible"
	VerdictParsed     = "parsed"
)

// Verdict sums up one file's annotations: invalid when it does not parse,
// breaking when any other annotation fails, new subject when there was
// nothing to compare with, compatible otherwise (parsed when it was
// compared with nothing at all).
func (s Set) Verdict(file string, anns []Annotation) string {
	verdict := VerdictCompatible
	if s.Info[file].Against == "" {
		verdict = VerdictParsed
	}
	for _, a := range anns {
		switch {
		case a.Fails() && a.Rule == "INVALID_SCHEMA":
			return VerdictInvalid
		case a.Fails():
			verdict = VerdictBreaking
		case a.Rule == RuleNewSubject && verdict != VerdictBreaking:
			verdict = VerdictNewSubject
		}
	}
	return verdict
}

// Sort orders annotations by file, line, column, rule and message, and the
// file list by name, so that output does not depend on the order in which
// files were checked.
func (s *Set) Sort() {
	slices.Sort(s.Files)
	s.Files = slices.Compact(s.Files)
	slices.SortStableFunc(s.Annotations, func(a, b Annotation) int {
		return cmp.Or(
			strings.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Column, b.Column),
			strings.Compare(a.Rule, b.Rule),
			strings.Compare(a.Message, b.Message),
		)
	})
}

// byFile groups annotations by file, in the order of Files followed by any
// annotated file missing from Files.
func (s Set) byFile() ([]string, map[string][]Annotation) {
	groups := map[string][]Annotation{}
	files := slices.Clone(s.Files)
	for _, a := range s.Annotations {
		if _, ok := groups[a.File]; !ok && !slices.Contains(files, a.File) {
			files = append(files, a.File)
		}
		groups[a.File] = append(groups[a.File], a)
	}
	return files, groups
}
