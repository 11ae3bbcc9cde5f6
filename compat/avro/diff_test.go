package avro

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/charter-registry/charter/compat"
)

func mustParse(t testing.TB, f *Format, text string, deps ...compat.Dependency) *Schema {
	t.Helper()
	s, err := f.Parse(text, deps)
	if err != nil {
		t.Fatalf("parse %s: %v", text, err)
	}
	return s.(*Schema)
}

// rec wraps fields in a record named R.
func rec(fields ...string) string {
	return `{"type":"record","name":"R","namespace":"ns","fields":[` + strings.Join(fields, ",") + `]}`
}

// fld is a field f<i> of type typ.
func fld(name, typ string) string { return fmt.Sprintf(`{"name":%q,"type":%s}`, name, typ) }

type wantChange struct{ kind, path string }

func kinds(changes []compat.Change) []wantChange {
	out := make([]wantChange, 0, len(changes))
	for _, c := range changes {
		if !c.Compatible {
			out = append(out, wantChange{c.Kind, c.Path})
		}
	}
	return out
}

func TestDiffResolutionRules(t *testing.T) {
	const suit = `{"type":"enum","name":"Suit","symbols":["SPADES","HEARTS","DIAMONDS","CLUBS"]}`
	const suit3 = `{"type":"enum","name":"Suit","symbols":["SPADES","HEARTS","DIAMONDS"]}`
	const list = `{"type":"record","name":"Node","fields":[{"name":"value","type":"int"},{"name":"next","type":["null","Node"],"default":null}]}`
	tests := []struct {
		name           string
		writer, reader string
		want           []wantChange
	}{
		// Primitive promotions.
		{"int promotes to long", `"int"`, `"long"`, nil},
		{"int promotes to float", `"int"`, `"float"`, nil},
		{"int promotes to double", `"int"`, `"double"`, nil},
		{"long promotes to float", `"long"`, `"float"`, nil},
		{"long promotes to double", `"long"`, `"double"`, nil},
		{"float promotes to double", `"float"`, `"double"`, nil},
		{"string reads bytes", `"bytes"`, `"string"`, nil},
		{"bytes reads string", `"string"`, `"bytes"`, nil},
		{"long does not narrow to int", `"long"`, `"int"`, []wantChange{{TypeMismatch, "/"}}},
		{"double does not narrow to float", `"double"`, `"float"`, []wantChange{{TypeMismatch, "/"}}},
		{"float does not narrow to long", `"float"`, `"long"`, []wantChange{{TypeMismatch, "/"}}},
		{"string is not int", `"string"`, `"int"`, []wantChange{{TypeMismatch, "/"}}},
		{"boolean is not int", `"boolean"`, `"int"`, []wantChange{{TypeMismatch, "/"}}},
		{"null is not string", `"null"`, `"string"`, []wantChange{{TypeMismatch, "/"}}},
		{"promotion inside a field", rec(fld("a", `"int"`)), rec(fld("a", `"long"`)), nil},
		{"narrowing inside a field", rec(fld("a", `"long"`)), rec(fld("a", `"int"`)), []wantChange{{TypeMismatch, "/fields/0/type"}}},
		{"logical types are not compared", rec(fld("a", `{"type":"int","logicalType":"date"}`)), rec(fld("a", `"int"`)), nil},

		// Record fields.
		{"field added with a default", rec(fld("a", `"int"`)), rec(fld("a", `"int"`), `{"name":"b","type":"string","default":"x"}`), nil},
		{"field added with a null default", rec(fld("a", `"int"`)), rec(fld("a", `"int"`), `{"name":"b","type":["null","string"],"default":null}`), nil},
		{"field added without a default", rec(fld("a", `"int"`)), rec(fld("a", `"int"`), fld("b", `"string"`)), []wantChange{{ReaderFieldMissingDefaultValue, "/fields/1"}}},
		{"field removed", rec(fld("a", `"int"`), fld("b", `"string"`)), rec(fld("a", `"int"`)), nil},
		{"fields reordered", rec(fld("a", `"int"`), fld("b", `"string"`)), rec(fld("b", `"string"`), fld("a", `"int"`)), nil},
		{"field renamed with an alias", rec(fld("a", `"int"`)), rec(`{"name":"z","type":"int","aliases":["a"]}`), nil},
		{"field renamed without an alias", rec(fld("a", `"int"`)), rec(fld("z", `"int"`)), []wantChange{{ReaderFieldMissingDefaultValue, "/fields/0"}}},
		{"writer aliases do not count", rec(`{"name":"a","type":"int","aliases":["z"]}`), rec(fld("z", `"int"`)), []wantChange{{ReaderFieldMissingDefaultValue, "/fields/0"}}},
		{"alias matching two writer fields", rec(fld("a", `"int"`), fld("b", `"int"`)), rec(`{"name":"a","type":"int","aliases":["b"]}`), []wantChange{{NameMismatch, "/fields/0"}}},
		{"two problems in one record", rec(fld("a", `"long"`)), rec(fld("a", `"int"`), fld("b", `"int"`)), []wantChange{{TypeMismatch, "/fields/0/type"}, {ReaderFieldMissingDefaultValue, "/fields/1"}}},
		{"nested record field", rec(fld("n", `{"type":"record","name":"N","fields":[{"name":"x","type":"int"}]}`)),
			rec(fld("n", `{"type":"record","name":"N","fields":[{"name":"x","type":"int"},{"name":"y","type":"int"}]}`)),
			[]wantChange{{ReaderFieldMissingDefaultValue, "/fields/0/type/fields/1"}}},

		// Names and aliases of named types.
		{"record renamed", rec(fld("a", `"int"`)), strings.Replace(rec(fld("a", `"int"`)), `"name":"R"`, `"name":"S"`, 1), []wantChange{{NameMismatch, "/name"}}},
		{"record renamed with an alias", rec(fld("a", `"int"`)), `{"type":"record","name":"S","namespace":"ns","aliases":["R"],"fields":[{"name":"a","type":"int"}]}`, nil},
		{"record alias in another namespace", rec(fld("a", `"int"`)), `{"type":"record","name":"S","namespace":"other","aliases":["ns.R"],"fields":[{"name":"a","type":"int"}]}`, nil},
		{"record moved to another namespace", rec(fld("a", `"int"`)), strings.Replace(rec(fld("a", `"int"`)), `"namespace":"ns"`, `"namespace":"other"`, 1), nil},
		{"record becomes an enum", rec(fld("a", `"int"`)), suit, []wantChange{{TypeMismatch, "/"}}},

		// Enums.
		{"enum symbol added", suit3, suit, nil},
		{"enum symbol removed", suit, suit3, []wantChange{{MissingEnumSymbols, "/symbols"}}},
		{"enum symbol removed, reader default", suit, `{"type":"enum","name":"Suit","symbols":["SPADES","HEARTS","DIAMONDS"],"default":"SPADES"}`, nil},
		{"enum renamed", suit, strings.Replace(suit, `"Suit"`, `"Colour"`, 1), []wantChange{{NameMismatch, "/name"}}},
		{"enum renamed with an alias", suit, `{"type":"enum","name":"Colour","aliases":["Suit"],"symbols":["SPADES","HEARTS","DIAMONDS","CLUBS"]}`, nil},
		{"enum renamed and symbol removed", suit, strings.Replace(suit3, `"Suit"`, `"Colour"`, 1), []wantChange{{NameMismatch, "/name"}, {MissingEnumSymbols, "/symbols"}}},
		{"enum field with enum default but no field default is missing in writer", rec(fld("a", `"int"`)),
			rec(fld("a", `"int"`), fld("e", `{"type":"enum","name":"E","symbols":["A","B"],"default":"A"}`)),
			[]wantChange{{TypeMismatch, "/fields/1/type"}}},

		// Fixed.
		{"fixed unchanged", `{"type":"fixed","name":"F","size":4}`, `{"type":"fixed","name":"F","size":4}`, nil},
		{"fixed size changed", `{"type":"fixed","name":"F","size":4}`, `{"type":"fixed","name":"F","size":8}`, []wantChange{{FixedSizeMismatch, "/size"}}},
		{"fixed renamed", `{"type":"fixed","name":"F","size":4}`, `{"type":"fixed","name":"G","size":4}`, []wantChange{{NameMismatch, "/name"}}},
		{"fixed renamed with an alias", `{"type":"fixed","name":"F","size":4}`, `{"type":"fixed","name":"G","aliases":["F"],"size":4}`, nil},
		{"fixed renamed and resized", `{"type":"fixed","name":"F","size":4}`, `{"type":"fixed","name":"G","size":2}`, []wantChange{{NameMismatch, "/name"}, {FixedSizeMismatch, "/size"}}},
		{"fixed is not bytes", `{"type":"fixed","name":"F","size":4}`, `"bytes"`, []wantChange{{TypeMismatch, "/"}}},

		// Unions.
		{"union gains a branch", rec(fld("u", `["null","string"]`)), rec(fld("u", `["null","string","int"]`)), nil},
		{"union loses a branch", rec(fld("u", `["null","string","int"]`)), rec(fld("u", `["null","string"]`)), []wantChange{{MissingUnionBranch, "/fields/0/type/2"}}},
		{"union branches reordered", rec(fld("u", `["null","string"]`)), rec(fld("u", `["string","null"]`)), nil},
		{"type widened to a union", rec(fld("u", `"string"`)), rec(fld("u", `["null","string"]`)), nil},
		{"type widened to a union by promotion", rec(fld("u", `"int"`)), rec(fld("u", `["null","long"]`)), nil},
		{"reader union lacks the writer type", rec(fld("u", `"int"`)), rec(fld("u", `["null","string"]`)), []wantChange{{MissingUnionBranch, "/fields/0/type"}}},
		{"union narrowed to one type", rec(fld("u", `["null","string"]`)), rec(fld("u", `"string"`)), []wantChange{{TypeMismatch, "/fields/0/type/0"}}},
		{"union branch promoted", `["null","int"]`, `["null","long"]`, nil},
		// The empty union, which Avro's Java parser accepts: it has no datum
		// to read, and no branch to read any datum into.
		{"empty writer union", `[]`, `"int"`, nil},
		{"empty union gains a branch", rec(fld("u", `[]`)), rec(fld("u", `["null"]`)), nil},
		{"empty reader union", `"int"`, `[]`, []wantChange{{MissingUnionBranch, "/"}}},
		{"union emptied", rec(fld("u", `["null"]`)), rec(fld("u", `[]`)), []wantChange{{MissingUnionBranch, "/fields/0/type/0"}}},
		{"union branch record changed", `["null",` + rec(fld("a", `"int"`)) + `]`, `["null",` + rec(fld("a", `"int"`), fld("b", `"int"`)) + `]`, []wantChange{{MissingUnionBranch, "/1"}}},

		// Arrays and maps.
		{"array items promoted", `{"type":"array","items":"int"}`, `{"type":"array","items":"long"}`, nil},
		{"array items narrowed", `{"type":"array","items":"long"}`, `{"type":"array","items":"int"}`, []wantChange{{TypeMismatch, "/items"}}},
		{"map values narrowed", `{"type":"map","values":"long"}`, `{"type":"map","values":"int"}`, []wantChange{{TypeMismatch, "/values"}}},
		{"array becomes a map", `{"type":"array","items":"int"}`, `{"type":"map","values":"int"}`, []wantChange{{TypeMismatch, "/"}}},
		{"array of records", `{"type":"array","items":` + rec(fld("a", `"int"`)) + `}`, `{"type":"array","items":` + rec(fld("a", `"int"`), fld("b", `"int"`)) + `}`,
			[]wantChange{{ReaderFieldMissingDefaultValue, "/items/fields/1"}}},
		{"map of arrays", `{"type":"map","values":{"type":"array","items":"string"}}`, `{"type":"map","values":{"type":"array","items":"int"}}`,
			[]wantChange{{TypeMismatch, "/values/items"}}},

		// Recursive types.
		{"recursive type unchanged", list, list, nil},
		{"recursive type gains a field with a default", list, strings.Replace(list, `]}`, `,{"name":"w","type":"int","default":0}]}`, 1), nil},
		{"recursive type gains a field without a default", list, strings.Replace(list, `]}`, `,{"name":"w","type":"int"}]}`, 1), []wantChange{{ReaderFieldMissingDefaultValue, "/fields/2"}}},
		{"recursive type narrows a field", strings.Replace(list, `"type":"int"`, `"type":"long"`, 1), list, []wantChange{{TypeMismatch, "/fields/0/type"}}},
	}
	f := New()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := kinds(f.Diff(mustParse(t, f, tc.writer), mustParse(t, f, tc.reader), compat.Options{}))
			if !slices.Equal(got, tc.want) {
				t.Fatalf("changes = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestDiffMessages(t *testing.T) {
	f := New()
	tests := []struct {
		name           string
		writer, reader string
		want           string
	}{
		{"missing default", rec(fld("f1", `"string"`)), rec(fld("f1", `"string"`), fld("f2", `"string"`)),
			"The field 'f2' at path '/fields/1' in the new schema has no default value and is missing in the old schema"},
		{"enum symbols", `{"type":"enum","name":"E","symbols":["A","B","C","D"]}`, `{"type":"enum","name":"E","symbols":["A","C"]}`,
			"The new schema is missing enum symbols '[B, D]' at path '/symbols' in the old schema"},
		{"type mismatch", rec(fld("f1", `"string"`)), rec(fld("f1", `"int"`)),
			"The type (path '/fields/0/type') of a field in the new schema does not match with the old schema (reader type: INT not compatible with writer type: STRING)"},
		{"name mismatch", `{"type":"fixed","name":"a.F","size":1}`, `{"type":"fixed","name":"G","size":1}`,
			"The name of the schema has changed (path '/name') (expected: a.F)"},
		{"fixed size", `{"type":"fixed","name":"F","size":16}`, `{"type":"fixed","name":"F","size":8}`,
			"The size of FIXED type field at path '/size' in the new schema does not match with the old schema (expected: 16, found: 8)"},
		{"union branch", `["null","string"]`, `["null"]`,
			"The new schema is missing a type inside a union field at path '/1' in the old schema (reader union lacking writer type: STRING)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			changes := f.Diff(mustParse(t, f, tc.writer), mustParse(t, f, tc.reader), compat.Options{})
			if len(changes) != 1 {
				t.Fatalf("changes = %+v, want one", changes)
			}
			c := changes[0]
			if c.Message != tc.want {
				t.Errorf("message\n got: %s\nwant: %s", c.Message, tc.want)
			}
			if c.Rule != c.Kind || c.Compatible {
				t.Errorf("rule %q kind %q compatible %v: want rule = kind and incompatible", c.Rule, c.Kind, c.Compatible)
			}
		})
	}
}

// TestDiffDefaultIsNotCached guards against hamba's SchemaCompatibility
// pitfall: it caches verdicts by a fingerprint that ignores defaults, so a
// reader checked with a default first is then wrongly passed without one.
func TestDiffDefaultIsNotCached(t *testing.T) {
	f := New()
	writer := mustParse(t, f, `{"type":"record","name":"myrecord","fields":[{"type":"string","name":"f1"}]}`)
	withDefault := mustParse(t, f, `{"type":"record","name":"myrecord","fields":[{"type":"string","name":"f1"},{"type":"string","name":"f2","default":"foo"}]}`)
	without := mustParse(t, f, `{"type":"record","name":"myrecord","fields":[{"type":"string","name":"f1"},{"type":"string","name":"f2"}]}`)
	for round := range 2 {
		if got := kinds(f.Diff(writer, withDefault, compat.Options{})); len(got) != 0 {
			t.Fatalf("round %d: with a default: %v, want compatible", round, got)
		}
		want := []wantChange{{ReaderFieldMissingDefaultValue, "/fields/1"}}
		if got := kinds(f.Diff(writer, without, compat.Options{})); !slices.Equal(got, want) {
			t.Fatalf("round %d: without a default after checking with one: %v, want %v", round, got, want)
		}
	}
	// The same through a level check, as the registry runs it.
	prev := []compat.Version{{Version: 1, Type: compat.Avro, Schema: writer}, {Version: 2, Type: compat.Avro, Schema: withDefault}}
	if v := compat.Check(f, compat.BackwardTransitive, compat.Avro, without, prev, compat.Options{}); len(v) == 0 || v[0].Kind != ReaderFieldMissingDefaultValue {
		t.Fatalf("BACKWARD_TRANSITIVE violations = %+v, want READER_FIELD_MISSING_DEFAULT_VALUE", v)
	}
}

func TestDiffSharedRecordReportedAtEachUse(t *testing.T) {
	f := New()
	addr := `{"type":"record","name":"Addr","fields":[{"name":"street","type":"string"}]}`
	addr2 := `{"type":"record","name":"Addr","fields":[{"name":"street","type":"string"},{"name":"zip","type":"string"}]}`
	w := mustParse(t, f, rec(fld("home", addr), fld("work", `"Addr"`)))
	r := mustParse(t, f, rec(fld("home", addr2), fld("work", `"Addr"`)))
	want := []wantChange{{ReaderFieldMissingDefaultValue, "/fields/0/type/fields/1"}, {ReaderFieldMissingDefaultValue, "/fields/1/type/fields/1"}}
	if got := kinds(f.Diff(w, r, compat.Options{})); !slices.Equal(got, want) {
		t.Fatalf("changes = %v, want %v", got, want)
	}
}

func TestDiffMutuallyRecursiveTerminates(t *testing.T) {
	f := New()
	tree := `{"type":"record","name":"Tree","fields":[{"name":"kids","type":{"type":"array","items":{"type":"record","name":"Kid","fields":[{"name":"tree","type":["null","Tree"]},{"name":"n","type":"int"}]}}}]}`
	wider := strings.Replace(tree, `"type":"int"`, `"type":"long"`, 1)
	if got := kinds(f.Diff(mustParse(t, f, tree), mustParse(t, f, wider), compat.Options{})); len(got) != 0 {
		t.Fatalf("promotion in a recursive type: %v", got)
	}
	want := []wantChange{{TypeMismatch, "/fields/0/type/items/fields/1/type"}}
	if got := kinds(f.Diff(mustParse(t, f, wider), mustParse(t, f, tree), compat.Options{})); !slices.Equal(got, want) {
		t.Fatalf("narrowing in a recursive type: %v, want %v", got, want)
	}
}

func TestDiffInvalidDefaultCountsAsDefault(t *testing.T) {
	// Confluent parses without validating defaults and its checker only asks
	// whether a default is present.
	f := New()
	w := mustParse(t, f, rec(fld("a", `"int"`)))
	r := mustParse(t, f, rec(fld("a", `"int"`), `{"name":"b","type":"string","default":null}`))
	if got := kinds(f.Diff(w, r, compat.Options{})); len(got) != 0 {
		t.Fatalf("changes = %v, want none", got)
	}
}

func TestDiffAcrossReferences(t *testing.T) {
	f := New()
	addrV1 := compat.Dependency{Name: "address", Schema: `{"type":"record","name":"Address","namespace":"com.acme","fields":[{"name":"street","type":"string"}]}`}
	addrV2 := compat.Dependency{Name: "address", Schema: `{"type":"record","name":"Address","namespace":"com.acme","fields":[{"name":"street","type":"string"},{"name":"zip","type":"string"}]}`}
	main := `{"type":"record","name":"Customer","namespace":"com.acme","fields":[{"name":"address","type":"Address"}]}`
	w := mustParse(t, f, main, addrV1)
	r := mustParse(t, f, main, addrV2)
	want := []wantChange{{ReaderFieldMissingDefaultValue, "/fields/0/type/fields/1"}}
	got := f.Diff(w, r, compat.Options{})
	if !slices.Equal(kinds(got), want) {
		t.Fatalf("changes = %v, want %v", kinds(got), want)
	}
	// The location leaves this text for the reference; the position stops
	// at the field's type.
	if got[0].Line != 1 || got[0].Column != strings.Index(main, `"Address"}`)+1 {
		t.Errorf("position = %d:%d, want 1:%d", got[0].Line, got[0].Column, strings.Index(main, `"Address"}`)+1)
	}
}

func TestDiffPositions(t *testing.T) {
	f := New()
	w := mustParse(t, f, rec(fld("a", `"int"`)))
	reader := "{\"type\":\"record\",\"name\":\"R\",\"namespace\":\"ns\",\n" +
		"  \"fields\":[\n" +
		"    {\"name\":\"a\",\"type\":\"int\"},\n" +
		"    {\"name\":\"b\",\"type\":\"int\"}\n" +
		"]}"
	got := f.Diff(w, mustParse(t, f, reader), compat.Options{})
	if len(got) != 1 || got[0].Line != 4 || got[0].Column != 5 {
		t.Fatalf("changes = %+v, want one at 4:5", got)
	}
}

func TestDiffForeignSchema(t *testing.T) {
	f := New()
	got := f.Diff(nil, mustParse(t, f, `"int"`), compat.Options{})
	if len(got) != 1 || got[0].Compatible {
		t.Fatalf("changes = %+v, want one incompatible change", got)
	}
}
