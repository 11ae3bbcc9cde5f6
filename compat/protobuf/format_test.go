package protobuf

import (
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/charter-registry/charter/compat"
)

func mustParse(t testing.TB, f *Format, text string, deps ...compat.Dependency) *Schema {
	t.Helper()
	s, err := f.Parse(text, deps)
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, text)
	}
	return s.(*Schema)
}

func TestTypeIsProtobuf(t *testing.T) {
	if got := New().Type(); got != compat.Protobuf {
		t.Fatalf("Type() = %q", got)
	}
}

func TestNormalizedIgnoresLayoutCommentsAndFieldOrder(t *testing.T) {
	variants := []string{
		`syntax = "proto3";
package shop;

// An order.
message Order {
  string id = 1;
  int64 amount = 2; // in cents
  Line line = 3;
  message Line { string sku = 1; int32 qty = 2; }
  enum State { NEW = 0; PAID = 1; }
  State state = 4;
}
`,
		`syntax="proto3";package shop;
/* different comment */
message Order{State state=4;Line line=3;
int64 amount=2;string id=1;
enum State{NEW=0;PAID=1;}
message Line{int32 qty=2;string sku=1;}}`,
		`syntax = "proto3";
package shop;
message Order {
    .shop.Order.Line line = 3;
    Order.State state = 4;
    string id = 1;
    int64 amount = 2;
    message Line {
        string sku = 1;
        int32 qty = 2;
    }
    enum State {
        NEW = 0;
        PAID = 1;
    }
}`,
	}
	f := New()
	want := mustParse(t, f, variants[0]).Normalized()
	for i, v := range variants[1:] {
		if got := mustParse(t, f, v).Normalized(); got != want {
			t.Errorf("variant %d normalises differently:\n%s\nwant\n%s", i+1, got, want)
		}
	}
	if strings.Contains(want, "cents") || strings.Contains(want, "An order") {
		t.Errorf("normalized form keeps comments:\n%s", want)
	}
	if !strings.Contains(want, ".shop.Order.Line line = 3;") {
		t.Errorf("normalized form does not qualify type names:\n%s", want)
	}
}

func TestNormalizedKeepsMessageOrder(t *testing.T) {
	// Message indexes in records count messages in declaration order, so
	// normalising must not reorder messages.
	f := New()
	a := mustParse(t, f, `syntax = "proto3"; message B { string x = 1; } message A { string y = 1; }`)
	b := mustParse(t, f, `syntax = "proto3"; message A { string y = 1; } message B { string x = 1; }`)
	if a.Normalized() == b.Normalized() {
		t.Fatalf("reordered messages normalise to one string:\n%s", a.Normalized())
	}
	if strings.Index(a.Normalized(), "message B") > strings.Index(a.Normalized(), "message A") {
		t.Fatalf("normalized form reordered messages:\n%s", a.Normalized())
	}
}

func TestCanonicalIgnoresWhitespace(t *testing.T) {
	f := New()
	a := mustParse(t, f, "syntax = \"proto3\";\nmessage A {\n  string x = 1;\n  int32 y = 2;\n}\n")
	b := mustParse(t, f, "syntax=\"proto3\"; message A{string x=1;int32 y=2;}")
	if a.Canonical() != b.Canonical() {
		t.Fatalf("canonical forms differ:\n%s\n---\n%s", a.Canonical(), b.Canonical())
	}
}

func TestParseErrorsHavePositions(t *testing.T) {
	cases := []struct {
		name       string
		text       string
		line, col  int
		msgContain string
	}{
		{"syntax error", "syntax = \"proto3\";\nmessage A {\n  string x = 1\n}", 4, 1, "expecting ';'"},
		{"unknown type", "syntax = \"proto3\";\nmessage A {\n  strin x = 1;\n}", 3, 3, "unknown type strin"},
		{"duplicate number", "syntax = \"proto3\";\nmessage A {\n  string x = 1;\n  string y = 1;\n}", 4, 14, "same tag"},
		{"unknown import", "syntax = \"proto3\";\nimport \"nope.proto\";\nmessage A {}", 2, 8, "nope.proto"},
	}
	f := New()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.Parse(tc.text, nil)
			var pe *compat.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T) is not a *compat.ParseError", err, err)
			}
			if pe.Line != tc.line || pe.Column != tc.col {
				t.Errorf("position %d:%d, want %d:%d (%s)", pe.Line, pe.Column, tc.line, tc.col, pe.Message)
			}
			if !strings.Contains(pe.Message, tc.msgContain) {
				t.Errorf("message %q lacks %q", pe.Message, tc.msgContain)
			}
		})
	}
}

func TestCyclicImportsAreRefused(t *testing.T) {
	f := New()
	deps := []compat.Dependency{
		{Name: "a.proto", Schema: "syntax = \"proto3\";\nimport \"b.proto\";\nmessage A {}"},
		{Name: "b.proto", Schema: "syntax = \"proto3\";\nimport \"a.proto\";\nmessage B {}"},
	}
	_, err := f.Parse("syntax = \"proto3\";\nimport \"a.proto\";\nmessage M { A a = 1; }", deps)
	var pe *compat.ParseError
	if !errors.As(err, &pe) || !strings.Contains(pe.Message, "cycle") {
		t.Fatalf("got %v, want an import cycle ParseError", err)
	}
	_, err = f.Parse("syntax = \"proto3\";\nimport \"schema_self.proto\";\nmessage M {}",
		[]compat.Dependency{{Name: "schema_self.proto", Schema: "syntax = \"proto3\";\nimport \"schema_self.proto\";"}})
	if !errors.As(err, &pe) || !strings.Contains(pe.Message, "cycle") {
		t.Fatalf("self import: got %v, want an import cycle ParseError", err)
	}
}

func TestBuiltinImportsNeedNoDependencies(t *testing.T) {
	f := New()
	s := mustParse(t, f, `syntax = "proto3";
import "google/type/date.proto";
import "google/type/money.proto";
import "google/protobuf/timestamp.proto";
import "confluent/meta.proto";
import "confluent/type/decimal.proto";
message Payment {
  google.type.Date day = 1;
  google.type.Money amount = 2 [(confluent.field_meta).doc = "gross"];
  google.protobuf.Timestamp at = 3;
  confluent.type.Decimal rate = 4 [(confluent.field_meta) = { params: [{ key: "precision", value: "8" }] }];
}`)
	md := s.Descriptor().Messages().ByName("Payment")
	if got := md.Fields().ByName("day").Message().FullName(); got != "google.type.Date" {
		t.Errorf("day has type %s", got)
	}
	for _, path := range BuiltinImports() {
		mustParse(t, f, "syntax = \"proto3\";\nimport \""+path+"\";\n")
	}
	for _, want := range []string{"confluent/meta.proto", "confluent/type/decimal.proto", "google/type/date.proto", "google/type/datetime.proto", "google/type/localized_text.proto"} {
		if !slices.Contains(BuiltinImports(), want) {
			t.Errorf("BuiltinImports lacks %s", want)
		}
	}
}

func TestDependencyOverridesBuiltin(t *testing.T) {
	f := New()
	dep := compat.Dependency{Name: "google/type/date.proto", Schema: "syntax = \"proto3\";\npackage google.type;\nmessage Date { int32 year = 1; int32 extra = 9; }"}
	s := mustParse(t, f, "syntax = \"proto3\";\nimport \"google/type/date.proto\";\nmessage M { google.type.Date d = 1; }", dep)
	if s.Descriptor().Messages().Get(0).Fields().Get(0).Message().Fields().ByName("extra") == nil {
		t.Fatal("registered google/type/date.proto was not used")
	}
}

func TestLimitsAreEnforced(t *testing.T) {
	f := New(MaxDepth(8), MaxSchemaBytes(4096))
	deep := "syntax = \"proto3\";\n" + strings.Repeat("message M {", 10) + strings.Repeat("}", 10)
	if _, err := f.Parse(deep, nil); err == nil || !strings.Contains(err.Error(), "nests") {
		t.Errorf("deep nesting: got %v", err)
	}
	big := "syntax = \"proto3\";\n//" + strings.Repeat("x", 5000)
	if _, err := f.Parse(big, nil); err == nil || !strings.Contains(err.Error(), "bytes") {
		t.Errorf("large schema: got %v", err)
	}
	if _, err := f.Parse("syntax = \"proto3\";", []compat.Dependency{{Name: "d.proto", Schema: big}}); err == nil {
		t.Error("large dependency accepted")
	}
	// Braces inside strings and comments do not count.
	ok := "syntax = \"proto3\";\n// {{{{{{{{{{{{\nmessage M { string s = 1 [json_name = \"{{{{{{{{{{{{\"]; }"
	if _, err := f.Parse(ok, nil); err != nil {
		t.Errorf("braces in comments and strings: %v", err)
	}
}

func TestSerializedRoundTrip(t *testing.T) {
	f := New()
	text := `syntax = "proto3";
package shop;
import "google/protobuf/timestamp.proto";
message Order {
  string id = 1;
  google.protobuf.Timestamp at = 2;
  map<string, int32> counts = 3;
  oneof pay { string card = 4; string iban = 5; }
}`
	s := mustParse(t, f, text)
	b, err := s.Serialized()
	if err != nil {
		t.Fatal(err)
	}
	fromBytes, err := f.ParseSerialized(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	fromBase64, err := f.Parse(base64.StdEncoding.EncodeToString(b), nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, other := range map[string]compat.Schema{"bytes": fromBytes, "base64": fromBase64} {
		if other.Normalized() != s.Normalized() {
			t.Errorf("%s: normalized differs:\n%s\nwant\n%s", name, other.Normalized(), s.Normalized())
		}
		if changes := f.Diff(s, other, compat.Options{}); len(changes) != 0 {
			t.Errorf("%s: diff against the text form: %v", name, changeStrings(changes))
		}
	}
	if _, err := f.ParseSerialized([]byte{0xff, 0xff}, nil); err == nil {
		t.Error("garbage accepted as a serialized descriptor")
	}
}

func TestCanonicalAndNormalizedReparse(t *testing.T) {
	dir, cases := loadCases(t, "diff-schema-examples.json")
	f := New()
	for i, tc := range cases {
		for _, side := range []struct {
			text string
			deps []vectorDep
		}{{tc.OriginalSchema, tc.OriginalDependencies}, {tc.UpdateSchema, tc.UpdateDependencies}} {
			deps := vectorDeps(t, dir, side.deps)
			s := mustParse(t, f, resolveText(t, dir, side.text), deps...)
			again := mustParse(t, f, s.Canonical(), deps...)
			if again.Canonical() != s.Canonical() {
				t.Errorf("case %d: canonical form is not stable:\n%s\n---\n%s", i, s.Canonical(), again.Canonical())
			}
			if changes := f.Diff(s, again, compat.Options{}); len(changes) != 0 {
				t.Errorf("case %d: canonical form differs from the schema: %v", i, changeStrings(changes))
			}
			norm := mustParse(t, f, s.Normalized(), deps...)
			if norm.Normalized() != s.Normalized() {
				t.Errorf("case %d: normalized form is not stable:\n%s\n---\n%s", i, s.Normalized(), norm.Normalized())
			}
		}
	}
}

func TestFieldNames(t *testing.T) {
	s := mustParse(t, New(), `syntax = "proto3";
message A { string id = 1; map<string, string> tags = 2; message B { int32 qty = 1; string id = 2; } }
message C { oneof o { string name = 1; } }`)
	want := []string{"id", "name", "qty", "tags"}
	if got := s.FieldNames(); !slices.Equal(got, want) {
		t.Fatalf("FieldNames() = %v, want %v", got, want)
	}
}
