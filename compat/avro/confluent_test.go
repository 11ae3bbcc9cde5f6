package avro

import (
	"encoding/json"
	"os"
	"slices"
	"testing"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/internal/testdata"
)

// confluentCases is shared/testdata/confluent/avro/compat-cases.json.
type confluentCases struct {
	Schemas    map[string]string `json:"schemas"`
	LevelCases []struct {
		ID          string   `json:"id"`
		Description string   `json:"description"`
		Level       string   `json:"level"`
		New         string   `json:"new"`
		Previous    []string `json:"previous"`
		Compatible  bool     `json:"compatible"`
	} `json:"level_cases"`
	ReaderWriterCases []struct {
		Reader     string   `json:"reader"`
		Writer     string   `json:"writer"`
		Compatible bool     `json:"compatible"`
		ErrorTypes []string `json:"error_types"`
	} `json:"reader_writer_cases"`
	ParseCases []struct {
		Schema                     string `json:"schema"`
		Parses                     *bool  `json:"parses"`
		ParsesWithValidateDefaults *bool  `json:"parses_with_validate_defaults"`
		Description                string `json:"description"`
	} `json:"parse_cases"`
	EqualityCases []struct {
		A           string `json:"a"`
		B           string `json:"b"`
		Equal       bool   `json:"equal"`
		Description string `json:"description"`
	} `json:"equality_cases"`
	CanonicalCases []struct {
		Input       string `json:"input"`
		Canonical   string `json:"canonical"`
		Normalized  string `json:"normalized"`
		Description string `json:"description"`
	} `json:"canonical_cases"`
}

func loadConfluent(t *testing.T) *confluentCases {
	t.Helper()
	b, err := os.ReadFile(testdata.Shared(t, "testdata/confluent/avro/compat-cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var c confluentCases
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return &c
}

func (c *confluentCases) parse(t *testing.T, f *Format, name string) *Schema {
	t.Helper()
	text, ok := c.Schemas[name]
	if !ok {
		t.Fatalf("no schema %q in compat-cases.json", name)
	}
	s, err := f.Parse(text, nil)
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	return s.(*Schema)
}

func TestConfluentParseCases(t *testing.T) {
	c := loadConfluent(t)
	if len(c.ParseCases) == 0 {
		t.Fatal("no parse_cases")
	}
	for _, pc := range c.ParseCases {
		t.Run(pc.Schema, func(t *testing.T) {
			text := c.Schemas[pc.Schema]
			if pc.Parses != nil {
				_, err := New().Parse(text, nil)
				if got := err == nil; got != *pc.Parses {
					t.Fatalf("%s: parses = %v (err %v), want %v", pc.Description, got, err, *pc.Parses)
				}
			}
			if pc.ParsesWithValidateDefaults != nil {
				_, err := New(ValidateDefaults()).Parse(text, nil)
				if got := err == nil; got != *pc.ParsesWithValidateDefaults {
					t.Fatalf("%s: parses with ValidateDefaults = %v (err %v), want %v", pc.Description, got, err, *pc.ParsesWithValidateDefaults)
				}
				if err != nil {
					if _, ok := err.(*compat.ParseError); !ok {
						t.Fatalf("error is %T, want *compat.ParseError", err)
					}
				}
			}
		})
	}
}

func TestConfluentEqualityCases(t *testing.T) {
	c := loadConfluent(t)
	f := New()
	if len(c.EqualityCases) == 0 {
		t.Fatal("no equality_cases")
	}
	for _, ec := range c.EqualityCases {
		t.Run(ec.A+"_"+ec.B, func(t *testing.T) {
			a, b := c.parse(t, f, ec.A), c.parse(t, f, ec.B)
			if got := a.Canonical() == b.Canonical(); got != ec.Equal {
				t.Fatalf("%s: equal = %v, want %v\n a: %s\n b: %s", ec.Description, got, ec.Equal, a.Canonical(), b.Canonical())
			}
			// Each schema equals itself parsed again.
			if again := c.parse(t, f, ec.A); again.Canonical() != a.Canonical() {
				t.Fatalf("canonical form of %s is not stable", ec.A)
			}
		})
	}
}

func TestConfluentCanonicalCases(t *testing.T) {
	c := loadConfluent(t)
	if len(c.CanonicalCases) == 0 {
		t.Fatal("no canonical_cases")
	}
	for _, cc := range c.CanonicalCases {
		t.Run(cc.Description, func(t *testing.T) {
			s, err := New().Parse(cc.Input, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Canonical(); got != cc.Canonical {
				t.Errorf("canonical\n got: %s\nwant: %s", got, cc.Canonical)
			}
			if got := s.Normalized(); got != cc.Normalized {
				t.Errorf("normalized\n got: %s\nwant: %s", got, cc.Normalized)
			}
		})
	}
}

func TestConfluentReaderWriterCases(t *testing.T) {
	c := loadConfluent(t)
	f := New()
	if len(c.ReaderWriterCases) == 0 {
		t.Fatal("no reader_writer_cases")
	}
	for _, rw := range c.ReaderWriterCases {
		t.Run(rw.Reader+"_reads_"+rw.Writer, func(t *testing.T) {
			changes := f.Diff(c.parse(t, f, rw.Writer), c.parse(t, f, rw.Reader), compat.Options{})
			if got := len(incompatible(changes)) == 0; got != rw.Compatible {
				t.Fatalf("compatible = %v, want %v; changes %+v", got, rw.Compatible, changes)
			}
			for _, want := range rw.ErrorTypes {
				if !slices.ContainsFunc(changes, func(ch compat.Change) bool { return ch.Kind == want }) {
					t.Errorf("missing error type %s in %+v", want, changes)
				}
			}
		})
	}
}

func TestConfluentLevelCases(t *testing.T) {
	c := loadConfluent(t)
	f := New()
	if len(c.LevelCases) == 0 {
		t.Fatal("no level_cases")
	}
	for _, lc := range c.LevelCases {
		t.Run(lc.ID, func(t *testing.T) {
			level, err := compat.ParseLevel(lc.Level)
			if err != nil {
				t.Fatal(err)
			}
			prev := make([]compat.Version, len(lc.Previous))
			for i, name := range lc.Previous {
				prev[i] = compat.Version{Version: i + 1, Type: compat.Avro, Schema: c.parse(t, f, name)}
			}
			v := compat.Check(f, level, compat.Avro, c.parse(t, f, lc.New), prev, compat.Options{})
			if got := len(v) == 0; got != lc.Compatible {
				t.Fatalf("%s: compatible = %v, want %v; violations %+v", lc.Description, got, lc.Compatible, v)
			}
		})
	}
}

func incompatible(changes []compat.Change) []compat.Change {
	var out []compat.Change
	for _, c := range changes {
		if !c.Compatible {
			out = append(out, c)
		}
	}
	return out
}
