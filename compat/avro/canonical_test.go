package avro

import (
	"testing"
)

func TestCanonical(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"namespaces are written where they change and references are qualified relative to them",
			`{"type":"record","name":"a.b.R","fields":[{"name":"x","type":{"type":"record","name":"S","fields":[]}},{"name":"y","type":{"type":"enum","name":"c.E","symbols":["A"]}},{"name":"z","type":"S"},{"name":"w","type":"a.b.S"},{"name":"v","type":"c.E"}]}`,
			`{"type":"record","name":"R","namespace":"a.b","fields":[{"name":"x","type":{"type":"record","name":"S","fields":[]}},{"name":"y","type":{"type":"enum","name":"E","namespace":"c","symbols":["A"]}},{"name":"z","type":"S"},{"name":"w","type":"S"},{"name":"v","type":"c.E"}]}`},
		{"namespace key and dotted name",
			`{"namespace":"ignored","name":"x.R","type":"record","fields":[]}`,
			`{"type":"record","name":"R","namespace":"x","fields":[]}`},
		{"aliases are de-duplicated and qualified relative to the type, order ascending is dropped",
			`{"type":"record","name":"R","namespace":"n","aliases":["Old","other.Older","n.Old"],"fields":[{"name":"a","type":"int","aliases":["b","b"],"order":"ascending"},{"name":"c","type":"int","order":"descending"}]}`,
			`{"type":"record","name":"R","namespace":"n","fields":[{"name":"a","type":"int","aliases":["b"]},{"name":"c","type":"int","order":"descending"}],"aliases":["Old","other.Older"]}`},
		{"numbers print as Java prints them",
			`{"type":"record","name":"R","fields":[{"name":"a","type":"double","default":1e3},{"name":"b","type":"double","default":-0},{"name":"c","type":"double","default":0.00001},{"name":"d","type":"float","default":1.50},{"name":"e","type":"long","default":12345678901234567890},{"name":"f","type":"double","default":2.5E7}]}`,
			`{"type":"record","name":"R","fields":[{"name":"a","type":"double","default":1000.0},{"name":"b","type":"double","default":0},{"name":"c","type":"double","default":1.0E-5},{"name":"d","type":"float","default":1.5},{"name":"e","type":"long","default":12345678901234567890},{"name":"f","type":"double","default":2.5E7}]}`},
		{"reserved keys a type does not use are dropped",
			`{"type":"array","name":"x","namespace":"y","doc":"d","items":{"type":"string","doc":"ignored","avro.java.string":"String"},"default":[]}`,
			`{"type":"array","items":{"type":"string","avro.java.string":"String"},"default":[]}`},
		{"a primitive with only reserved keys is a bare name",
			`{"type":"map","values":{"type":"long","name":"n"}}`,
			`{"type":"map","values":"long"}`},
		{"error, fixed and enum in key order",
			`{"type":"error","name":"E","doc":"","fields":[{"name":"f","type":{"type":"fixed","name":"F","size":16,"doc":"x","logicalType":"decimal","precision":4,"scale":2}},{"name":"g","type":{"aliases":["H"],"type":"enum","name":"G","symbols":["A","B"],"default":"B","doc":"e"}}]}`,
			`{"type":"error","name":"E","doc":"","fields":[{"name":"f","type":{"type":"fixed","name":"F","doc":"x","size":16,"logicalType":"decimal","precision":4,"scale":2}},{"name":"g","type":{"type":"enum","name":"G","doc":"e","symbols":["A","B"],"default":"B","aliases":["H"]}}]}`},
		{"strings escape as Jackson does",
			`{"type":"enum","name":"E","doc":"\u0001\t\u00e9/<>&\u2028","symbols":["A"]}`,
			"{\"type\":\"enum\",\"name\":\"E\",\"doc\":\"\\u0001\\té/<>&\u2028\",\"symbols\":[\"A\"]}"},
		{"a reference written as an object",
			`{"type":"record","name":"R","namespace":"n","fields":[{"name":"a","type":{"type":"enum","name":"E","symbols":["A"]}},{"name":"b","type":{"type":"n.E","doc":"x"}}]}`,
			`{"type":"record","name":"R","namespace":"n","fields":[{"name":"a","type":{"type":"enum","name":"E","symbols":["A"]}},{"name":"b","type":"E"}]}`},
		{"field keys in order, custom field properties last",
			`{"type":"record","name":"R","fields":[{"x-pii":true,"default":"d","aliases":["old"],"doc":"a doc","type":"string","name":"s"}]}`,
			`{"type":"record","name":"R","fields":[{"name":"s","type":"string","doc":"a doc","default":"d","aliases":["old"],"x-pii":true}]}`},
		{"a repeated key keeps its first place and its last value",
			`{"type":"record","name":"R","x":1,"fields":[],"x":2}`,
			`{"type":"record","name":"R","fields":[],"x":2}`},
	}
	f := New()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := mustParse(t, f, tc.in)
			if got := s.Canonical(); got != tc.want {
				t.Fatalf("canonical\n got: %s\nwant: %s", got, tc.want)
			}
			again := mustParse(t, f, s.Canonical())
			if again.Canonical() != s.Canonical() {
				t.Fatalf("canonical form is not a fixed point:\n%s\n%s", s.Canonical(), again.Canonical())
			}
			if again.Normalized() != s.Normalized() {
				t.Fatalf("normalized form changes after canonicalisation:\n%s\n%s", s.Normalized(), again.Normalized())
			}
		})
	}
}

func TestNormalized(t *testing.T) {
	f := New()
	a := mustParse(t, f, `{"type":"record","name":"R","doc":"","aliases":["Z","A"],"zeta":1,"alpha":{"b":1,"a":2},
		"fields":[{"name":"f","type":{"type":"bytes","scale":2,"connect.name":"x","precision":4,"logicalType":"decimal"},"aliases":["y","x"],"default":"\u0000"}]}`)
	wantCanonical := `{"type":"record","name":"R","doc":"","fields":[{"name":"f","type":{"type":"bytes","scale":2,"connect.name":"x","precision":4,"logicalType":"decimal"},"default":"\u0000","aliases":["y","x"]}],"zeta":1,"alpha":{"b":1,"a":2},"aliases":["Z","A"]}`
	wantNormalized := `{"type":"record","name":"R","fields":[{"name":"f","type":{"type":"bytes","logicalType":"decimal","precision":4,"scale":2,"connect.name":"x"},"default":"\u0000","aliases":["x","y"]}],"alpha":{"a":2,"b":1},"zeta":1,"aliases":["A","Z"]}`
	if got := a.Canonical(); got != wantCanonical {
		t.Errorf("canonical\n got: %s\nwant: %s", got, wantCanonical)
	}
	if got := a.Normalized(); got != wantNormalized {
		t.Errorf("normalized\n got: %s\nwant: %s", got, wantNormalized)
	}
	// The same schema spelled differently: other key order, whitespace,
	// a comment, aliases in another order.
	b := mustParse(t, f, `{
		// the order record
		"alpha":{"a":2,"b":1}, "zeta":1, "aliases":["A","Z"], "name":"R", "type":"record",
		"fields":[{"default":"\u0000","aliases":["x","y"],"name":"f","type":{"logicalType":"decimal","precision":4,"scale":2,"type":"bytes","connect.name":"x"}}]}`)
	if a.Canonical() == b.Canonical() {
		t.Errorf("canonical forms should differ: property order is kept")
	}
	if a.Normalized() != b.Normalized() {
		t.Errorf("normalized forms differ:\n%s\n%s", a.Normalized(), b.Normalized())
	}
	// Field order is meaning, not form.
	c := mustParse(t, f, `{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"int"}]}`)
	d := mustParse(t, f, `{"type":"record","name":"R","fields":[{"name":"b","type":"int"},{"name":"a","type":"int"}]}`)
	if c.Normalized() == d.Normalized() {
		t.Errorf("field order must survive normalisation")
	}
}
