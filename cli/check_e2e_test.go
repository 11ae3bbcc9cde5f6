package cli_test

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// ghAnnotation is one parsed GitHub Actions workflow command.
type ghAnnotation struct {
	file, rule, msg string
	line, col       int
}

var ghCommand = regexp.MustCompile(`^::(error|notice) file=([^,]+)(?:,line=(\d+))?(?:,col=(\d+))?,title=([^:]+)::(.*)$`)

func parseGitHub(t *testing.T, out string) []ghAnnotation {
	t.Helper()
	var anns []ghAnnotation
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l == "" {
			continue
		}
		m := ghCommand.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("not a workflow command: %q", l)
		}
		if m[1] == "notice" {
			continue // a compatible change or a new subject: not a failure
		}
		line, _ := strconv.Atoi(m[3])
		col, _ := strconv.Atoi(m[4])
		anns = append(anns, ghAnnotation{file: m[2], line: line, col: col, rule: m[5], msg: m[6]})
	}
	sort.Slice(anns, func(i, j int) bool { return anns[i].file < anns[j].file })
	return anns
}

// wantBreaking is what commit 3 breaks, each on the file and line where
// it broke: the removed Avro field on its record's field list (the field
// itself is gone), the Protobuf field whose type changed, and the JSON
// property whose type was narrowed.
func wantBreaking(t *testing.T) []ghAnnotation {
	return []ghAnnotation{
		{file: "avro/orders.avsc", rule: "READER_FIELD_MISSING_DEFAULT_VALUE", line: lineOf(t, "3", "avro/orders.avsc", `"fields": [`)},
		{file: "json/customer.schema.json", rule: "TYPE_NARROWED", line: lineOf(t, "3", "json/customer.schema.json", `"score": {"type": "integer"}`)},
		{file: "proto/acme/payment.proto", rule: "FIELD_WIRE_COMPATIBLE_TYPE", line: lineOf(t, "3", "proto/acme/payment.proto", "string amount = 2;")},
	}
}

func assertBreaking(t *testing.T, out string) {
	t.Helper()
	got := parseGitHub(t, out)
	want := wantBreaking(t)
	if len(got) != len(want) {
		t.Fatalf("got %d annotations, want %d (one per broken file):\n%s", len(got), len(want), out)
	}
	for i, w := range want {
		g := got[i]
		if g.file != w.file || g.rule != w.rule || g.line != w.line || g.col <= 0 {
			t.Errorf("annotation %d: got %s:%d:%d %s, want %s:%d %s", i, g.file, g.line, g.col, g.rule, w.file, w.line, w.rule)
		}
		if g.msg == "" {
			t.Errorf("annotation %d has no message", i)
		}
	}
}

// TestCheckAgainstGit is the offline flow a pull request runs: a first
// commit with Avro, Protobuf and JSON Schema files (with references
// between files of each format), a compatible change to each, then a
// breaking change to each.
func TestCheckAgainstGit(t *testing.T) {
	repo := newGitRepo(t)
	repo.commit("1", "Avro, Protobuf and JSON schemas")

	r := charterRun(t, "check", "--config", repo.config(), "--parse-only")
	if r.code != 0 || !strings.Contains(r.stderr, "checked against nothing (parse only)") {
		t.Fatalf("parse-only check of commit 1: %s", r)
	}

	repo.commit("2", "a compatible change to each")
	r = charterRun(t, "check", "--config", repo.config(), "--against", "git:HEAD~1")
	if r.code != 0 {
		t.Fatalf("compatible commit: %s", r)
	}
	if !strings.Contains(r.stderr, "6 schema files checked against git:HEAD~1, no problems") {
		t.Errorf("summary: %s", r)
	}
	// Every change is listed, the compatible ones as notes.
	r = charterRun(t, "check", "--config", repo.config(), "--against", "git:HEAD~1", "--format", "github-actions")
	if r.code != 0 || !strings.Contains(r.stdout, "::notice file=avro/orders.avsc,line=") || !strings.Contains(r.stdout, "title=FIELD_ADDED_WITH_DEFAULT::compatible change: ") ||
		!strings.Contains(r.stdout, "title=FIELD_ADDED::compatible change: ") || strings.Contains(r.stdout, "::error") {
		t.Errorf("compatible changes as notes: %s", r)
	}

	repo.commit("3", "a breaking change to each")
	r = charterRun(t, "check", "--config", repo.config(), "--against", "git:HEAD~1", "--format", "github-actions")
	if r.code != 100 {
		t.Fatalf("breaking commit: want exit 100, %s", r)
	}
	assertBreaking(t, r.stdout)

	// Every output format, from the same annotations.
	for _, f := range []struct{ format, golden string }{
		{"text", "check-git.txt"},
		{"json", "check-git.json"},
		{"github-actions", "check-git.github-actions.txt"},
		{"junit", "check-git.junit.xml"},
	} {
		t.Run(f.format, func(t *testing.T) {
			r := charterRun(t, "check", "--config", repo.config(), "--against", "git:HEAD~1", "--format", f.format)
			if r.code != 100 {
				t.Fatalf("want exit 100, %s", r)
			}
			golden(t, f.golden, r.stdout)
		})
	}

	// The summary counts in the singular when there is one.
	r = charterRun(t, "check", "--config", repo.config(), "--against", "git:HEAD~1", "--format", "json", filepath.Join(filepath.Dir(repo.config()), "avro", "orders.avsc"))
	if r.code != 100 || !regexp.MustCompile(`^1 problem in 1 schema file checked against git:HEAD~1$`).MatchString(errString(r.err)) {
		t.Errorf("one file's summary: %s", r)
	}

	// The JSON output carries subject and level for each annotation.
	r = charterRun(t, "check", "--config", repo.config(), "--against", "git:HEAD~1", "--format", "json")
	var anns []struct {
		File, Rule, Subject, Level string
		Line, Column               int
	}
	if err := json.Unmarshal([]byte(r.stdout), &anns); err != nil {
		t.Fatal(err)
	}
	levels := map[string]string{}
	for _, a := range anns {
		levels[a.Subject] = a.Level
	}
	if levels["orders-value"] != "FULL" || levels["payment-value"] != "BACKWARD" || levels["customer-value"] != "BACKWARD" {
		t.Errorf("subjects and levels: %v", levels)
	}

	// Two commits back, the compatible change is in the baseline too; the
	// result is the same three annotations.
	r = charterRun(t, "check", "--config", repo.config(), "--against", "git:HEAD~2", "--format", "github-actions")
	if r.code != 100 {
		t.Fatalf("against HEAD~2: %s", r)
	}
	assertBreaking(t, r.stdout)

	// Only the files named on the command line.
	r = charterRun(t, "check", "--config", repo.config(), "--against", "git:HEAD~1", "--format", "github-actions", repo.dir+"/proto/acme/payment.proto")
	if r.code != 100 || strings.Count(r.stdout, "::error") != 1 || !strings.Contains(r.stdout, "file=proto/acme/payment.proto") {
		t.Errorf("one file: %s", r)
	}
}

// TestCheckParseErrorIsAnAnnotation: a schema that does not parse is an
// annotation on that file, with exit code 100, not a crash or exit 1.
func TestCheckParseErrorIsAnAnnotation(t *testing.T) {
	repo := newGitRepo(t)
	repo.commit("1", "base")
	writeFile(t, repo.dir, "json/address.schema.json", "{\n  \"type\": \"object\",\n  \"properties\": {\n    \"street\": {\"type\": 12}\n  }\n}\n")
	writeFile(t, repo.dir, "proto/acme/currency.proto", "syntax = \"proto3\";\npackage acme;\n\nmessage Currency {\n  strin code = 1;\n}\n")
	r := charterRun(t, "check", "--config", repo.config(), "--against", "git:HEAD", "--format", "github-actions")
	if r.code != 100 {
		t.Fatalf("want exit 100: %s", r)
	}
	got := parseGitHub(t, r.stdout)
	files := map[string]ghAnnotation{}
	for _, a := range got {
		if a.rule == "INVALID_SCHEMA" {
			files[a.file] = a
		}
	}
	if a, ok := files["json/address.schema.json"]; !ok || a.line != 4 {
		t.Errorf("JSON parse error annotation: %+v in\n%s", a, r.stdout)
	}
	if a, ok := files["proto/acme/currency.proto"]; !ok || a.line != 5 {
		t.Errorf("Protobuf parse error annotation: %+v in\n%s", a, r.stdout)
	}
	golden(t, "check-parse-error.txt", charterRun(t, "check", "--config", repo.config(), "--against", "git:HEAD").stdout)
}

// TestCheckExitCodes: usage and input errors are neither 0 nor 100.
func TestCheckExitCodes(t *testing.T) {
	repo := newGitRepo(t)
	repo.commit("1", "base")
	cases := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"unknown output format", []string{"--format", "gcc"}, 2, "unknown output format"},
		{"against without git:", []string{"--against", "HEAD"}, 2, "use git:REF"},
		{"unknown revision", []string{"--against", "git:no-such-branch"}, 1, "not found"},
		{"both baselines", []string{"--against", "git:HEAD", "--registry", "http://127.0.0.1:1"}, 2, "not both"},
		{"unreachable registry", []string{"--registry", "http://127.0.0.1:1"}, 1, "127.0.0.1:1"},
		{"bad registry URL", []string{"--registry", "ftp://x"}, 2, "http://"},
		{"unknown flag", []string{"--frobnicate"}, 2, "unknown flag"},
		{"file not in charter.yaml", []string{"--parse-only", repo.dir + "/charter.yaml"}, 2, "not a schema file"},
		// A check against nothing must be asked for: it would pass every
		// breaking change.
		{"nothing to check against", nil, 2, "nothing to check against: pass --against git:REF"},
		{"parse-only with a baseline", []string{"--parse-only", "--against", "git:HEAD"}, 2, "--parse-only compares with nothing"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := charterRun(t, append([]string{"check", "--config", repo.config()}, c.args...)...)
			if r.code != c.code || !strings.Contains(errString(r.err), c.msg) {
				t.Errorf("want exit %d with %q: %s", c.code, c.msg, r)
			}
		})
	}

	t.Run("bad charter.yaml", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, dir, "charter.yaml", "compatibility: SIDEWAYS\nschemas:\n  - path: a.avsc\n    subjet: a-value\n")
		r := charterRun(t, "check", "--config", dir+"/charter.yaml")
		if r.code != 2 || !strings.Contains(errString(r.err), "subjet") {
			t.Errorf("unknown key: %s", r)
		}
		writeFile(t, dir, "charter.yaml", "compatibility: SIDEWAYS\nschemas:\n  - path: a.avsc\n    subject: a-value\n")
		r = charterRun(t, "check", "--config", dir+"/charter.yaml")
		if r.code != 2 || !strings.Contains(errString(r.err), "invalid compatibility level") {
			t.Errorf("bad level: %s", r)
		}
		writeFile(t, dir, "charter.yaml", "schemas:\n  - path: missing/*.avsc\n    subject: a-value\n")
		r = charterRun(t, "check", "--config", dir+"/charter.yaml")
		if r.code != 2 || !strings.Contains(errString(r.err), "matches no file") {
			t.Errorf("glob matching nothing: %s", r)
		}
	})
}

// TestCheckInASubdirectory: with charter.yaml below the repository root,
// annotations still name files from the root, as GitHub expects.
func TestCheckInASubdirectory(t *testing.T) {
	repo := newGitRepo(t)
	sub := repo.dir + "/services/billing"
	copyTree(t, "testdata/e2e/2", sub)
	repo.git("add", "-A")
	repo.git("commit", "-q", "-m", "two")
	copyTree(t, "testdata/e2e/3", sub)
	r := charterRun(t, "check", "--config", sub+"/charter.yaml", "--against", "git:HEAD", "--format", "github-actions")
	if r.code != 100 {
		t.Fatalf("%s", r)
	}
	for _, a := range parseGitHub(t, r.stdout) {
		if !strings.HasPrefix(a.file, "services/billing/") {
			t.Errorf("file %q is not named from the repository root", a.file)
		}
	}
	if n := len(parseGitHub(t, r.stdout)); n != 3 {
		t.Errorf("%d annotations", n)
	}
}

// TestNewSubjectsAreReported: a file whose subject has nothing to compare
// with passes, but says so in every format, against a registry and
// against git alike.
func TestNewSubjectsAreReported(t *testing.T) {
	reg := startRegistry(t)
	repo := newGitRepo(t)
	repo.commit("1", "Avro, Protobuf and JSON schemas")
	r := charterRun(t, "check", "--config", repo.config(), "--registry", reg.url, "--format", "json")
	if r.code != 0 || !strings.Contains(r.stderr, "no problems (6 new subjects)") {
		t.Fatalf("an empty registry: %s", r)
	}
	var anns []struct{ File, Rule, Severity, Subject string }
	if err := json.Unmarshal([]byte(r.stdout), &anns); err != nil {
		t.Fatal(err)
	}
	if len(anns) != 6 {
		t.Fatalf("want a note per file (6), got %s", r.stdout)
	}
	for _, a := range anns {
		if a.Rule != "NEW_SUBJECT" || a.Severity != "info" || a.Subject == "" {
			t.Errorf("note %+v", a)
		}
	}
	for _, f := range []string{"text", "github-actions", "junit", "markdown", "gitlab-code-quality"} {
		r := charterRun(t, "check", "--config", repo.config(), "--registry", reg.url, "--format", f, filepath.Join(repo.dir, "avro/orders.avsc"))
		if r.code != 0 || !strings.Contains(strings.ToLower(r.stdout), "new subject") {
			t.Errorf("%s: %s", f, r)
		}
	}
	// Against git: the subject was not there at the revision.
	repo.git("commit", "-q", "--allow-empty", "-m", "nothing")
	writeFile(t, repo.dir, "json/extra.schema.json", `{"type":"object"}`)
	r = charterRun(t, "check", "--config", repo.config(), "--against", "git:HEAD", "--format", "github-actions")
	if r.code != 0 || !strings.Contains(r.stdout, "::notice file=json/extra.schema.json,title=NEW_SUBJECT::new subject extra-value: nothing at git:HEAD to compare with") {
		t.Errorf("a file new since the revision: %s", r)
	}
}
