package lint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/compat/avro"
	"github.com/charter-registry/charter/compat/jsonschema"
	"github.com/charter-registry/charter/compat/protobuf"
)

func formatFor(t *testing.T, path string) compat.Format {
	t.Helper()
	switch filepath.Ext(path) {
	case ".avsc":
		return avro.New()
	case ".proto":
		return protobuf.New()
	case ".json":
		return jsonschema.New()
	}
	t.Fatalf("%s: no format for this extension", path)
	return nil
}

func parseFile(t *testing.T, path string) (compat.Format, compat.Schema) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f := formatFor(t, path)
	s, err := f.Parse(string(b), nil)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return f, s
}

// inputFor builds the Input for a fixture: a *.key.* file is a key
// schema, a *.state.* file a declared state event, and a file of the same
// name under ../previous is the earlier version.
func inputFor(t *testing.T, path, subject string) Input {
	t.Helper()
	f, s := parseFile(t, path)
	in := Input{Schema: s, Type: f.Type(), Subject: subject, Format: f}
	in.Key = strings.Contains(filepath.Base(path), ".key.")
	if strings.Contains(filepath.Base(path), ".state.") {
		in.Event = State
	}
	prev := filepath.Join(filepath.Dir(filepath.Dir(path)), "previous", filepath.Base(path))
	if _, err := os.Stat(prev); err == nil {
		_, ps := parseFile(t, prev)
		in.Previous = ps
		in.PreviousSubject = subject
	}
	return in
}

func only(t *testing.T, id string) []Rule {
	t.Helper()
	r, ok := Lookup(id)
	if !ok {
		t.Fatalf("no rule %s", id)
	}
	return []Rule{r}
}
