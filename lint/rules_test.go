package lint

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/charter-registry/charter/compat"
)

var update = flag.Bool("update", false, "rewrite testdata/<RULE>/want.txt from the findings")

var extType = map[string]compat.Type{".avsc": compat.Avro, ".proto": compat.Protobuf, ".json": compat.JSON}

// TestRuleFixtures runs each rule alone over testdata/<RULE>/current (with
// testdata/<RULE>/previous as the earlier version where a file of the same
// name is there) and compares rule id, line, column and path with
// want.txt; every file under testdata/<RULE>/clean must give no finding.
// Every rule has fixtures, for every format it applies to.
func TestRuleFixtures(t *testing.T) {
	for _, r := range Rules() {
		t.Run(r.ID, func(t *testing.T) {
			dir := filepath.Join("testdata", r.ID)
			current, _ := filepath.Glob(filepath.Join(dir, "current", "*"))
			clean, _ := filepath.Glob(filepath.Join(dir, "clean", "*"))
			for _, typ := range r.Formats {
				if !slices.ContainsFunc(current, func(p string) bool { return extType[filepath.Ext(p)] == typ }) {
					t.Errorf("no %s fixture under %s/current", typ, dir)
				}
			}
			if len(clean) == 0 {
				t.Errorf("no false-positive fixture under %s/clean", dir)
			}
			var got strings.Builder
			for _, f := range current {
				in := inputFor(t, f, "orders-value")
				fs := Run(in, []Rule{r})
				if len(fs) == 0 && r.AppliesTo(in.Type) {
					t.Errorf("%s: no finding", f)
				}
				for _, x := range fs {
					if x.Rule != r.ID {
						t.Errorf("%s: finding of %s", f, x.Rule)
					}
					if x.Line == 0 || x.Column == 0 || x.Path == "" {
						t.Errorf("%s: finding without a position: %+v", f, x)
					}
					if r.Heuristic != strings.HasPrefix(x.Message, "(heuristic) ") {
						t.Errorf("%s: heuristic=%v but message %q", f, r.Heuristic, x.Message)
					}
					fmt.Fprintf(&got, "%s %s %d:%d %s\n", filepath.Base(f), x.Rule, x.Line, x.Column, x.Path)
				}
			}
			want := filepath.Join(dir, "want.txt")
			if *update {
				if err := os.WriteFile(want, []byte(got.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			b, err := os.ReadFile(want)
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != string(b) {
				t.Errorf("findings differ from %s:\ngot:\n%swant:\n%s", want, got.String(), b)
			}
			for _, f := range clean {
				for _, x := range Run(inputFor(t, f, "orders-value"), []Rule{r}) {
					t.Errorf("%s: false positive %s at %d:%d: %s", f, x.Rule, x.Line, x.Column, x.Message)
				}
			}
		})
	}
}

// TestRulesOfEveryFormatCheckANewOne: a rule that reads only the outline
// checks a format beside Avro, Protobuf and JSON Schema too; a rule for
// some formats does not.
func TestRulesOfEveryFormatCheckANewOne(t *testing.T) {
	t.Parallel()
	for _, r := range Rules() {
		every := len(r.Formats) == 3
		if got := r.AppliesTo("XSD"); got != every {
			t.Errorf("%s (formats %v) applies to a new format: %v, want %v", r.ID, r.Formats, got, every)
		}
	}
}
