package jsonschema

import (
	"encoding/json"
	"fmt"
	shared "github.com/charter-registry/charter/internal/testdata"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/charter-registry/charter/compat"
)

// sharedDir returns ../shared/testdata/confluent/json relative to the
// repository root, skipping the test when it is not there.
func sharedDir(t testing.TB) string {
	return shared.Shared(t, "testdata/confluent/json")
}

// diffCase is one entry of Confluent's diff-*-examples.json files. The
// schemas are kept raw so their member order survives.
type diffCase struct {
	Description       string          `json:"description"`
	Original          json.RawMessage `json:"original_schema"`
	Update            json.RawMessage `json:"update_schema"`
	Changes           []string        `json:"changes"`
	Compatible        bool            `json:"compatible"`
	CompatibleLenient *bool           `json:"compatible_lenient"`
}

// schemaText accepts a schema given either as a JSON object or as a string
// holding one.
func schemaText(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s
	}
	return string(raw)
}

// knownDeviations lists vector cases whose change list charter cannot
// reproduce, by file and index, with the reason. Their compatibility flags
// are still checked.
var knownDeviations = map[string]string{}

func TestConfluentDiffVectors(t *testing.T) {
	dir := sharedDir(t)
	files := []string{
		"diff-schema-examples.json",
		"diff-combined-schema-examples.json",
		"diff-combined-schema-examples-2020-12.json",
		"diff-schema-examples-2020-12.strict.json",
	}
	f := New()
	total, matched := 0, 0
	for _, file := range files {
		data, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		var cases []diffCase
		if err := json.Unmarshal(data, &cases); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for i, tc := range cases {
			id := fmt.Sprintf("%s#%d", file, i)
			t.Run(fmt.Sprintf("%s/%d/%s", strings.TrimSuffix(file, ".json"), i, tc.Description), func(t *testing.T) {
				total++
				o, err := f.Parse(schemaText(t, tc.Original), nil)
				if err != nil {
					t.Fatalf("original: %v", err)
				}
				u, err := f.Parse(schemaText(t, tc.Update), nil)
				if err != nil {
					t.Fatalf("update: %v", err)
				}
				strict := f.Diff(o, u, compat.Options{})
				got := make([]string, 0, len(strict))
				for _, c := range strict {
					got = append(got, c.Kind+" "+c.Path)
				}
				want := append([]string(nil), tc.Changes...)
				slices.Sort(got)
				slices.Sort(want)
				if reason, ok := knownDeviations[id]; ok {
					t.Logf("known deviation (%s): got %v, want %v", reason, got, want)
				} else if !slices.Equal(got, want) {
					t.Errorf("changes:\n got  %v\n want %v", got, want)
				} else {
					matched++
				}
				if c := allCompatible(strict); c != tc.Compatible {
					t.Errorf("compatible (STRICT) = %v, want %v; changes %v", c, tc.Compatible, got)
				}
				wantLenient := tc.Compatible
				if tc.CompatibleLenient != nil {
					wantLenient = *tc.CompatibleLenient
				}
				lenient := f.Diff(o, u, compat.Options{Lenient: true})
				if c := allCompatible(lenient); c != wantLenient {
					t.Errorf("compatible (LENIENT) = %v, want %v", c, wantLenient)
				}
				// Confluent's own test judges the STRICT findings against
				// the LENIENT set; the registry diffs under LENIENT. Both
				// must agree with the vector.
				if c := allIn(strict, compatibleLenient); c != wantLenient {
					t.Errorf("STRICT findings judged LENIENT = %v, want %v", c, wantLenient)
				}
			})
		}
	}
	t.Logf("change lists matched: %d of %d (%d known deviations)", matched, total, len(knownDeviations))
}

func allCompatible(cs []compat.Change) bool {
	for _, c := range cs {
		if !c.Compatible {
			return false
		}
	}
	return true
}

func allIn(cs []compat.Change, set kindSet) bool {
	for _, c := range cs {
		if !set[c.Kind] {
			return false
		}
	}
	return true
}

// The 2020-12 file as Confluent ships it has trailing commas, which strict
// JSON (and so this format) rejects; the .strict copy holds the same cases.
func TestConfluentLenient2020FileIsNotStrictJSON(t *testing.T) {
	dir := sharedDir(t)
	data, err := os.ReadFile(filepath.Join(dir, "diff-schema-examples-2020-12.json"))
	if err != nil {
		t.Skipf("not available: %v", err)
	}
	if json.Valid(data) {
		t.Fatalf("diff-schema-examples-2020-12.json parses as strict JSON now; add it to TestConfluentDiffVectors")
	}
}

func TestConfluentLevelCases(t *testing.T) {
	dir := sharedDir(t)
	data, err := os.ReadFile(filepath.Join(dir, "level-cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Schemas map[string]string `json:"schemas"`
		Cases   []struct {
			ID         string   `json:"id"`
			Level      string   `json:"level"`
			New        string   `json:"new"`
			Previous   []string `json:"previous"`
			Compatible bool     `json:"compatible"`
		} `json:"level_cases"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	f := New()
	parse := func(t *testing.T, name string) compat.Schema {
		s, err := f.Parse(file.Schemas[name], nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return s
	}
	for _, tc := range file.Cases {
		t.Run(tc.ID, func(t *testing.T) {
			level, err := compat.ParseLevel(tc.Level)
			if err != nil {
				t.Fatal(err)
			}
			var prev []compat.Version
			for i, p := range tc.Previous {
				prev = append(prev, compat.Version{Version: i + 1, Type: compat.JSON, Schema: parse(t, p)})
			}
			v := compat.Check(f, level, compat.JSON, parse(t, tc.New), prev, compat.Options{})
			if got := len(v) == 0; got != tc.Compatible {
				t.Errorf("compatible = %v, want %v; violations %+v", got, tc.Compatible, v)
			}
		})
	}
}

func TestConfluentRecursiveSchema(t *testing.T) {
	dir := sharedDir(t)
	data, err := os.ReadFile(filepath.Join(dir, "recursive-schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	f := New()
	a, err := f.Parse(string(data), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.Parse(string(data), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, pair := range [][2]compat.Schema{{a, b}, {a, a}} {
		if d := f.Diff(pair[0], pair[1], compat.Options{}); len(d) != 0 {
			t.Errorf("diff of the recursive schema with itself: %+v", d)
		}
	}
}
