package avro

import (
	"reflect"
	"testing"

	"github.com/charter-registry/charter/compat"

	havro "github.com/hamba/avro/v2"
)

// buildCases are texts that exercise each of hamba's parse functions:
// properties of every JSON type, logical types valid and not, aliases used
// as references, docs where hamba keeps them and where it does not,
// defaults of every kind, and values build leaves to hamba's parser.
var buildCases = []string{
	`{"type":"record","name":"Order","namespace":"com.acme.sales.v1","fields":[{"name":"id","type":"string"},{"name":"customer","type":"long"},{"name":"amount","type":"double","default":0},{"name":"currency","type":{"type":"enum","name":"Currency","symbols":["EUR","USD","GBP"]},"default":"EUR"},{"name":"note","type":["null","string"],"default":null}]}`,
	`{"type":"record","name":"R","doc":"d","aliases":["Q","x.Y"],"p":{"a":[1,true,null,"s",{"b":-0.5}]},"fields":[]}`,
	`{"type":"record","name":"R","namespace":null,"aliases":[],"fields":[{"name":"f","type":"int","aliases":[],"doc":null,"order":"ignore"}]}`,
	`{"type":"record","name":"R","fields":[{"name":"f","type":"int","order":"sideways"}]}`,
	`{"type":"record","name":"R","fields":[{"name":"f","type":"int","order":1}]}`,
	`{"type":"record","name":"R","fields":[{"name":"f","type":"int","doc":7}]}`,
	`{"type":"record","name":"R","fields":[{"name":"f","type":"int","Doc":"shadowed","NAME":"x"}]}`,
	`{"type":"record","name":"R","fields":[{"name":"f","type":"int","default":1e3}]}`,
	`{"type":"record","name":"R","fields":[{"name":"f","type":"double","default":1.25},{"name":"g","type":"float","default":-0},{"name":"h","type":"long","default":123456789012345}]}`,
	`{"type":"record","name":"R","fields":[{"name":"f","type":"int","default":1.5}]}`,
	`{"type":"record","name":"R","fields":[{"name":"f","type":"int","default":"x"},{"name":"g","type":"long","default":7}]}`,
	`{"type":"record","name":"R","fields":[{"name":"b","type":"bytes","default":"\u00ff"},{"name":"s","type":{"type":"fixed","name":"F","size":2},"default":"ab"}]}`,
	`{"type":"record","name":"R","fields":[{"name":"m","type":{"type":"map","values":"int"},"default":{"a":1}},{"name":"a","type":{"type":"array","items":"string"},"default":["x"]}]}`,
	`{"type":"record","name":"R","fields":[{"name":"r","type":{"type":"record","name":"S","fields":[{"name":"x","type":"int","default":3}]},"default":{}}]}`,
	`{"type":"record","name":"Node","fields":[{"name":"v","type":"int"},{"name":"next","type":["null","Node"],"default":null},{"name":"other","type":"Node"}]}`,
	`{"type":"record","name":"R","aliases":["Old"],"fields":[{"name":"self","type":["null","Old"]}]}`,
	`{"type":"record","name":"R","fields":[{"name":"e","type":{"type":"enum","name":"E","aliases":["F"],"symbols":["A"]}},{"name":"e2","type":"F"},{"name":"e3","type":"E"}]}`,
	`{"type":"record","name":"R","fields":[{"name":"x","type":{"type":"fixed","name":"X","aliases":["Y"],"size":4,"doc":"kept as a property"}},{"name":"y","type":"Y"},{"name":"z","type":"X"}]}`,
	`{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"record","name":"x.S","fields":[{"name":"b","type":"S"}]}},{"name":"c","type":"x.S"}]}`,
	`{"type":"record","name":"a.R","namespace":"ignored","fields":[{"name":"e","type":{"type":"enum","name":"E","symbols":["A"]}},{"name":"f","type":"a.E"}]}`,
	`{"type":"enum","name":"E","symbols":["A","B"],"default":"A","doc":"d","x":1}`,
	`{"type":"enum","name":"E","symbols":["A","B"],"default":"C"}`,
	`{"type":"enum","name":"E","symbols":["A","A"]}`,
	`{"type":"enum","name":"E","symbols":[]}`,
	`{"type":"enum","name":"E","symbols":["A"],"default":1}`,
	`{"type":"fixed","name":"F","size":16,"logicalType":"decimal","precision":4,"scale":2}`,
	`{"type":"fixed","name":"F","size":1,"logicalType":"decimal","precision":4}`,
	`{"type":"fixed","name":"F","size":12,"logicalType":"duration"}`,
	`{"type":"fixed","name":"F","size":11,"logicalType":"duration"}`,
	`{"type":"fixed","name":"F","size":16.0}`,
	`{"type":"fixed","name":"F","size":-1}`,
	`{"type":"fixed","name":"F","size":"16"}`,
	`{"type":"bytes","logicalType":"decimal","precision":10,"scale":3,"other":"kept"}`,
	`{"type":"bytes","logicalType":"decimal","precision":3,"scale":4}`,
	`{"type":"bytes","logicalType":"decimal","precision":"3"}`,
	`{"type":"bytes","logicalType":"decimal","precision":3.5}`,
	`{"type":"string","logicalType":"uuid"}`,
	`{"type":"int","logicalType":"date"}`,
	`{"type":"int","logicalType":"time-millis"}`,
	`{"type":"long","logicalType":"timestamp-micros","extra":[1,2]}`,
	`{"type":"long","logicalType":"local-timestamp-millis"}`,
	`{"type":"string","logicalType":"date"}`,
	`{"type":"int","logicalType":7}`,
	`{"type":"null","x":"y"}`,
	`{"type":"string","connect.name":"s"}`,
	`{"type":"array","items":{"type":"map","values":["null","long"]},"x":true}`,
	`["null","string",{"type":"array","items":"long"},{"type":"map","values":"int"}]`,
	`["null","null"]`,
	`["int",{"type":"int"}]`,
	`{"type":"error","name":"Oops","fields":[{"name":"why","type":"string"}]}`,
	`{"type":"record","name":"R","fields":[{"name":"u","type":["null","string"],"default":"null"}]}`,
	`{"type":"record","name":"string","namespace":"a","fields":[{"name":"r","type":["null","a.string"]}]}`,
	`{"type":"record","name":"R","fields":[{"name":"x","type":[]}]}`,
	`{"type":"record","name":"R","fields":[{"name":"e","type":[],"default":null}]}`,
	`{"type":"record","name":"R","fields":[{"name":"s","type":"string","default":null}]}`,
	`{"type":"record","name":"R","fields":[{"name":"a","type":["null","int"],"default":null},{"name":"b","type":{"type":"array","items":"int"},"default":[1,2]}]}`,
	`{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":1,"aliases":["g"],"order":"descending","x":{"y":[1,2.5e3]}}]}`,
	`{"type":"record","name":"R","fields":[{"name":"n","type":{"type":"record","name":"A","aliases":["B"],"fields":[]}},{"name":"m","type":{"type":"record","name":"B","fields":[]}}]}`,
	`{"type":"record","name":"R","fields":[{"name":"big","type":"double","default":12345678901234567890}]}`,
	`"int"`, `"null"`, `{"type":"long"}`,
}

// hambaOf parses text with hamba's parser (the path build replaces) and
// with build, each into a fresh cache.
func hambaOf(t *testing.T, f *Format, text string) (want, got havro.Schema, wantErr, gotErr error, ok bool) {
	t.Helper()
	tree, err := decodeTree(text, f.jsonLimit())
	if err != nil {
		return nil, nil, nil, nil, false
	}
	sc := &scanner{known: map[string]bool{}, maxDepth: f.depth(), defs: map[string]*node{}, objects: map[*node]bool{}}
	if err := sc.typ(tree, "", 0); err != nil {
		return nil, nil, nil, nil, false
	}
	want, wantErr = hambaParse(appendValue(nil, tree, &valueOpts{rawNumbers: true, schema: sc.objects}), &havro.SchemaCache{})
	got, gotErr = build(tree, sc.objects, &havro.SchemaCache{})
	return want, got, wantErr, gotErr, true
}

// checkBuild fails when build accepts a text hamba's parser refuses or
// makes a schema other than the one hamba's parser makes; it reports
// whether build took the text.
func checkBuild(t *testing.T, text string) bool {
	t.Helper()
	want, got, wantErr, gotErr, ok := hambaOf(t, New(), text)
	if !ok {
		return false
	}
	if gotErr != nil {
		if gotErr != errSlow {
			t.Errorf("%s: build failed with %v, want errSlow", text, gotErr)
		}
		return false
	}
	if wantErr != nil {
		t.Errorf("%s: build accepted what hamba refuses (%v)", text, wantErr)
		return true
	}
	if !reflect.DeepEqual(want, got) {
		t.Errorf("%s: build made\n%#v\nhamba's parser\n%#v", text, got, want)
	}
	if want.String() != got.String() {
		t.Errorf("%s: build's schema prints\n%s\nhamba's\n%s", text, got.String(), want.String())
	}
	return true
}

func TestBuildMakesHambasSchema(t *testing.T) {
	t.Parallel()
	texts := append(append(append([]string{}, buildCases...), fuzzSeeds...), sharedSchemas()...)
	took := 0
	for _, text := range texts {
		if checkBuild(t, text) {
			took++
		}
	}
	// Plain schemas, the ones registered every day, take the fast path.
	for _, text := range buildCases[:2] {
		if _, _, _, err, _ := hambaOf(t, New(), text); err != nil {
			t.Errorf("build did not take %s: %v", text, err)
		}
	}
	t.Logf("build took %d of %d texts", took, len(texts))
}

// TestParseUsesBuildThroughReferences: a dependency build takes defines
// names hamba's parser resolves in the text that refers to them.
func TestParseUsesBuildThroughReferences(t *testing.T) {
	t.Parallel()
	dep := `{"type":"record","name":"a.Address","fields":[{"name":"street","type":"string"}]}`
	s, err := New().Parse(`{"type":"record","name":"a.Customer","fields":[{"name":"home","type":"Address"},{"name":"work","type":["null","a.Address"]}]}`,
		[]compat.Dependency{{Name: "address", Schema: dep}})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.(*Schema).FieldNames(); !reflect.DeepEqual(got, []string{"home", "home.street", "work"}) {
		t.Errorf("FieldNames = %v", got)
	}
}

func FuzzBuild(f *testing.F) {
	for _, s := range buildCases {
		f.Add(s)
	}
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) { checkBuild(t, text) })
}
