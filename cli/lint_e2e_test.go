package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readmeLintConfig is the charter.yaml of the README's "Linting event
// design" section, which this test runs literally.
func readmeLintConfig(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(b), "### Linting event design")
	if !ok {
		t.Fatal("README has no Linting event design section")
	}
	_, block, ok := strings.Cut(sec, "```yaml\n")
	if !ok {
		t.Fatal("no yaml block in the README's lint section")
	}
	block, _, _ = strings.Cut(block, "```")
	return block
}

const lintSignup = `{
  "type": "record",
  "name": "UserSignedUp",
  "fields": [
    {"name": "user_id", "type": "string"},
    {"name": "method_of_signup", "type": {"type": "enum", "name": "MethodOfSignup",
      "symbols": ["UNKNOWN", "EMAIL", "GOOGLE"], "default": "UNKNOWN"}}
  ]
}
`

const lintOrders = `{
  "type": "record",
  "name": "OrderPlaced",
  "fields": [
    {"name": "order_id", "type": "string"},
    {"name": "placed_at", "type": "long"}
  ]
}
`

type lintAnnotation struct {
	File, Rule, Subject, Path, Against string
	Line, Column                       int
}

func parseLintJSON(t *testing.T, out string) []lintAnnotation {
	t.Helper()
	var anns []lintAnnotation
	if err := json.Unmarshal([]byte(out), &anns); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return anns
}

// TestLintFilesAndAgainstGit lints a repository's files, then only what a
// second commit adds, with charter.yaml's lint section and an event kind.
func TestLintFilesAndAgainstGit(t *testing.T) {
	repo := newGitRepo(t)
	lintConfig := readmeLintConfig(t)
	writeFile(t, repo.dir, "charter.yaml", lintConfig)
	writeFile(t, repo.dir, "schemas/signup.avsc", lintSignup)
	writeFile(t, repo.dir, "schemas/orders.avsc", lintOrders)
	writeFile(t, repo.dir, "legacy/ShipOrder.avsc", `{"type":"record","name":"ShipOrder","fields":[{"name":"ts","type":"long"}]}`)
	repo.git("add", "-A")
	repo.git("commit", "-q", "-m", "1")

	r := charterRun(t, "lint", "--config", repo.config(), "--format", "json")
	if r.code != 100 {
		t.Fatalf("lint of commit 1: %s", r)
	}
	anns := parseLintJSON(t, r.stdout)
	if len(anns) != 1 || anns[0] != (lintAnnotation{File: "schemas/orders.avsc", Rule: "TIMESTAMP_WITHOUT_LOGICAL_TYPE", Subject: "orders-value", Path: "/fields/1", Line: 6, Column: 5}) {
		t.Fatalf("annotations %+v\n%s", anns, r)
	}

	// Commit 2: the enum gains a symbol of another meaning; the old
	// timestamp problem is still there but not new.
	writeFile(t, repo.dir, "schemas/signup.avsc", strings.Replace(lintSignup, `"GOOGLE"]`, `"GOOGLE", "VIA_MOBILE_APP"]`, 1))
	repo.git("commit", "-q", "-am", "2")
	r = charterRun(t, "lint", "--config", repo.config(), "--against", "git:HEAD~1", "--format", "json")
	if r.code != 100 {
		t.Fatalf("lint against HEAD~1: %s", r)
	}
	anns = parseLintJSON(t, r.stdout)
	want := lintAnnotation{File: "schemas/signup.avsc", Rule: "ENUM_MIXED_MEANINGS", Subject: "signups-value", Path: "/fields/1/type/symbols/3", Line: 7, Column: 49, Against: "git:HEAD~1"}
	if len(anns) != 1 || anns[0] != want {
		t.Fatalf("annotations %+v, want %+v\n%s", anns, want, r)
	}
	gh := charterRun(t, "lint", "--config", repo.config(), "--against", "git:HEAD~1", "--format", "github-actions")
	if gh.code != 100 || !strings.HasPrefix(gh.stdout, "::error file=schemas/signup.avsc,line=7,col=49,title=ENUM_MIXED_MEANINGS::(heuristic) ") {
		t.Errorf("github-actions: %s", gh)
	}

	md := charterRun(t, "lint", "--config", repo.config(), "--against", "git:HEAD~1", "--format", "markdown")
	for _, want := range []string{"### charter lint\n", "**1 of 2 schema files fail the lint.**", "| `schemas/signup.avsc` | signups-value | - | **findings** | `ENUM_MIXED_MEANINGS` (line 7): (heuristic) symbol VIA_MOBILE_APP", "| `schemas/orders.avsc` | orders-value | - | clean | - |"} {
		if md.code != 100 || !strings.Contains(md.stdout, want) {
			t.Errorf("markdown lacks %q: %s", want, md)
		}
	}

	// Nothing new against the same commit.
	if r := charterRun(t, "lint", "--config", repo.config(), "--against", "git:HEAD"); r.code != 0 || !strings.Contains(r.stderr, "2 schema files linted, no problems") {
		t.Errorf("lint against HEAD: %s", r)
	}
	// A wrong rule id in charter.yaml is a usage error.
	writeFile(t, repo.dir, "charter.yaml", strings.Replace(lintConfig, "FIELD_DOC_MISSING", "FIELD_DOC", 1))
	if r := charterRun(t, "lint", "--config", repo.config()); r.code != 2 || !strings.Contains(r.err.Error(), `"FIELD_DOC" is neither a lint rule nor a category`) {
		t.Errorf("bad rule id: %s", r)
	}
}

func TestLintListRules(t *testing.T) {
	r := charterRun(t, "lint", "--list-rules")
	if r.code != 0 {
		t.Fatalf("%s", r)
	}
	for _, want := range []string{"ID ", "EVENT_NAME_PAST_TENSE", "ENUM_MIXED_MEANINGS", "DEFAULT,EVOLUTION,HEURISTIC", "KEY_NULLABLE", "PII_UNTAGGED", "TOPIC_NAME_VERSIONED"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("--list-rules lacks %q:\n%s", want, r.stdout)
		}
	}
}

// TestLintRegistry lints the subjects a registry holds.
func TestLintRegistry(t *testing.T) {
	reg := startRegistry(t)
	body, _ := json.Marshal(map[string]string{"schema": `{"type":"record","name":"OrderPlaced","doc":"An order was placed.","fields":[{"name":"order_id","type":"string","doc":"The order."}]}`})
	if code, b := reg.send(t, "POST", "/subjects/orders-value/versions", string(body)); code != 200 {
		t.Fatalf("register: %d %s", code, b)
	}
	t.Chdir(t.TempDir()) // no charter.yaml: every rule
	if r := charterRun(t, "lint", "--registry", reg.url); r.code != 0 || !strings.Contains(r.stderr, "1 subject linted, no problems") {
		t.Fatalf("clean registry: %s", r)
	}
	body, _ = json.Marshal(map[string]string{"schema": `["null","string"]`})
	if code, b := reg.send(t, "POST", "/subjects/orders-key/versions", string(body)); code != 200 {
		t.Fatalf("register: %d %s", code, b)
	}
	t.Setenv("CHARTER_REGISTRY_URL", reg.url)
	// The environment alone does not make charter lint read the registry.
	if r := charterRun(t, "lint", "orders-key"); r.code != 2 {
		t.Errorf("without --subjects: %s", r)
	}
	r := charterRun(t, "lint", "--subjects", "--format", "json", "orders-key")
	if r.code != 100 {
		t.Fatalf("lint orders-key: %s", r)
	}
	anns := parseLintJSON(t, r.stdout)
	if len(anns) != 1 || anns[0] != (lintAnnotation{File: "orders-key", Rule: "KEY_NULLABLE", Subject: "orders-key", Path: "/", Line: 1, Column: 1}) {
		t.Errorf("annotations %+v", anns)
	}
}

// TestLintFilesWithoutConfig lints files named on the command line when
// there is no charter.yaml.
func TestLintFilesWithoutConfig(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeFile(t, dir, "ship.avsc", `{"type":"record","name":"ShipOrder","doc":"x","fields":[{"name":"order_id","type":"string","doc":"x"}]}`)
	writeFile(t, dir, "broken.avsc", `{"type":"record","name":"X","fields":[{"name":"a","type":"Missing"}]}`)
	r := charterRun(t, "lint", "--format", "json", "ship.avsc", "broken.avsc")
	if r.code != 100 {
		t.Fatalf("%s", r)
	}
	anns := parseLintJSON(t, r.stdout)
	if len(anns) != 2 || anns[0].File != "broken.avsc" || anns[0].Rule != "INVALID_SCHEMA" ||
		anns[1] != (lintAnnotation{File: "ship.avsc", Rule: "EVENT_NAME_PAST_TENSE", Path: "/", Line: 1, Column: 25}) {
		t.Errorf("annotations %+v", anns)
	}
	if r := charterRun(t, "lint", "notes.txt"); r.code != 2 {
		t.Errorf("a file of no known format: %s", r)
	}
}

// TestReadmeLintPolicyCurl sends the README's lint-policy request (its
// curl command's path and body, as written) to a live registry, then
// registers a schema the policy refuses.
func TestReadmeLintPolicyCurl(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, sec, _ := strings.Cut(string(b), "### Linting event design")
	_, cmd, ok := strings.Cut(sec, "curl -X PUT")
	if !ok {
		t.Fatal("no curl -X PUT in the README's lint section")
	}
	cmd, _, _ = strings.Cut(cmd, "\n```")
	_, data, _ := strings.Cut(cmd, "--data '")
	data, _, _ = strings.Cut(data, "'")
	_, path, ok := strings.Cut(cmd, "http://localhost:8081")
	if !ok || data == "" {
		t.Fatalf("cannot read the curl command: %q", cmd)
	}
	path = strings.TrimSpace(path)
	reg := startRegistry(t)
	if code, body := reg.send(t, "PUT", path, data); code != 200 || !strings.Contains(body, `"mode":"enforce"`) {
		t.Fatalf("PUT %s %s: %d %s", path, data, code, body)
	}
	subject := strings.TrimPrefix(path, "/config/")
	bad, _ := json.Marshal(map[string]string{"schema": `{"type":"record","name":"ShipOrder","fields":[{"name":"order_id","type":"string"}]}`})
	code, body := reg.send(t, "POST", "/subjects/"+subject+"/versions", string(bad))
	if code != 422 || !strings.Contains(body, `"error_code":42250`) || !strings.Contains(body, "EVENT_NAME_PAST_TENSE") {
		t.Errorf("register under the README's policy: %d %s", code, body)
	}
}
