package protobuf

import (
	"encoding/json"
	shared "github.com/charter-registry/charter/internal/testdata"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/charter-registry/charter/compat"
)

// sharedDir is the Confluent protobuf test-vector folder, found from the
// repository root as ../shared/testdata/confluent/protobuf.
func sharedDir(t testing.TB) string {
	return shared.Shared(t, "testdata/confluent/protobuf")
}

type vectorDep struct {
	Name       string  `json:"name"`
	Dependency *string `json:"dependency"`
}

type vectorCase struct {
	Description          string      `json:"description"`
	OriginalSchema       string      `json:"original_schema"`
	UpdateSchema         string      `json:"update_schema"`
	Changes              []string    `json:"changes"`
	Compatible           bool        `json:"compatible"`
	OriginalDependencies []vectorDep `json:"original_dependencies"`
	UpdateDependencies   []vectorDep `json:"update_dependencies"`
}

// resolveText reads a value ending in .proto as a file under dir, as the
// upstream test does.
func resolveText(t *testing.T, dir, s string) string {
	t.Helper()
	if !strings.HasSuffix(s, ".proto") {
		return s
	}
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(s)))
	if err != nil {
		t.Fatalf("read %s: %v", s, err)
	}
	return string(b)
}

func vectorDeps(t *testing.T, dir string, deps []vectorDep) []compat.Dependency {
	var out []compat.Dependency
	for _, d := range deps {
		if d.Dependency != nil {
			out = append(out, compat.Dependency{Name: d.Name, Schema: *d.Dependency})
			continue
		}
		if isStandardImport(d.Name) {
			// Not copied into the vectors: the compiler's own copy is used.
			continue
		}
		out = append(out, compat.Dependency{Name: d.Name, Schema: resolveText(t, dir, d.Name)})
	}
	return out
}

func loadCases(t *testing.T, file string) (string, []vectorCase) {
	dir := sharedDir(t)
	b, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		t.Fatal(err)
	}
	var cases []vectorCase
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	return dir, cases
}

func changeStrings(changes []compat.Change) []string {
	out := make([]string, len(changes))
	for i, c := range changes {
		out[i] = c.Kind + " " + c.Path
	}
	return out
}

func sortedCopy(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// knownDeviations lists vector cases charter deliberately answers
// differently, by description, with the reason. The compatible flag must
// still match for them.
var knownDeviations = map[string]string{}

func runVectorFile(t *testing.T, file string, wantCount int) {
	dir, cases := loadCases(t, file)
	if wantCount > 0 && len(cases) != wantCount {
		t.Fatalf("%s has %d cases, want %d", file, len(cases), wantCount)
	}
	f := New()
	for i, tc := range cases {
		t.Run(tc.Description, func(t *testing.T) {
			orig, err := f.Parse(resolveText(t, dir, tc.OriginalSchema), vectorDeps(t, dir, tc.OriginalDependencies))
			if err != nil {
				t.Fatalf("case %d: parse original: %v", i, err)
			}
			upd, err := f.Parse(resolveText(t, dir, tc.UpdateSchema), vectorDeps(t, dir, tc.UpdateDependencies))
			if err != nil {
				t.Fatalf("case %d: parse update: %v", i, err)
			}
			changes := f.Diff(orig, upd, compat.Options{})
			compatible := true
			for _, c := range changes {
				if c.Compatible != Compatible(c.Kind) {
					t.Errorf("case %d: %s flagged compatible=%v", i, c.Kind, c.Compatible)
				}
				if c.Rule == "" || c.Message == "" {
					t.Errorf("case %d: change %+v lacks a rule or message", i, c)
				}
				compatible = compatible && c.Compatible
			}
			if compatible != tc.Compatible {
				t.Errorf("case %d: compatible = %v, want %v (changes %v)", i, compatible, tc.Compatible, changeStrings(changes))
			}
			got, want := sortedCopy(changeStrings(changes)), sortedCopy(tc.Changes)
			if !slices.Equal(got, want) {
				if reason, ok := knownDeviations[tc.Description]; ok {
					t.Logf("case %d: known deviation (%s): got %v, Confluent %v", i, reason, got, want)
					return
				}
				t.Errorf("case %d: changes\n got  %v\n want %v", i, got, want)
			}
		})
	}
}

func TestConfluentDiffExamples(t *testing.T) {
	runVectorFile(t, "diff-schema-examples.json", 54)
}

func TestConfluentDiffExamplesWithMeta(t *testing.T) {
	runVectorFile(t, "diff-schema-examples-with-meta.json", 1)
}

func TestConfluentTestProtoFixture(t *testing.T) {
	dir := sharedDir(t)
	base := "io/confluent/kafka/schemaregistry/protobuf/diff/"
	f := New()
	orig, err := f.Parse(resolveText(t, dir, base+"TestProto.proto"), nil)
	if err != nil {
		t.Fatal(err)
	}
	upd, err := f.Parse(resolveText(t, dir, base+"TestProto2.proto"), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := changeStrings(f.Diff(orig, upd, compat.Options{}))
	for _, want := range []string{"FIELD_NAME_CHANGED #/TestMessage/2", "FIELD_SCALAR_KIND_CHANGED #/TestMessage/2"} {
		if !slices.Contains(got, want) {
			t.Errorf("changes %v lack %q", got, want)
		}
	}
}

// TestBuiltinConfluentFilesMatchUpstream compiles the upstream copies of
// confluent/meta.proto and confluent/type/decimal.proto from the test
// vectors and checks that charter's embedded files declare the same
// descriptors (names, numbers, types and options; not comments).
func TestBuiltinConfluentFilesMatchUpstream(t *testing.T) {
	dir := sharedDir(t)
	f := New()
	for _, path := range []string{"confluent/meta.proto", "confluent/type/decimal.proto"} {
		upstream := mustParse(t, f, resolveText(t, dir, path))
		ours := mustParse(t, f, "syntax = \"proto3\";\nimport \""+path+"\";\n")
		embedded := ours.Descriptor().Imports().Get(0).FileDescriptor
		a, b := fileProto(upstream.Descriptor()), fileProto(embedded)
		for _, fdp := range []*descriptorpb.FileDescriptorProto{a, b} {
			fdp.Name, fdp.SourceCodeInfo = nil, nil
		}
		if !proto.Equal(a, b) {
			t.Errorf("%s differs from upstream:\n%v\n%v", path, a, b)
		}
	}
}
