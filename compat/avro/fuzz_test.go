package avro

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/charter-registry/charter/compat"
)

var fuzzSeeds = []string{
	`"int"`,
	`["null","string",{"type":"array","items":"long"}]`,
	`{"type":"record","name":"R","namespace":"a.b","doc":"d","aliases":["Q"],"fields":[{"name":"f","type":"int","default":1,"aliases":["g"],"order":"descending","x":{"y":[1,2.5e3]}}]}`,
	`{"type":"record","name":"Node","fields":[{"name":"v","type":"int"},{"name":"next","type":["null","Node"],"default":null}]}`,
	`{"type":"enum","name":"E","symbols":["A","B"],"default":"A"}`,
	`{"type":"fixed","name":"F","size":16,"logicalType":"decimal","precision":4,"scale":2}`,
	`{"type":"map","values":{"type":"record","name":"V","fields":[{"name":"s","type":"string","default":null}]}}`,
	`{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"record","name":"x.S","fields":[{"name":"b","type":"S"}]}},{"name":"c","type":"x.S"}]}`,
	"/* c */ {\"type\": // c\n \"string\"}",
	`{"type":"record","name":"R","fields":[{"name":"u","type":["null","string"],"default":"null"}]}`,
	`{"type":"record","name":"string","namespace":"a","fields":[{"name":"r","type":["null","a.string"]}]}`,
	`[[`,
	`{"type":"record","name":"R","fields":[{"name":"x","type":[]}]}`,
}

// FuzzParse checks that Parse never panics, always fails with a
// *compat.ParseError, and that what it accepts round-trips: the canonical
// and normalized forms parse again to the same forms, and a schema is
// compatible with its own canonical form.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	for _, s := range sharedSchemas() {
		f.Add(s)
	}
	format := New(MaxDepth(16))
	f.Fuzz(func(t *testing.T, text string) {
		s, err := format.Parse(text, nil)
		if err != nil {
			var pe *compat.ParseError
			if !errors.As(err, &pe) || pe.Message == "" {
				t.Fatalf("error %v (%T) is not a *compat.ParseError with a message", err, err)
			}
			return
		}
		as := s.(*Schema)
		canonical := as.Canonical()
		if !json.Valid([]byte(canonical)) {
			t.Fatalf("canonical form is not JSON: %s", canonical)
		}
		again, err := format.Parse(canonical, nil)
		if err != nil {
			t.Fatalf("canonical form %s does not parse: %v", canonical, err)
		}
		if again.Canonical() != canonical {
			t.Fatalf("canonical form is not a fixed point:\n%s\n%s", canonical, again.Canonical())
		}
		if again.Normalized() != as.Normalized() {
			t.Fatalf("normalized form changed:\n%s\n%s", as.Normalized(), again.Normalized())
		}
		if _, err := format.Parse(as.Normalized(), nil); err != nil {
			t.Fatalf("normalized form %s does not parse: %v", as.Normalized(), err)
		}
		if self := format.Diff(s, s, compat.Options{}); len(self) > 0 && !strings.Contains(self[0].Message, "matches several fields") {
			t.Fatalf("a schema differs from itself: %+v", self)
		}
		for _, c := range format.Diff(s, again, compat.Options{}) {
			if c.Compatible {
				continue // the canonical form drops docs, aliases and defaults
			}
			// Avro refuses a reader field whose alias names a second
			// writer field, even in a schema read against itself.
			if !strings.Contains(c.Message, "matches several fields") {
				t.Fatalf("a schema does not read itself: %+v", c)
			}
		}
		_ = as.FieldNames()
	})
}

// sharedSchemas returns the Confluent test schemas when ../shared is there.
func sharedSchemas() []string {
	_, file, _, _ := runtime.Caller(0)
	p := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "testdata", "confluent", "avro", "compat-cases.json")
	b, err := os.ReadFile(p)
	if err != nil {
		return nil
	}
	var c struct {
		Schemas map[string]string `json:"schemas"`
	}
	if json.Unmarshal(b, &c) != nil {
		return nil
	}
	out := make([]string, 0, len(c.Schemas))
	for _, s := range c.Schemas {
		out = append(out, s)
	}
	return out
}
