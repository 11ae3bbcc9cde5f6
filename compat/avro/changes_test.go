package avro

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/charter-registry/charter/compat"
)

// TestDiffListsCompatibleChanges: each compatible change is named, with
// its rule id and path in the new schema, and marked compatible.
func TestDiffListsCompatibleChanges(t *testing.T) {
	const enum3 = `{"type":"enum","name":"E","symbols":["A","B","C"]%s}`
	tests := []struct {
		name           string
		writer, reader string
		rule, path     string
	}{
		{"field added with a default", rec(fld("a", `"int"`)), rec(fld("a", `"int"`), `{"name":"b","type":"string","default":"x"}`), FieldAddedWithDefault, "/fields/1"},
		{"field removed", rec(fld("a", `"int"`), fld("b", `"int"`)), rec(fld("a", `"int"`)), FieldRemoved, "/"},
		{"field renamed with an alias", rec(fld("a", `"int"`)), rec(`{"name":"z","type":"int","aliases":["a"]}`), FieldRenamedWithAlias, "/fields/0"},
		{"field alias added", rec(fld("a", `"int"`)), rec(`{"name":"a","type":"int","aliases":["x"]}`), FieldAliasAdded, "/fields/0"},
		{"field doc changed", rec(fld("a", `"int"`)), rec(`{"name":"a","type":"int","doc":"the a"}`), FieldDocChanged, "/fields/0"},
		{"field default changed", rec(`{"name":"a","type":"int","default":1}`), rec(`{"name":"a","type":"int","default":2}`), FieldDefaultChanged, "/fields/0"},
		{"record doc changed", rec(fld("a", `"int"`)), `{"type":"record","name":"R","namespace":"ns","doc":"R!","fields":[{"name":"a","type":"int"}]}`, DocChanged, "/"},
		{"record alias added", rec(fld("a", `"int"`)), `{"type":"record","name":"R","namespace":"ns","aliases":["ns.Old"],"fields":[{"name":"a","type":"int"}]}`, AliasAdded, "/"},
		{"enum symbol added", `{"type":"enum","name":"E","symbols":["A","B"]}`, `{"type":"enum","name":"E","symbols":["A","B","C"]}`, EnumSymbolAdded, "/symbols"},
		{"enum symbol removed, with a default", sprintf(enum3, ""), `{"type":"enum","name":"E","symbols":["A","B"],"default":"A"}`, EnumSymbolRemoved, "/symbols"},
		{"int promoted to long", rec(fld("a", `"int"`)), rec(fld("a", `"long"`)), TypePromoted, "/fields/0/type"},
		{"string read as bytes", `"string"`, `"bytes"`, TypePromoted, "/"},
		{"promotion inside an array", `{"type":"array","items":"float"}`, `{"type":"array","items":"double"}`, TypePromoted, "/items"},
		{"promotion inside a map", `{"type":"map","values":"int"}`, `{"type":"map","values":"double"}`, TypePromoted, "/values"},
		{"union branch added", `["null","string"]`, `["null","string","int"]`, UnionBranchAdded, "/2"},
		{"type widened to a union", rec(fld("a", `"string"`)), rec(fld("a", `["null","string"]`)), TypeWidenedToUnion, "/fields/0/type"},
	}
	f := &Format{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			changes := f.Diff(mustParse(t, f, tt.writer), mustParse(t, f, tt.reader), compat.Options{})
			if len(changes) != 1 {
				t.Fatalf("want one change, got %+v", changes)
			}
			c := changes[0]
			if c.Rule != tt.rule || c.Kind != tt.rule || c.Path != tt.path || !c.Compatible || c.Message == "" {
				t.Errorf("got %+v, want %s at %s, compatible", c, tt.rule, tt.path)
			}
		})
	}
	// Nothing changed, nothing listed; the same schema with a new name
	// for a field and no alias is still a breaking change, not a note.
	s := mustParse(t, f, rec(fld("a", `"int"`)))
	if got := f.Diff(s, s, compat.Options{}); len(got) != 0 {
		t.Errorf("a schema against itself: %+v", got)
	}
	for _, c := range f.Diff(s, mustParse(t, f, rec(fld("z", `"int"`))), compat.Options{}) {
		if c.Compatible && c.Rule != FieldRemoved {
			t.Errorf("unexpected note %+v", c)
		}
	}
}

// TestDiffGolden lists every change between two versions of an order, in
// both directions, against a golden file.
func TestDiffGolden(t *testing.T) {
	f := &Format{}
	read := func(name string) *Schema {
		b, err := os.ReadFile(filepath.Join("testdata", "changes", name))
		if err != nil {
			t.Fatal(err)
		}
		return mustParse(t, f, string(b))
	}
	old, cur := read("old.avsc"), read("new.avsc")
	got, err := json.MarshalIndent(map[string][]compat.Change{
		"backward": f.Diff(old, cur, compat.Options{}),
		"forward":  f.Diff(cur, old, compat.Options{}),
	}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join("testdata", "changes", "diff.golden.json"), append(got, '\n'))
}

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

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
	if string(got) != string(want) {
		t.Errorf("%s differs from the golden file (run go test -update after checking):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
