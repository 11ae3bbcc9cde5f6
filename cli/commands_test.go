package cli_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/charter-registry/charter/cli"
)

// TestEveryCommandExplainsItself: each command has a help text with
// examples, and check's help covers what a first-time user needs.
func TestEveryCommandExplainsItself(t *testing.T) {
	root := cli.NewRootCommand()
	for _, name := range []string{"check", "register", "diff", "get", "subjects", "config", "export", "import", "serve"} {
		cmd, _, err := root.Find([]string{name})
		if err != nil || cmd.Name() != name {
			t.Fatalf("no %s command: %v", name, err)
		}
		if cmd.Short == "" || cmd.Long == "" || !strings.Contains(cmd.Example, "charter "+name) {
			t.Errorf("%s: help lacks a summary, a description or examples", name)
		}
		r := charterRun(t, name, "--help")
		if r.code != 0 || !strings.Contains(r.stdout, "Examples:") || !strings.Contains(r.stdout, "Usage:") {
			t.Errorf("%s --help: %s", name, r)
		}
	}
	help := charterRun(t, "check", "--help").stdout
	for _, want := range []string{
		"charter.yaml", "subject:", "{name}", "format: PROTOBUF", "compatibility: BACKWARD",
		".avsc is Avro", ".proto is Protobuf", "JSON Schema", "$ref",
		"--against git:REF", "--registry URL", "at the level the\n                      registry has configured",
		"Exit status", "100", "INVALID_SCHEMA", "github-actions", "junit",
		"CHARTER_REGISTRY_URL", "CHARTER_REGISTRY_USER", "CHARTER_REGISTRY_PASSWORD", "CHARTER_REGISTRY_TOKEN",
	} {
		if !strings.Contains(help, want) {
			t.Errorf("check --help does not mention %q", want)
		}
	}
	golden(t, "check-help.txt", help)
}

// TestRegistryFromTheEnvironment: the URL and the credentials come from
// CHARTER_REGISTRY_* when no flag gives them, and a flag wins.
func TestRegistryFromTheEnvironment(t *testing.T) {
	var auth []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = append(auth, r.Header.Get("Authorization"))
		_, _ = w.Write([]byte(`["a","b"]`))
	}))
	defer srv.Close()

	t.Setenv("CHARTER_REGISTRY_URL", srv.URL)
	t.Setenv("CHARTER_REGISTRY_USER", "key")
	t.Setenv("CHARTER_REGISTRY_PASSWORD", "secret")
	r := charterRun(t, "subjects", "--output", "json")
	var got []string
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &got) != nil || len(got) != 2 {
		t.Fatalf("subjects from the environment: %s", r)
	}
	if auth[0] != "Basic a2V5OnNlY3JldA==" {
		t.Errorf("basic auth from the environment: %q", auth[0])
	}

	t.Setenv("CHARTER_REGISTRY_USER", "")
	t.Setenv("CHARTER_REGISTRY_PASSWORD", "")
	t.Setenv("CHARTER_REGISTRY_TOKEN", "tok")
	if r := charterRun(t, "subjects"); r.code != 0 || r.stdout != "a\nb\n" {
		t.Fatalf("subjects: %s", r)
	}
	if auth[1] != "Bearer tok" {
		t.Errorf("token from the environment: %q", auth[1])
	}

	if r := charterRun(t, "subjects", "--registry", "http://127.0.0.1:1"); r.code != 1 || !strings.Contains(errString(r.err), "127.0.0.1:1") {
		t.Errorf("the flag should win over the environment: %s", r)
	}

	t.Setenv("CHARTER_REGISTRY_URL", "")
	if r := charterRun(t, "subjects"); r.code != 2 || !strings.Contains(errString(r.err), "CHARTER_REGISTRY_URL") {
		t.Errorf("no registry at all: %s", r)
	}
}

// TestDiffFiles lists each change between two files with its rule and
// whether it breaks.
func TestDiffFiles(t *testing.T) {
	for _, c := range []struct{ file, golden string }{
		{"avro/orders.avsc", "diff-avro"},
		{"proto/acme/payment.proto", "diff-proto"},
		{"json/customer.schema.json", "diff-json"},
	} {
		t.Run(c.golden, func(t *testing.T) {
			old, cur := "testdata/e2e/1/"+c.file, "testdata/e2e/3/"+c.file
			args := []string{"diff", old, cur}
			if strings.HasSuffix(c.file, ".proto") {
				args = append(args, "-I", "testdata/e2e/3/proto")
			}
			if strings.HasSuffix(c.file, ".avsc") {
				// charter.yaml gives orders.avsc FULL; a file diff judges
				// at BACKWARD unless told.
				args = append(args, "--level", "FULL")
			}
			r := charterRun(t, args...)
			if r.code != 0 || !strings.Contains(r.stdout, "breaking") {
				t.Fatalf("%s", r)
			}
			golden(t, c.golden+".txt", r.stdout)
			r = charterRun(t, append(args, "--output", "json")...)
			if r.code != 0 {
				t.Fatalf("%s", r)
			}
			var out struct {
				Changes []struct {
					Status, Rule, Direction string
					Line                    int
				}
			}
			if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || len(out.Changes) == 0 {
				t.Fatalf("json: %v %s", err, r.stdout)
			}
			golden(t, c.golden+".json", r.stdout)
		})
	}
	if r := charterRun(t, "diff", "testdata/e2e/1/avro/orders.avsc", "testdata/e2e/1/json/customer.schema.json"); r.code != 1 || !strings.Contains(errString(r.err), "different formats") {
		t.Errorf("mixed formats: %s", r)
	}
	if r := charterRun(t, "diff", "nope.avsc", "testdata/e2e/1/avro/orders.avsc"); r.code != 2 {
		t.Errorf("missing file: %s", r)
	}
	// At BACKWARD, the forward break of removing a field without a default
	// is listed, but passes.
	r := charterRun(t, "diff", "testdata/e2e/1/avro/orders.avsc", "testdata/e2e/3/avro/orders.avsc")
	if r.code != 0 || strings.Contains(r.stdout, "breaking") || !strings.Contains(r.stdout, "(breaks FORWARD, which BACKWARD does not check)") ||
		!strings.Contains(r.stdout, "FIELD_ADDED_WITH_DEFAULT") {
		t.Errorf("avro at BACKWARD: %s", r)
	}
	if r := charterRun(t, "diff", "testdata/e2e/1/avro/orders.avsc", "testdata/e2e/3/avro/orders.avsc", "--level", "SIDEWAYS"); r.code != 2 {
		t.Errorf("bad level: %s", r)
	}
	if r := charterRun(t, "diff", "a"); r.code != 2 {
		t.Errorf("one argument: %s", r)
	}
}
