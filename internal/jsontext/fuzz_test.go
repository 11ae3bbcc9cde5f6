package jsontext

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzParse checks Parse against encoding/json: without limits it accepts
// exactly the texts encoding/json accepts and decodes them to the same
// values; every value's and member's offset points at its first byte; and
// StripComments never moves an offset.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{}`, `[]`, `"a"`, `-0.5e+3`, `{"a":[1,{"b":null}],"a":true}`,
		`"\ud800\u0041\uDFFF"`, `"\u00e9\n\/"`, "\"\xff\"", `[1,]`, `{"a":1,}`,
		`01`, `1.`, `tru`, "\ufeff[]", "/* c */ {\"a\": // d\n 1}", `"\`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		v, err := Parse(text, Options{})
		body := []byte(text)
		if bytes.HasPrefix(body, []byte("\ufeff")) {
			body = body[3:] // encoding/json refuses a byte order mark
		}
		if valid := json.Valid(body); valid != (err == nil) {
			t.Fatalf("Parse error %v, but encoding/json says valid=%v", err, valid)
		}
		if err == nil {
			dec := json.NewDecoder(bytes.NewReader(body))
			dec.UseNumber()
			var want any
			if err := dec.Decode(&want); err != nil {
				t.Fatal(err)
			}
			if got := v.Any(); !reflect.DeepEqual(got, want) {
				t.Fatalf("Parse gives %#v, encoding/json %#v", got, want)
			}
			checkOffsets(t, text, v)
		}
		stripped, err := StripComments(text)
		if err == nil && len(stripped) != len(text) {
			t.Fatalf("StripComments changed the length: %q", stripped)
		}
	})
}

func checkOffsets(t *testing.T, text string, v *Value) {
	t.Helper()
	first := map[Kind]string{Object: "{", Array: "[", String: `"`, Null: "n"}
	c := text[v.Off : v.Off+1]
	switch want, ok := first[v.Kind]; {
	case ok && c != want:
		t.Fatalf("value of kind %d at %d starts with %q", v.Kind, v.Off, c)
	case v.Kind == Bool && c != v.Str[:1]:
		t.Fatalf("boolean at %d starts with %q", v.Off, c)
	case v.Kind == Number && text[v.Off:v.Off+len(v.Str)] != v.Str:
		t.Fatalf("number %q not found at %d", v.Str, v.Off)
	}
	for _, e := range v.Elems {
		checkOffsets(t, text, e)
	}
	for _, m := range v.Members {
		if text[m.Off] != '"' {
			t.Fatalf("member %q at %d does not start with a quote", m.Key, m.Off)
		}
		checkOffsets(t, text, m.Value)
	}
}
