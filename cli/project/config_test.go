package project

import (
	"strings"
	"testing"

	"github.com/charter-registry/charter/compat"
)

// The shape from the issue, which users copy, must keep working.
const issueShape = `compatibility: BACKWARD          # level for offline checks (default BACKWARD)
schemas:
  - path: schemas/orders.avsc     # a file or a glob
    subject: orders-value
  - path: proto/*.proto
    subject: "{name}-value"       # {name} = file name without its extension
    format: PROTOBUF              # optional; otherwise taken from the extension
`

func TestParseConfigAcceptsTheDocumentedShape(t *testing.T) {
	c, err := ParseConfig([]byte(issueShape))
	if err != nil {
		t.Fatal(err)
	}
	if c.Compatibility != compat.Backward || len(c.Schemas) != 2 {
		t.Fatalf("%+v", c)
	}
	if e := c.Schemas[1]; e.Path != "proto/*.proto" || e.Subject != "{name}-value" || e.Format != "PROTOBUF" {
		t.Errorf("second entry: %+v", e)
	}
	if got := SubjectFor(c.Schemas[1], "proto/payments.proto"); got != "payments-value" {
		t.Errorf("subject: %s", got)
	}
}

func TestParseConfigDefaultsAndNormalises(t *testing.T) {
	c, err := ParseConfig([]byte("schemas:\n  - path: a.avsc\n    topic: orders\n    format: json_schema\n    compatibility: full_transitive\n"))
	if err != nil {
		t.Fatal(err)
	}
	e := c.Schemas[0]
	if c.Compatibility != compat.Backward || e.Format != "JSON" || e.Compatibility != compat.FullTransitive {
		t.Errorf("defaults: %+v %+v", c, e)
	}
	if SubjectFor(e, "a.avsc") != "orders-value" || c.Level(e) != compat.FullTransitive {
		t.Errorf("topic subject %q level %q", SubjectFor(e, "a.avsc"), c.Level(e))
	}
}

func TestParseConfigRejects(t *testing.T) {
	cases := map[string]struct{ yaml, want string }{
		"empty file":           {"", "empty"},
		"no schemas":           {"compatibility: FULL\n", "the list is empty"},
		"misspelt key":         {"schemas:\n  - path: a.avsc\n    subjet: a\n", `line 3: unknown key "subjet" in charter.yaml`},
		"unknown top key":      {"compatibility: FULL\nschemaz:\n  - {path: a.avsc, subject: a}\n", `line 2: unknown key "schemaz" in charter.yaml`},
		"unknown level":        {"compatibility: SIDEWAYS\nschemas:\n  - {path: a.avsc, subject: a}\n", "invalid compatibility level"},
		"entry level":          {"schemas:\n  - {path: a.avsc, subject: a, compatibility: x}\n", "schemas[0]: compatibility"},
		"no subject nor topic": {"schemas:\n  - path: a.avsc\n", "give a subject"},
		"{topic} without one":  {"schemas:\n  - {path: a.avsc, subject: \"{topic}-key\"}\n", "no topic is set"},
		"unknown format":       {"schemas:\n  - {path: a.avsc, subject: a, format: THRIFT}\n", "unknown schema format"},
		"absolute path":        {"schemas:\n  - {path: /etc/a.avsc, subject: a}\n", "must be relative"},
		"escaping path":        {"schemas:\n  - {path: ../a.avsc, subject: a}\n", "leaves the directory"},
		"bad glob":             {"schemas:\n  - {path: \"a/[x.avsc\", subject: a}\n", "malformed pattern"},
		"partial **":           {"schemas:\n  - {path: \"a/**x/b.avsc\", subject: a}\n", "whole path segment"},
		"import path escapes":  {"importPaths: [../x]\nschemas:\n  - {path: a.avsc, subject: a}\n", "importPaths[0]"},
		"not a mapping":        {"- a\n- b\n", "cannot unmarshal"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := ParseConfig([]byte(c.yaml))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want an error with %q", err, c.want)
			}
		})
	}
}

func TestTypeAndBaseName(t *testing.T) {
	cases := []struct {
		name string
		typ  compat.Type
		ok   bool
		base string
	}{
		{"schemas/orders.avsc", compat.Avro, true, "orders"},
		{"p/Orders.PROTO", compat.Protobuf, true, "Orders"},
		{"j/customer.schema.json", compat.JSON, true, "customer"},
		{"j/customer.json", compat.JSON, true, "customer"},
		{"j/customer.SCHEMA.JSON", compat.JSON, true, "customer"},
		{"README.md", "", false, "README"},
		{"noext", "", false, "noext"},
	}
	for _, c := range cases {
		typ, ok := TypeOf(c.name)
		if typ != c.typ || ok != c.ok || BaseName(c.name) != c.base {
			t.Errorf("%s: got %q %v %q", c.name, typ, ok, BaseName(c.name))
		}
	}
}

func TestMatch(t *testing.T) {
	cases := []struct {
		pattern, name string
		want          bool
	}{
		{"schemas/orders.avsc", "schemas/orders.avsc", true},
		{"proto/*.proto", "proto/a.proto", true},
		{"proto/*.proto", "proto/sub/a.proto", false},
		{"proto/**/*.proto", "proto/a.proto", true},
		{"proto/**/*.proto", "proto/x/y/a.proto", true},
		{"proto/**", "proto/x/y/a.proto", true},
		{"**/*.avsc", "a.avsc", true},
		{"**/*.avsc", "x/y/a.avsc", true},
		{"**/**/*.avsc", "x/a.avsc", true},
		{"**/x/*.avsc", "a/b/y/a.avsc", false},
		{"s/?.avsc", "s/a.avsc", true},
		{"s/[ab].avsc", "s/c.avsc", false},
		{"./s/a.avsc", "s/a.avsc", true},
	}
	for _, c := range cases {
		if got := Match(c.pattern, c.name); got != c.want {
			t.Errorf("Match(%q, %q) = %v", c.pattern, c.name, got)
		}
	}
	if p := staticPrefix("proto/acme/**/*.proto"); p != "proto/acme" {
		t.Errorf("static prefix %q", p)
	}
	if p := staticPrefix("*.avsc"); p != "." {
		t.Errorf("static prefix %q", p)
	}
}

func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(issueShape))
	f.Add([]byte("importPaths: [a, b]\nschemas:\n  - {path: \"**/*.avsc\", topic: t, compatibility: full}\n"))
	f.Add([]byte("schemas: {a: 1}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseConfig(b)
		if err != nil {
			return
		}
		// A valid config has a level, entries with paths, and a subject
		// for any file name.
		if c.Compatibility == "" || len(c.Schemas) == 0 {
			t.Fatalf("valid config without defaults: %+v", c)
		}
		for _, e := range c.Schemas {
			if e.Path == "" || SubjectFor(e, "x/y.avsc") == "" && e.Subject != "" {
				t.Fatalf("entry %+v", e)
			}
		}
	})
}

func FuzzMatch(f *testing.F) {
	f.Add("proto/**/*.proto", "proto/a/b.proto")
	f.Add("**/**/x", "a/b/c/x")
	f.Add("[", "a")
	f.Fuzz(func(t *testing.T, pattern, name string) {
		if len(pattern) > 200 || len(name) > 200 {
			return
		}
		m := Match(pattern, name)
		if pattern == name && validGlob(pattern) == nil && !strings.ContainsAny(pattern, `*?[\`) && !m && name != "" {
			t.Fatalf("a literal pattern does not match itself: %q", pattern)
		}
	})
}
