package protobuf

import (
	"slices"
	"strings"
	"testing"

	"github.com/charter-registry/charter/compat"
)

func findChange(changes []compat.Change, kind, path string) (compat.Change, bool) {
	for _, c := range changes {
		if c.Kind == kind && c.Path == path {
			return c, true
		}
	}
	return compat.Change{}, false
}

func TestDiffAnnotations(t *testing.T) {
	f := New()
	before := mustParse(t, f, `syntax = "proto3";
package shop;
message Bar {
  string foo = 3;
  int32 count = 4;
  message Gone {}
}
enum Color { RED = 0; BLUE = 1; }
`)
	after := mustParse(t, f, `syntax = "proto3";
package shop;
message Bar {
  string count = 4;
}
enum Color { RED = 0; }
`)
	cases := []struct {
		kind, path, rule string
		line, col        int
		message          string
		compatible       bool
	}{
		{FieldRemoved, "#/Bar/3", "FIELD_NO_DELETE", 3, 1, `Previously present field "3" with name "foo" on message "Bar" was deleted.`, true},
		{FieldScalarKindChanged, "#/Bar/4", "FIELD_WIRE_COMPATIBLE_TYPE", 4, 3, `Field "4" with name "count" on message "Bar" changed type from "int32" to "string", which is not wire compatible.`, false},
		{MessageRemoved, "#/Bar/Gone", "MESSAGE_NO_DELETE", 3, 1, `Previously present message "Bar.Gone" was deleted from message "Bar".`, false},
		{EnumConstRemoved, "#/Color/1", "ENUM_VALUE_NO_DELETE", 6, 1, `Previously present enum value "1" with name "BLUE" on enum "Color" was deleted.`, true},
	}
	changes := f.Diff(before, after, compat.Options{})
	if len(changes) != len(cases) {
		t.Errorf("got %d changes, want %d: %v", len(changes), len(cases), changeStrings(changes))
	}
	for _, tc := range cases {
		c, ok := findChange(changes, tc.kind, tc.path)
		if !ok {
			t.Errorf("missing %s %s in %v", tc.kind, tc.path, changeStrings(changes))
			continue
		}
		if c.Rule != tc.rule || c.Line != tc.line || c.Column != tc.col || c.Message != tc.message || c.Compatible != tc.compatible {
			t.Errorf("%s %s:\n got  rule=%s at %d:%d compatible=%v %q\n want rule=%s at %d:%d compatible=%v %q",
				tc.kind, tc.path, c.Rule, c.Line, c.Column, c.Compatible, c.Message, tc.rule, tc.line, tc.col, tc.compatible, tc.message)
		}
	}
}

func TestDiffPackageChangePointsAtPackage(t *testing.T) {
	f := New()
	a := mustParse(t, f, "syntax = \"proto3\";\npackage a;\nmessage M {}")
	b := mustParse(t, f, "syntax = \"proto3\";\n\npackage b;\nmessage M {}")
	c, ok := findChange(f.Diff(a, b, compat.Options{}), PackageChanged, "#/")
	if !ok || c.Rule != "FILE_SAME_PACKAGE" || c.Line != 3 || c.Column != 1 || c.Compatible {
		t.Fatalf("got %+v", c)
	}
}

func TestDiffIdenticalSchemasHaveNoChanges(t *testing.T) {
	f := New()
	text := `syntax = "proto2";
package p;
message Tree {
  required string name = 1;
  repeated Tree children = 2;
  optional Tree parent = 3;
  map<string, Tree> index = 4;
  oneof o { int32 a = 5; string b = 6; }
  extensions 100 to 200;
}
extend Tree { optional int32 ext = 100; }`
	a, b := mustParse(t, f, text), mustParse(t, f, text)
	if changes := f.Diff(a, b, compat.Options{}); len(changes) != 0 {
		t.Fatalf("changes %v", changeStrings(changes))
	}
}

func TestDiffRecursesIntoChangedDependencyAndStopsOnCycles(t *testing.T) {
	f := New()
	dep := func(nodeType string) compat.Dependency {
		return compat.Dependency{Name: "tree.proto", Schema: `syntax = "proto3";
package lib;
message Node {
  ` + nodeType + ` value = 1;
  repeated Node children = 2;
  Leaf leaf = 3;
}
message Leaf { Node back = 1; }`}
	}
	main := "syntax = \"proto3\";\nimport \"tree.proto\";\nmessage Doc {\n  lib.Node root = 1;\n}"
	a := mustParse(t, f, main, dep("int32"))
	same := mustParse(t, f, main, dep("int32"))
	b := mustParse(t, f, main, dep("double"))
	if changes := f.Diff(a, same, compat.Options{}); len(changes) != 0 {
		t.Fatalf("same dependency text: %v", changeStrings(changes))
	}
	got := changeStrings(f.Diff(a, b, compat.Options{}))
	for _, want := range []string{"FIELD_SCALAR_KIND_CHANGED #/Node/1", "FIELD_NAMED_TYPE_CHANGED #/Doc/1"} {
		if !slices.Contains(got, want) {
			t.Errorf("changes %v lack %q", got, want)
		}
	}
}

func TestDiffLabelsFollowConfluent(t *testing.T) {
	f := New()
	cases := []struct {
		before, after string
		want          []string
	}{
		// proto3 fields without a label have none to compare.
		{"int32 x = 1;", "repeated int32 x = 1;", nil},
		{"optional int32 x = 1;", "repeated int32 x = 1;", []string{"FIELD_NUMERIC_LABEL_CHANGED #/M/1"}},
		{"optional bool x = 1;", "repeated bool x = 1;", []string{"FIELD_NUMERIC_LABEL_CHANGED #/M/1"}},
		{"optional bytes x = 1;", "repeated string x = 1;", []string{"FIELD_STRING_OR_BYTES_LABEL_CHANGED #/M/1"}},
		{"map<string, int32> x = 1;", "map<string, int64> x = 1;", nil},
		{"map<string, int32> x = 1;", "map<string, sint32> x = 1;", []string{"FIELD_SCALAR_KIND_CHANGED #/M/1"}},
		{"map<string, int32> x = 1;", "repeated int32 x = 1;", []string{"FIELD_KIND_CHANGED #/M/1"}},
		{"fixed32 x = 1;", "sfixed32 x = 1;", nil},
		{"fixed32 x = 1;", "fixed64 x = 1;", []string{"FIELD_SCALAR_KIND_CHANGED #/M/1"}},
	}
	for _, tc := range cases {
		a := mustParse(t, f, "syntax = \"proto3\";\nmessage M {\n  "+tc.before+"\n}")
		b := mustParse(t, f, "syntax = \"proto3\";\nmessage M {\n  "+tc.after+"\n}")
		got := changeStrings(f.Diff(a, b, compat.Options{}))
		if !slices.Equal(sortedCopy(got), sortedCopy(tc.want)) {
			t.Errorf("%s -> %s: got %v, want %v", tc.before, tc.after, got, tc.want)
		}
	}
}

func TestDiffRejectsForeignSchemas(t *testing.T) {
	f := New()
	a := mustParse(t, f, "syntax = \"proto3\";")
	changes := f.Diff(a, fakeSchema{}, compat.Options{})
	if len(changes) != 1 || changes[0].Compatible {
		t.Fatalf("got %+v", changes)
	}
}

type fakeSchema struct{}

func (fakeSchema) Canonical() string  { return "" }
func (fakeSchema) Normalized() string { return "" }

func TestCheckTransitive(t *testing.T) {
	f := New()
	v1 := mustParse(t, f, "syntax = \"proto3\";\nmessage M { int32 a = 1; }")
	v2 := mustParse(t, f, "syntax = \"proto3\";\nmessage M { int32 a = 1; string b = 2; }")
	next := mustParse(t, f, "syntax = \"proto3\";\nmessage M { int64 a = 1; bytes b = 2; double c = 3; }")
	prev := []compat.Version{{Version: 1, Type: compat.Protobuf, Schema: v1}, {Version: 2, Type: compat.Protobuf, Schema: v2}}
	if v := compat.Check(f, compat.FullTransitive, compat.Protobuf, next, prev, compat.Options{}); len(v) != 0 {
		t.Fatalf("violations %+v", v)
	}
	bad := mustParse(t, f, "syntax = \"proto3\";\nmessage M { sint32 a = 1; }")
	v := compat.Check(f, compat.BackwardTransitive, compat.Protobuf, bad, prev, compat.Options{})
	if len(v) != 1 || v[0].Kind != FieldScalarKindChanged || v[0].OldVersion != 2 || !strings.Contains(v[0].Message, "sint32") {
		t.Fatalf("violations %+v", v)
	}
}

func TestSchemasAreSafeForConcurrentUse(t *testing.T) {
	f := New()
	a := mustParse(t, f, wideSchema(30, 1))
	b := mustParse(t, f, wideSchema(30, 2))
	done := make(chan []string, 4)
	for range 4 {
		go func() {
			_ = a.Normalized()
			done <- changeStrings(f.Diff(a, b, compat.Options{}))
		}()
	}
	first := <-done
	for range 3 {
		if got := <-done; !slices.Equal(got, first) {
			t.Errorf("concurrent diffs disagree: %v vs %v", got, first)
		}
	}
	if len(first) == 0 {
		t.Error("versions 1 and 2 should differ by field names")
	}
}
