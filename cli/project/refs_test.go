package project

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/charter-registry/charter/compat"
)

func TestProtoImports(t *testing.T) {
	text := "syntax = \"proto3\";\nimport \"a/b.proto\";\n  import public \"c.proto\" ;\nimport weak \"d.proto\";\n// import \"e.proto\" is a comment at line start\nimport \"a/b.proto\";\n"
	got := ProtoImports(text)
	if !slices.Equal(got, []string{"a/b.proto", "c.proto", "d.proto"}) {
		t.Errorf("%q", got)
	}
}

func TestJSONRefs(t *testing.T) {
	text := `{"properties": {
		"a": {"$ref": "address.json"},
		"b": {"$ref": "#/definitions/x"},
		"c": {"$ref": "https://example.com/x.json"},
		"d": {"items": [{"$ref": "./sub/y.json#/definitions/z"}]},
		"e": {"$ref": "address.json#/x"}}}`
	got := JSONRefs(text)
	if !slices.Equal(got, []string{"address.json", "./sub/y.json"}) {
		t.Errorf("%q", got)
	}
	if JSONRefs("{not json") != nil {
		t.Error("refs from invalid JSON")
	}
}

func TestAvroNames(t *testing.T) {
	text := `{"type": "record", "name": "Order", "namespace": "acme", "fields": [
		{"name": "price", "type": "Price"},
		{"name": "other", "type": "com.x.Other"},
		{"name": "lines", "type": {"type": "array", "items": {"type": "record", "name": "Line", "fields": [
			{"name": "status", "type": {"type": "enum", "name": "shared.Status", "symbols": ["A"]}},
			{"name": "again", "type": "Line"},
			{"name": "s2", "type": "shared.Status"}]}}},
		{"name": "m", "type": {"type": "map", "values": ["null", "Money"]}},
		{"name": "u", "type": {"type": "string", "logicalType": "uuid"}}]}`
	defined, used := AvroNames(text)
	if !slices.Equal(defined, []string{"acme.Line", "acme.Order", "shared.Status"}) {
		t.Errorf("defined %q", defined)
	}
	want := [][]string{{"acme.Price", "Price"}, {"com.x.Other"}, {"acme.Money", "Money"}}
	if !slices.EqualFunc(used, want, slices.Equal) {
		t.Errorf("used %q", used)
	}
}

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// tree has a reference between files of each format, one of them to a
// file that no entry maps.
func tree() map[string]string {
	return map[string]string{
		"charter.yaml":              "",
		"proto/acme/order.proto":    "syntax = \"proto3\";\nimport \"acme/money.proto\";\nimport \"google/protobuf/timestamp.proto\";\nmessage O { acme.Money m = 1; }\n",
		"proto/acme/money.proto":    "syntax = \"proto3\";\npackage acme;\nimport \"acme/unit.proto\";\nmessage Money { Unit u = 1; }\n",
		"proto/acme/unit.proto":     "syntax = \"proto3\";\npackage acme;\nmessage Unit {}\n",
		"avro/order.avsc":           `{"type":"record","name":"Order","namespace":"acme","fields":[{"name":"p","type":"Price"}]}`,
		"avro/types/price.avsc":     `{"type":"record","name":"Price","namespace":"acme","fields":[{"name":"c","type":"long"}]}`,
		"json/customer.schema.json": `{"properties":{"a":{"$ref":"common/address.json"}}}`,
		"json/common/address.json":  `{"properties":{"c":{"$ref":"country.json#/x"}}}`,
		"json/common/country.json":  `{"type":"string"}`,
		"README.md":                 "not a schema",
	}
}

const treeConfig = `importPaths: [proto, avro/types]
schemas:
  - path: proto/**/order.proto
    subject: "{name}-value"
  - path: proto/acme/money.proto
    subject: money-value
  - path: avro/*.avsc
    subject: "{name}-avro"
  - path: json/*.schema.json
    subject: "{name}-json"
  - path: nothing/*.avsc
    subject: none
`

func TestLoadResolvesReferences(t *testing.T) {
	dir := writeTree(t, tree())
	cfg, err := ParseConfig([]byte(treeConfig))
	if err != nil {
		t.Fatal(err)
	}
	p, err := Load(context.Background(), cfg, Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	var mapped []string
	for _, f := range p.Files {
		mapped = append(mapped, f.Path+"="+f.Subject)
	}
	want := []string{"avro/order.avsc=order-avro", "json/customer.schema.json=customer-json", "proto/acme/money.proto=money-value", "proto/acme/order.proto=order-value"}
	if !slices.Equal(mapped, want) {
		t.Errorf("mapped %q", mapped)
	}
	if !slices.Equal(p.Unmatched, []int{4}) {
		t.Errorf("unmatched %v", p.Unmatched)
	}

	deps := func(path string) []compat.Dependency { return p.Dependencies(p.File(path)) }
	if got := deps("proto/acme/order.proto"); len(got) != 2 || got[0].Name != "acme/unit.proto" || got[1].Name != "acme/money.proto" {
		t.Errorf("proto deps (dependencies first, by import path): %+v", got)
	}
	if got := deps("avro/order.avsc"); len(got) != 1 || got[0].Name != "acme.Price" {
		t.Errorf("avro deps: %+v", got)
	}
	if got := deps("json/customer.schema.json"); len(got) != 2 || got[0].Name != "common/country.json" || got[1].Name != "common/address.json" {
		t.Errorf("json deps (relative to the main file): %+v", got)
	}
	order := p.Ordered()
	pos := map[string]int{}
	for i, f := range order {
		pos[f.Path] = i
	}
	if pos["proto/acme/money.proto"] > pos["proto/acme/order.proto"] {
		t.Errorf("registration order puts a dependent first: %v", pos)
	}
	if unit := p.File("proto/acme/unit.proto"); unit == nil || unit.Subject != "" {
		t.Errorf("an unmapped dependency is loaded without a subject: %+v", unit)
	}
}

func TestLoadRefusesTwoFilesForOneSubject(t *testing.T) {
	dir := writeTree(t, map[string]string{"a/x.avsc": "{}", "b/x.avsc": "{}"})
	cfg, err := ParseConfig([]byte("schemas:\n  - {path: \"**/*.avsc\", subject: \"{name}-value\"}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Load(context.Background(), cfg, Dir(dir)); err == nil {
		t.Error("two files mapped to x-value were accepted")
	}
}

// An entry naming a file an earlier entry maps is a mistake (the file
// would keep the first subject): it is refused, naming that entry. A glob
// that also matches it leaves it to the earlier entry, as before.
func TestLoadRefusesAFileMappedTwice(t *testing.T) {
	dir := writeTree(t, map[string]string{"schemas/orders.avsc": "{}", "schemas/users.avsc": "{}"})
	cfg, err := ParseConfig([]byte("schemas:\n  - {path: schemas/orders.avsc, subject: orders-value}\n  - {path: \"schemas/*.avsc\", subject: \"{name}-value\"}\n  - {path: schemas/orders.avsc, subject: orders2-value}\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Load(context.Background(), cfg, Dir(dir))
	want := `schemas[2] (path schemas/orders.avsc): the file is already mapped by schemas[0] (subject "orders-value")`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("Load: %v, want an error containing %s", err, want)
	}

	cfg, err = ParseConfig([]byte("schemas:\n  - {path: schemas/orders.avsc, subject: orders-value}\n  - {path: \"schemas/*.avsc\", subject: \"{name}-value\"}\n"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := Load(context.Background(), cfg, Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	if f := p.File("schemas/orders.avsc"); f == nil || f.Subject != "orders-value" {
		t.Errorf("orders.avsc: %+v, want the first entry's subject", f)
	}
}

func TestGitSourceReadsARevision(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := writeTree(t, tree())
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@t.invalid", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q", "-b", "main")
	git("add", "-A")
	git("commit", "-q", "-m", "one")
	// The working tree moves on; the revision does not.
	if err := os.WriteFile(filepath.Join(dir, "avro/order.avsc"), []byte("changed"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "proto/acme/unit.proto")); err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseConfig([]byte(treeConfig))
	if err != nil {
		t.Fatal(err)
	}
	p, err := Load(context.Background(), cfg, Git(dir, "HEAD"))
	if err != nil {
		t.Fatal(err)
	}
	if f := p.BySubject("order-avro"); f == nil || f.Text != tree()["avro/order.avsc"] {
		t.Errorf("file at HEAD: %+v", f)
	}
	if got := p.Dependencies(p.File("proto/acme/order.proto")); len(got) != 2 {
		t.Errorf("a file deleted from the working tree is still at HEAD: %+v", got)
	}
	if _, err := Load(context.Background(), cfg, Git(dir, "no-such-ref")); err == nil {
		t.Error("an unknown revision loaded")
	}
}

func TestRelSlash(t *testing.T) {
	cases := [][3]string{
		{"json", "json/a.json", "a.json"},
		{"json", "json/common/a.json", "common/a.json"},
		{"json/x", "json/common/a.json", "../common/a.json"},
		{".", "a.json", "a.json"},
		{"a/b", "c.json", "../../c.json"},
	}
	for _, c := range cases {
		if got := relSlash(c[0], c[1]); got != c[2] {
			t.Errorf("relSlash(%q, %q) = %q, want %q", c[0], c[1], got, c[2])
		}
	}
}

func FuzzReferenceScanners(f *testing.F) {
	for _, s := range tree() {
		f.Add(s)
	}
	f.Add(`{"type":{"type":{"type":"x"}}}`)
	f.Add(`[{"type":"record","name":".","fields":[{"type":"a.b."}]}]`)
	f.Fuzz(func(t *testing.T, text string) {
		for _, imp := range ProtoImports(text) {
			if imp == "" {
				t.Fatal("empty import")
			}
		}
		for _, r := range JSONRefs(text) {
			if r == "" {
				t.Fatal("empty $ref")
			}
		}
		defined, used := AvroNames(text)
		for _, n := range defined {
			if n == "" {
				t.Fatal("empty defined name")
			}
		}
		for _, u := range used {
			if len(u) == 0 || u[0] == "" {
				t.Fatalf("empty used name: %q", used)
			}
		}
	})
}

// The reference scanners are the formats' own (compat.Filer); these name
// what each returns.

func ProtoImports(text string) []string { return fileRefs(compat.Protobuf, text).Imports }

func JSONRefs(text string) []string { return fileRefs(compat.JSON, text).Relative }

func AvroNames(text string) (defined []string, used [][]string) {
	r := fileRefs(compat.Avro, text)
	return r.Defines, r.Names
}
