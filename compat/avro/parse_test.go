package avro

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/charter-registry/charter/compat"
	havro "github.com/hamba/avro/v2"
)

func parseError(t *testing.T, f *Format, text string, deps ...compat.Dependency) *compat.ParseError {
	t.Helper()
	s, err := f.Parse(text, deps)
	if err == nil {
		t.Fatalf("parse succeeded (%s), want an error", s.Canonical())
	}
	var pe *compat.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v is %T, want *compat.ParseError", err, err)
	}
	return pe
}

func TestParseAcceptsEveryTopLevelForm(t *testing.T) {
	var f Format // the zero value is usable
	for _, text := range []string{
		`"int"`,
		`{"type":"string"}`,
		`["null","string"]`,
		`[]`, // the empty union, as Avro's Java parser accepts it
		`{"type":"record","name":"Never","fields":[{"name":"v","type":[]}]}`,
		`{"type":"array","items":"int"}`,
		`{"type":"map","values":{"type":"array","items":"bytes"}}`,
		`{"type":"enum","name":"E","symbols":["A"]}`,
		`{"type":"fixed","name":"F","size":16}`,
		`{"type":"error","name":"Oops","fields":[]}`,
		"// a comment\n{\"type\":\"record\",/* another */\"name\":\"R\",\"fields\":[]}",
		"\xef\xbb\xbf\"int\"",
	} {
		s, err := f.Parse(text, nil)
		if err != nil {
			t.Errorf("parse %q: %v", text, err)
			continue
		}
		if s.(*Schema).Avro() == nil {
			t.Errorf("parse %q: no hamba schema", text)
		}
	}
	if got := f.Type(); got != compat.Avro {
		t.Errorf("Type() = %q", got)
	}
}

// col is the 1-based column of the first occurrence of at in a one-line text.
func col(text, at string) int { return strings.Index(text, at) + 1 }

func TestParseErrorsSayWhatToFixAndWhere(t *testing.T) {
	tests := []struct {
		name      string
		text      string
		line, col int
		contains  string
	}{
		{"not JSON", "non-avro schema string", 1, 2, "not valid JSON"},
		{"syntax error on line 3", "{\"type\":\"record\",\n \"name\":\"R\",\n \"fields\":[}", 3, 12, "not valid JSON"},
		{"unterminated", `{"type":"record"`, 1, 17, "ends early"},
		{"empty", "  ", 0, 0, "empty"},
		{"two values", `"int" "long"`, 1, 7, "exactly one JSON value"},
		{"unclosed comment", `/* "int"`, 1, 1, "comment"},
		{"missing type", `{"name":"R","fields":[]}`, 1, 1, `missing "type"`},
		{"type in an object", `{"type":["null","int"]}`, 1, 9, "bare JSON array"},
		{"number as type", `{"type":"record","name":"R","fields":[{"name":"a","type":3}]}`, 1, col(`{"type":"record","name":"R","fields":[{"name":"a","type":3}]}`, `3}`), "type name"},
		{"unknown type", "{\"type\":\"record\",\"name\":\"R\",\"namespace\":\"com.acme\",\n\"fields\":[{\"name\":\"a\",\"type\":\"Address\"}]}", 2, 30, `unknown type "Address" (looked up as "com.acme.Address")`},
		{"complex type written as a name", `{"type":"array","items":"record"}`, 1, 25, "write it as an object"},
		{"missing name", `{"type":"record","fields":[]}`, 1, 1, `non-empty "name"`},
		{"missing fields", `{"type":"record","name":"R"}`, 1, 1, `"fields" array`},
		{"field without name", `{"type":"record","name":"R","fields":[{"type":"int"}]}`, 1, 39, `"name"`},
		{"field without type", `{"type":"record","name":"R","fields":[{"name":"a"}]}`, 1, 39, `needs a "type"`},
		{"duplicate field", `{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"a","type":"long"}]}`, 1, 65, `field "a" appears twice`},
		{"duplicate type", `["null",{"type":"enum","name":"E","symbols":["A"]},{"type":"enum","name":"E","symbols":["B"]}]`, 1, 52, "defined twice"},
		{"nested union", `["null",["int"]]`, 1, 9, "another union"},
		{"array without items", `{"type":"array"}`, 1, 1, `"items"`},
		{"map without values", `{"type":"map"}`, 1, 1, `"values"`},
		{"named after a primitive", `{"type":"fixed","name":"int","size":1}`, 1, 1, "primitive"},
		{"invalid type name", `{"type":"record","name":"my-record","fields":[]}`, 1, 25, "not a valid Avro name"},
		{"invalid namespace", `{"type":"record","name":"R","namespace":"com.1acme","fields":[]}`, 1, 25, `"com.1acme.R" is not a valid Avro name`},
		{"invalid field name", `{"type":"record","name":"R","fields":[{"name":"first-name","type":"string"}]}`, 1, 47, `field name "first-name"`},
		{"invalid enum symbol", `{"type":"enum","name":"E","symbols":["A","2B"]}`, 1, 42, `enum symbol "2B"`},
		{"invalid alias (from hamba)", `{"type":"record","name":"R","aliases":["a-b"],"fields":[]}`, 0, 0, "invalid"},
		{"bad enum default (from hamba)", `{"type":"enum","name":"E","symbols":["A"],"default":"B"}`, 0, 0, "default"},
	}
	f := New()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pe := parseError(t, f, tc.text)
			if pe.Line != tc.line || pe.Column != tc.col {
				t.Errorf("position = %d:%d, want %d:%d (%s)", pe.Line, pe.Column, tc.line, tc.col, pe.Message)
			}
			if !strings.Contains(pe.Message, tc.contains) {
				t.Errorf("message %q does not contain %q", pe.Message, tc.contains)
			}
		})
	}
}

func TestParseRefusesUnresolvedNameEvenAfterAnotherParseDeclaredIt(t *testing.T) {
	f := New()
	address := compat.Dependency{Name: "com.acme.Address", Schema: `{"type":"record","name":"Address","namespace":"com.acme","fields":[{"name":"street","type":"string"}]}`}
	customer := `{"type":"record","name":"Customer","fields":[{"name":"address","type":"com.acme.Address"}]}`
	mustParse(t, f, customer, address)
	// hamba's global cache would now resolve com.acme.Address; each Parse
	// must start from its own dependencies only.
	pe := parseError(t, f, customer)
	if !strings.Contains(pe.Message, `"com.acme.Address"`) || pe.Line != 1 || pe.Column != strings.Index(customer, `"com.acme.Address"`)+1 {
		t.Fatalf("error = %+v", pe)
	}
	// Nor does parsing the dependency on its own leak it.
	mustParse(t, f, address.Schema)
	parseError(t, f, customer)
}

func TestParseReferencesAcrossDependencies(t *testing.T) {
	f := New()
	country := compat.Dependency{Name: "country", Schema: `{"type":"enum","name":"Country","namespace":"com.acme","symbols":["NL","FR"]}`}
	address := compat.Dependency{Name: "address", Schema: `{"type":"record","name":"Address","namespace":"com.acme","fields":[{"name":"street","type":"string"},{"name":"country","type":"Country"}]}`}
	customer := `{"type":"record","name":"Customer","namespace":"com.acme.crm","fields":[{"name":"home","type":"com.acme.Address"},{"name":"work","type":["null","com.acme.Address"],"default":null}]}`
	s := mustParse(t, f, customer, country, address)

	wantCanonical := `{"type":"record","name":"Customer","namespace":"com.acme.crm","fields":[{"name":"home","type":"com.acme.Address"},{"name":"work","type":["null","com.acme.Address"],"default":null}]}`
	if got := s.Canonical(); got != wantCanonical {
		t.Errorf("canonical\n got: %s\nwant: %s", got, wantCanonical)
	}
	wantFields := []string{"home", "home.street", "home.country", "work"}
	if got := s.FieldNames(); !slices.Equal(got, wantFields) {
		t.Errorf("FieldNames = %v, want %v", got, wantFields)
	}
	home := s.Avro().(*havro.RecordSchema).Fields()[0].Type()
	if n, ok := deref(home).(*havro.RecordSchema); !ok || n.FullName() != "com.acme.Address" {
		t.Errorf("home resolves to %v", home)
	}

	// A reference reached twice through the graph is parsed once.
	mustParse(t, f, customer, country, address, country)

	// Dependencies in the wrong order: Address refers to Country before it
	// is defined.
	pe := parseError(t, f, customer, address, country)
	if !strings.Contains(pe.Message, `reference "address"`) || !strings.Contains(pe.Message, `"Country"`) {
		t.Errorf("error = %q", pe.Message)
	}
	// A dependency is not a place to redefine a type.
	pe = parseError(t, f, `{"type":"enum","name":"Country","namespace":"com.acme","symbols":["DE"]}`, country)
	if !strings.Contains(pe.Message, "defined twice") {
		t.Errorf("error = %q", pe.Message)
	}
}

func TestParseRejectsDeepNestingCleanly(t *testing.T) {
	f := New()
	const n = 10000
	arrays := strings.Repeat(`{"type":"array","items":`, n) + `"int"` + strings.Repeat(`}`, n)
	unions := strings.Repeat(`[`, n) + strings.Repeat(`]`, n)
	prop := `{"type":"int","x":` + strings.Repeat(`[`, n) + strings.Repeat(`]`, n) + `}`
	for name, text := range map[string]string{"arrays": arrays, "brackets": unions, "property": prop} {
		t.Run(name, func(t *testing.T) {
			pe := parseError(t, f, text)
			if !strings.Contains(pe.Message, "deeper than") || pe.Line != 1 || pe.Column == 0 {
				t.Fatalf("error = %+v", pe)
			}
		})
	}
}

func TestParseMaxDepth(t *testing.T) {
	nest := func(levels int) string {
		return strings.Repeat(`{"type":"array","items":`, levels) + `"int"` + strings.Repeat(`}`, levels)
	}
	f := New(MaxDepth(3))
	mustParse(t, f, nest(3))
	pe := parseError(t, f, nest(4))
	if !strings.Contains(pe.Message, "deeper than 3 levels") || pe.Column != 3*len(`{"type":"array","items":`)+1 {
		t.Fatalf("error = %+v", pe)
	}
	// Records cost more JSON levels than types: 64 nested records parse.
	var b strings.Builder
	for i := range DefaultMaxDepth - 1 {
		b.WriteString(`{"type":"record","name":"R` + strings.Repeat("x", i) + `","fields":[{"name":"f","type":[null,`)
	}
	text := strings.ReplaceAll(b.String(), "null", `"null"`) + `"int"` + strings.Repeat(`]}]}`, DefaultMaxDepth-1)
	pe = parseError(t, New(), text) // 63 records and 63 unions nest 126 types deep
	if !strings.Contains(pe.Message, "deeper than 64 levels") {
		t.Fatalf("error = %+v", pe)
	}
	mustParse(t, New(MaxDepth(2*DefaultMaxDepth)), text)
}

func TestParseDefaults(t *testing.T) {
	invalid := []struct {
		name, text, field string
		hambaKeeps        bool // hamba takes the default, Java does not
		message           string
	}{
		{"null default on a string", `{"type":"record","name":"R","fields":[{"name":"s","type":"string","default":null}]}`, "s", false, `null is not a valid string: to default to null, make the type a union with "null"`},
		{"string default on an int", `{"type":"record","name":"myrecord","fields":[{"type":"int","default":"foo","name":"f"}]}`, "f", false, `"foo" is not a valid int`},
		{"default fitting no branch of a union", "{\"type\":\"record\",\"name\":\"R\",\"fields\":[\n{\"name\":\"u\",\"type\":[\"null\",\"string\"],\"default\":5}]}", "u", false, `5 fits none of the union's types (null, string)`},
		{"any default on an empty union", `{"type":"record","name":"R","fields":[{"name":"e","type":[],"default":null}]}`, "e", false, "empty union"},
		{"fraction on an int", `{"type":"record","name":"R","fields":[{"name":"i","type":"int","default":1.5}]}`, "i", true, "1.5 is not a valid int: write a whole number from -2147483648 to 2147483647"},
		{"exponent on a long", `{"type":"record","name":"R","fields":[{"name":"l","type":"long","default":1e2}]}`, "l", true, "1e2 is not a valid long"},
		{"int beyond 32 bits", `{"type":"record","name":"R","fields":[{"name":"i","type":"int","default":2147483648}]}`, "i", true, "2147483648 is not a valid int"},
		{"null on a long", `{"type":"record","name":"R","fields":[{"name":"l","type":"long","default":null}]}`, "l", false, "null is not a valid long"},
		{"object on an array", `{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"array","items":"int"},"default":{}}]}`, "a", false, "{} is not a valid array"},
		{"array element of the wrong type", `{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"array","items":"int"},"default":[1,"x"]}]}`, "a", false, `[1,"x"] is not a valid array`},
		{"map value of the wrong type", `{"type":"record","name":"R","fields":[{"name":"m","type":{"type":"map","values":"long"},"default":{"k":true}}]}`, "m", false, `{"k":true} is not a valid map`},
		{"record default missing a field without a default", `{"type":"record","name":"R","namespace":"a","fields":[{"name":"n","type":{"type":"record","name":"N","fields":[{"name":"x","type":"int"}]},"default":{}}]}`, "n", false, "{} is not a valid record a.N"},
		{"nested field default invalid", `{"type":"record","name":"R","fields":[{"name":"n","type":{"type":"record","name":"N","fields":[{"name":"x","type":"int","default":"no"}]}}]}`, "x", false, `"no" is not a valid int`},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			// Accepted by default, as Confluent does for existing schemas.
			s := mustParse(t, New(), tc.text)
			if !strings.Contains(s.Canonical(), `"default"`) {
				t.Errorf("canonical form lost the default: %s", s.Canonical())
			}
			if !tc.hambaKeeps {
				for _, r := range recordsByName(s.Avro()) {
					for _, f := range r.Fields() {
						if f.Name() == tc.field && f.HasDefault() {
							t.Errorf("hamba schema has the invalid default of %s", tc.field)
						}
					}
				}
			}
			// Refused, with the position of the default, under
			// ValidateDefaults.
			pe := parseError(t, New(ValidateDefaults()), tc.text)
			if !strings.Contains(pe.Message, `invalid default for field "`+tc.field+`"`) || !strings.Contains(pe.Message, tc.message) || pe.Line == 0 {
				t.Errorf("error = %+v", pe)
			}
			wantCol := strings.LastIndex(tc.text, `"default":`) + len(`"default":`)
			if nl := strings.LastIndexByte(tc.text[:wantCol], '\n'); nl >= 0 {
				wantCol -= nl + 1
			}
			if pe.Column != wantCol+1 {
				t.Errorf("column = %d, want %d", pe.Column, wantCol+1)
			}
		})
	}
	// Defaults Java takes (Avro 1.12, as Confluent parses new schemas)
	// although hamba cannot hold them: they parse under ValidateDefaults
	// and are left out of the hamba schema.
	javaTakes := []struct{ name, text, field string }{
		{"union default fitting the second branch", `{"type":"record","name":"R","fields":[{"name":"u","type":["null","string"],"default":"x"}]}`, "u"},
		{"enum default naming no symbol", `{"type":"record","name":"R","fields":[{"name":"e","type":{"type":"enum","name":"E","symbols":["A"]},"default":"Z"}]}`, "e"},
	}
	for _, tc := range javaTakes {
		t.Run(tc.name, func(t *testing.T) {
			s := mustParse(t, New(ValidateDefaults()), tc.text)
			for _, f := range s.Avro().(*havro.RecordSchema).Fields() {
				if f.Name() == tc.field && f.HasDefault() {
					t.Errorf("hamba schema has the default of %s", tc.field)
				}
			}
		})
	}
	// Valid defaults survive into the hamba schema next to invalid ones.
	s := mustParse(t, New(), `{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":"x"},{"name":"b","type":"long","default":7}]}`)
	fields := s.Avro().(*havro.RecordSchema).Fields()
	if fields[0].HasDefault() || !fields[1].HasDefault() || fields[1].Default() != int64(7) {
		t.Errorf("defaults a=%v b=%v (%v)", fields[0].HasDefault(), fields[1].HasDefault(), fields[1].Default())
	}
	// Valid defaults pass ValidateDefaults, including a record default
	// whose missing members have defaults of their own, a recursive record
	// and a named type from a reference.
	mustParse(t, New(ValidateDefaults()), `{"type":"record","name":"R","fields":[{"name":"a","type":["null","int"],"default":null},{"name":"b","type":{"type":"array","items":"int"},"default":[1,2]},
		{"name":"c","type":{"type":"record","name":"C","fields":[{"name":"x","type":"int","default":1},{"name":"y","type":"string"}]},"default":{"y":"z"}},
		{"name":"d","type":"long","default":-9223372036854775808},{"name":"e","type":"double","default":1e3},{"name":"f","type":{"type":"fixed","name":"F","size":2},"default":"ab"},
		{"name":"g","type":{"type":"map","values":["null","C"]},"default":{"k":null,"l":{"y":"w"}}},{"name":"h","type":"C","default":{"y":"v"}},
		{"name":"next","type":["null","R"],"default":null}]}`)
	dep := compat.Dependency{Name: "m", Schema: `{"type":"record","name":"M","namespace":"a","fields":[{"name":"x","type":"int"}]}`}
	if _, err := New(ValidateDefaults()).Parse(`{"type":"record","name":"U","namespace":"b","fields":[{"name":"m","type":"a.M","default":{"x":1}}]}`, []compat.Dependency{dep}); err != nil {
		t.Errorf("a default of a referenced record: %v", err)
	}
	pe := parseError(t, New(ValidateDefaults()), `{"type":"record","name":"U","namespace":"b","fields":[{"name":"m","type":"a.M","default":{"x":"1"}}]}`, dep)
	if !strings.Contains(pe.Message, `invalid default for field "m" of record "b.U": {"x":"1"} is not a valid record a.M`) {
		t.Errorf("error = %+v", pe)
	}
	// A reference is parsed as strictly as the schema (Confluent's parser
	// reads the references first, with the same settings).
	bad := compat.Dependency{Name: "m", Schema: `{"type":"record","name":"M","namespace":"a","fields":[{"name":"x","type":"int","default":"1"}]}`}
	pe = parseError(t, New(ValidateDefaults()), `{"type":"record","name":"U","fields":[{"name":"m","type":"a.M"}]}`, bad)
	if !strings.Contains(pe.Message, `reference "m": invalid default for field "x" of record "a.M"`) {
		t.Errorf("error = %+v", pe)
	}
	mustParse(t, New(), `{"type":"record","name":"U","fields":[{"name":"m","type":"a.M"}]}`, bad)
}

func TestFieldNames(t *testing.T) {
	f := New()
	s := mustParse(t, f, `{"type":"record","name":"Order","fields":[
		{"name":"id","type":"string"},
		{"name":"lines","type":{"type":"array","items":{"type":"record","name":"Line","fields":[{"name":"sku","type":"string"},{"name":"qty","type":"int"}]}}},
		{"name":"meta","type":{"type":"map","values":["null","Line"]}},
		{"name":"parent","type":["null","Order"]}]}`)
	want := []string{"id", "lines", "lines.sku", "lines.qty", "meta", "parent"}
	if got := s.FieldNames(); !slices.Equal(got, want) {
		t.Fatalf("FieldNames = %v, want %v", got, want)
	}
	if got := mustParse(t, f, `"int"`).FieldNames(); len(got) != 0 {
		t.Fatalf("FieldNames of int = %v", got)
	}
}

func TestAvroSchemaEncodes(t *testing.T) {
	f := New()
	addr := compat.Dependency{Name: "address", Schema: `{"type":"record","name":"Address","namespace":"com.acme","fields":[{"name":"street","type":"string"}]}`}
	s := mustParse(t, f, `{"type":"record","name":"Customer","namespace":"com.acme","fields":[{"name":"id","type":"long"},{"name":"address","type":["null","Address"],"default":null}]}`, addr)
	in := map[string]any{"id": int64(7), "address": map[string]any{"com.acme.Address": map[string]any{"street": "Main"}}}
	b, err := havro.Marshal(s.Avro(), in)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := havro.Unmarshal(s.Avro(), b, &out); err != nil {
		t.Fatal(err)
	}
	if out["id"] != int64(7) {
		t.Fatalf("round trip = %v", out)
	}
}

func TestParseConcurrently(t *testing.T) {
	f := New()
	shared := mustParse(t, f, `{"type":"record","name":"R","fields":[{"name":"a","type":"int","x":{"b":1,"a":2}}]}`)
	done := make(chan string, 8)
	for range 8 {
		go func() {
			s, err := f.Parse(`{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}`, nil)
			if err != nil {
				done <- err.Error()
				return
			}
			_ = f.Diff(shared, s, compat.Options{})
			done <- shared.Normalized()
		}()
	}
	want := `{"type":"record","name":"R","fields":[{"name":"a","type":"int","x":{"a":2,"b":1}}]}`
	for range 8 {
		if got := <-done; got != want {
			t.Fatalf("got %s, want %s", got, want)
		}
	}
}
