package annotation

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// sample covers what printers must handle: positions present and absent,
// several annotations in one file, a passing file, and characters that
// every format escapes differently.
func sample() Set {
	s := Set{
		Files: []string{"proto/orders.proto", "schemas/orders.avsc", "schemas/customer.schema.json", "schemas/ok.avsc"},
		Annotations: []Annotation{
			{File: "schemas/customer.schema.json", Line: 5, Column: 12, Rule: "TYPE_NARROWED", Message: "the type was narrowed from number to integer (at #/properties/qty)", Subject: "customer-value", Level: "BACKWARD", Path: "#/properties/qty", Against: "git:HEAD~1"},
			{File: "proto/orders.proto", Line: 6, Column: 3, Rule: "FIELD_WIRE_COMPATIBLE_TYPE", Message: `Field "2" with name "qty" on message "Order" changed type from "int32" to "string", which is not wire compatible.`, Subject: "orders-value", Level: "BACKWARD", Path: "#/Order/2", Against: "version 1"},
			{File: "schemas/orders.avsc", Line: 4, Column: 3, Rule: "READER_FIELD_MISSING_DEFAULT_VALUE", Message: "The field 'amount' at path '/fields/1' in the new schema has no default value and is missing in the old schema", Subject: "orders-value", Level: "FULL", Path: "/fields/1"},
			{File: "schemas/orders.avsc", Rule: "INVALID_SCHEMA", Message: "100% broken,\nsee: line two"},
		},
	}
	s.Sort()
	return s
}

// withInfo is sample with what the checker knows of each file, and a new
// subject that only gets a note.
func withInfo() Set {
	s := sample()
	s.Files = append(s.Files, "schemas/new.avsc")
	s.Annotations = append(s.Annotations, Annotation{File: "schemas/new.avsc", Rule: RuleNewSubject, Severity: SeverityInfo,
		Message: "new subject new-value: nothing registered to compare with | yet", Subject: "new-value", Level: "BACKWARD"})
	s.Info = map[string]FileInfo{
		"proto/orders.proto":           {Subject: "orders-value", Level: "BACKWARD", Against: "http://registry"},
		"schemas/orders.avsc":          {Subject: "orders-value", Level: "FULL", Against: "http://registry"},
		"schemas/customer.schema.json": {Subject: "customer-value", Level: "BACKWARD", Against: "http://registry"},
		"schemas/ok.avsc":              {Subject: "ok-value", Level: "BACKWARD", Against: "http://registry"},
		"schemas/new.avsc":             {Subject: "new-value", Level: "BACKWARD", Against: "http://registry"},
	}
	s.Sort()
	s.Sort()
	return s
}

func TestPrintGolden(t *testing.T) {
	cases := []struct {
		name string
		f    Format
		opts Options
		set  Set
	}{
		{"text.txt", Text, Options{}, sample()},
		{"text-color.txt", Text, Options{Color: true}, sample()},
		{"json.json", JSON, Options{}, sample()},
		{"github-actions.txt", GitHubActions, Options{}, sample()},
		{"junit.xml", JUnit, Options{}, sample()},
		{"markdown.md", Markdown, Options{}, withInfo()},
		{"gitlab-code-quality.json", GitLabCodeQuality, Options{}, withInfo()},
		{"new-subject-text.txt", Text, Options{}, withInfo()},
		{"new-subject-json.json", JSON, Options{}, withInfo()},
		{"new-subject-github-actions.txt", GitHubActions, Options{}, withInfo()},
		{"new-subject-junit.xml", JUnit, Options{}, withInfo()},
		{"empty-markdown.md", Markdown, Options{}, Set{Files: []string{"a.avsc"}}},
		{"empty-gitlab-code-quality.json", GitLabCodeQuality, Options{}, Set{Files: []string{"a.avsc"}}},
		{"empty-text.txt", Text, Options{}, Set{Files: []string{"a.avsc"}}},
		{"empty-json.json", JSON, Options{}, Set{Files: []string{"a.avsc"}}},
		{"empty-github-actions.txt", GitHubActions, Options{}, Set{Files: []string{"a.avsc"}}},
		{"empty-junit.xml", JUnit, Options{}, Set{Files: []string{"a.avsc"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Print(&b, c.f, c.set, c.opts); err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("testdata", c.name), b.Bytes())
		})
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test -update after checking the change):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestTextHasNoColourUnlessAsked(t *testing.T) {
	var plain, colour bytes.Buffer
	if err := Print(&plain, Text, sample(), Options{}); err != nil {
		t.Fatal(err)
	}
	if err := Print(&colour, Text, sample(), Options{Color: true}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain.String(), "\x1b[") {
		t.Errorf("plain text holds escape sequences:\n%q", plain.String())
	}
	if !strings.Contains(colour.String(), "\x1b[31mTYPE_NARROWED\x1b[0m") {
		t.Errorf("coloured text does not paint the rule id:\n%q", colour.String())
	}
}

func TestGitHubActionsCommandShape(t *testing.T) {
	var b bytes.Buffer
	if err := Print(&b, GitHubActions, sample(), Options{}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != len(sample().Annotations) {
		t.Fatalf("got %d commands for %d annotations:\n%s", len(lines), len(sample().Annotations), b.String())
	}
	want := "::error file=proto/orders.proto,line=6,col=3,title=FIELD_WIRE_COMPATIBLE_TYPE::Field \"2\""
	if !strings.HasPrefix(lines[0], want) {
		t.Errorf("first command\n got %s\nwant prefix %s", lines[0], want)
	}
	// A message with a newline stays on one command line; the position
	// is left out when unknown.
	// Sorting puts the file-level annotation before the positioned one.
	if !strings.Contains(b.String(), "\n::error file=schemas/orders.avsc,title=INVALID_SCHEMA::100%25 broken,%0Asee: line two\n") {
		t.Errorf("escaping:\n%s", b.String())
	}
}

func TestJSONAndJUnitParse(t *testing.T) {
	var j, x bytes.Buffer
	if err := Print(&j, JSON, sample(), Options{}); err != nil {
		t.Fatal(err)
	}
	var back []Annotation
	if err := json.Unmarshal(j.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	// Every entry carries its severity; the zero value comes back as
	// "error", which it means.
	want := sample().Annotations[0]
	want.Severity = SeverityError
	if len(back) != len(sample().Annotations) || back[0] != want {
		t.Errorf("JSON does not round-trip: %+v", back)
	}
	for _, a := range back {
		if a.Severity != SeverityError && a.Severity != SeverityInfo {
			t.Errorf("JSON entry without a severity: %+v", a)
		}
	}
	if err := Print(&x, JUnit, sample(), Options{}); err != nil {
		t.Fatal(err)
	}
	var suites junitSuites
	if err := xml.Unmarshal(x.Bytes(), &suites); err != nil {
		t.Fatal(err)
	}
	if suites.Failures != 4 || suites.Tests != 5 || len(suites.Suites) != 4 {
		t.Errorf("junit counts: tests %d failures %d suites %d", suites.Tests, suites.Failures, len(suites.Suites))
	}
}

func TestParseFormat(t *testing.T) {
	for _, f := range Formats() {
		got, err := ParseFormat(strings.ToUpper(string(f)))
		if err != nil || got != f {
			t.Errorf("ParseFormat(%q) = %q, %v", f, got, err)
		}
	}
	if _, err := ParseFormat("gcc"); err == nil || !strings.Contains(err.Error(), "junit, markdown or gitlab-code-quality") {
		t.Error("ParseFormat accepted gcc")
	}
}

// TestGitLabReportShape: every annotation is one issue with the fields
// GitLab reads, a note is "info", and fingerprints are unique.
func TestGitLabReportShape(t *testing.T) {
	var b bytes.Buffer
	if err := Print(&b, GitLabCodeQuality, withInfo(), Options{}); err != nil {
		t.Fatal(err)
	}
	var issues []struct {
		Description           string
		CheckName             string `json:"check_name"`
		Fingerprint, Severity string
		Location              struct {
			Path  string
			Lines struct{ Begin int }
		}
	}
	if err := json.Unmarshal(b.Bytes(), &issues); err != nil {
		t.Fatal(err)
	}
	if len(issues) != len(withInfo().Annotations) {
		t.Fatalf("%d issues for %d annotations", len(issues), len(withInfo().Annotations))
	}
	seen := map[string]bool{}
	for _, is := range issues {
		if is.Location.Path == "" || is.Location.Lines.Begin < 1 || is.Fingerprint == "" || seen[is.Fingerprint] {
			t.Errorf("bad issue %+v", is)
		}
		seen[is.Fingerprint] = true
		if want := map[bool]string{true: "info", false: "major"}[is.CheckName == RuleNewSubject]; is.Severity != want {
			t.Errorf("%s: severity %s, want %s", is.CheckName, is.Severity, want)
		}
	}
}

// TestNewSubjectIsANoteEverywhere: the new subject shows in every
// format, and does not count as a failure.
func TestNewSubjectIsANoteEverywhere(t *testing.T) {
	set := withInfo()
	if set.Failures() != len(set.Annotations)-1 {
		t.Errorf("failures %d of %d annotations", set.Failures(), len(set.Annotations))
	}
	for _, f := range Formats() {
		var b bytes.Buffer
		if err := Print(&b, f, set, Options{}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), "new subject") {
			t.Errorf("%s does not report the new subject:\n%s", f, b.String())
		}
	}
}

// A report on one failing file says so in the singular.
func TestMarkdownOneFailingFile(t *testing.T) {
	var b bytes.Buffer
	set := Set{Files: []string{"a.avsc"}, Annotations: []Annotation{{File: "a.avsc", Rule: "INVALID_SCHEMA", Message: "broken"}}}
	if err := Print(&b, Markdown, set, Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "**The schema file fails the check.**") || strings.Contains(b.String(), "1 of 1") {
		t.Errorf("one failing file:\n%s", b.String())
	}
}
