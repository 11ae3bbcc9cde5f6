package lint

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/compat/avro"
	"github.com/charter-registry/charter/compat/jsonschema"
	"github.com/charter-registry/charter/compat/protobuf"
)

// fuzzLint parses text with f and, when it parses, lints it with every
// rule against itself and as a key: no input may panic, and every finding
// has a rule id and a message.
func fuzzLint(f *testing.F, format compat.Format, ext string) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*", "*", "*"+ext))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(string(b))
		}
	}
	rules := Rules()
	f.Fuzz(func(t *testing.T, text string) {
		s, err := format.Parse(text, nil)
		if err != nil {
			return
		}
		for _, in := range []Input{
			{Schema: s, Type: format.Type(), Subject: "x-value", Previous: s, Format: format},
			{Schema: s, Type: format.Type(), Subject: "x-key", Event: State},
			{Schema: s, Type: format.Type(), Event: Delta},
		} {
			for _, x := range Run(in, rules) {
				if x.Rule == "" || x.Message == "" {
					t.Fatalf("finding without rule or message: %+v", x)
				}
			}
		}
	})
}

func FuzzLintAvro(f *testing.F)       { fuzzLint(f, avro.New(), ".avsc") }
func FuzzLintProtobuf(f *testing.F)   { fuzzLint(f, protobuf.New(), ".proto") }
func FuzzLintJSONSchema(f *testing.F) { fuzzLint(f, jsonschema.New(), ".json") }
