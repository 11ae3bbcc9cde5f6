package registry

import (
	"encoding/json"
	"reflect"
	"testing"
	"unicode/utf8"
)

func TestDecodeKeyFastAgreesWithEncodingJSON(t *testing.T) {
	for _, raw := range []string{
		`{"keytype":"SCHEMA","subject":"orders-value","version":3,"magic":1}`,
		`{"magic":0,"keytype":"CONFIG","subject":null}`,
		`{"keytype":"CONFIG","magic":0}`,
		`{"keytype":"MODE","subject":"a/b","magic":0}`,
		` { "keytype" : "NOOP" , "magic" : 0 } `,
		`{"keytype":"DELETE_SUBJECT","subject":"café","magic":0}`,
		`{"keytype":"SCHEMA","subject":"s\"q","version":1,"magic":1}`,
		`{"keytype":"SCHEMA","subject":"s","version":1,"magic":1,"extra":true}`,
		`{"keytype":"SCHEMA","subject":"s","version":01,"magic":1}`,
		`{"keytype":"SCHEMA","subject":"s","version":99999999999,"magic":1}`,
	} {
		checkKeyAgreement(t, []byte(raw))
	}
}

func checkKeyAgreement(t *testing.T, raw []byte) {
	t.Helper()
	fast, ok := decodeKeyFast(raw)
	slow, err := decodeKeySlow(raw)
	if !ok {
		return // the slow path decides
	}
	if err != nil {
		t.Fatalf("%q: fast path accepted what encoding/json refuses (%v)", raw, err)
	}
	if fast != slow {
		t.Fatalf("%q: fast %+v, encoding/json %+v", raw, fast, slow)
	}
}

// FuzzDecodeKey checks that the reflection-free key decoder never accepts
// a key differently from encoding/json.
func FuzzDecodeKey(f *testing.F) {
	f.Add([]byte(`{"keytype":"SCHEMA","subject":"s","version":1,"magic":1}`))
	f.Add([]byte(`{"keytype":"CONFIG","subject":null,"magic":0}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		if !utf8.Valid(raw) {
			return
		}
		checkKeyAgreement(t, raw)
	})
}

func TestDecodeSchemaValueFastAgreesWithEncodingJSON(t *testing.T) {
	for _, raw := range []string{
		`{"subject":"orders-value","version":3,"id":7,"schema":"{\"type\":\"string\"}","deleted":false}`,
		`{"subject":"orders-value","version":3,"id":7,"schemaType":"PROTOBUF","schema":"syntax = \"proto3\";\nmessage A {}\n","deleted":true,"ts":1733500000123}`,
		`{"subject":"other","version":1,"id":1,"schemaType":"JSON","schema":"{}","deleted":false}`,
		`{"subject":"s","version":1,"id":1,"schemaType":"XML","schema":"x","deleted":false}`,
		` { "schema" : "a\/b\\c\b\f\r\t" , "id" : 1 , "version" : 2 } `,
		`{"subject":"s","version":1,"id":1,"schema":"caf\u00e9"}`,
		`{"subject":"s","version":1,"id":1,"schema":"café ☕"}`,
		`{"subject":"s","version":1,"id":1,"schema":"x","references":[{"name":"a","subject":"b","version":1}]}`,
		`{"subject":"s","version":1,"id":1,"schema":"x","metadata":null}`,
		`{"Subject":"s","version":1,"id":1,"schema":"x"}`,
		`{"subject":"s","version":1.5,"id":1,"schema":"x"}`,
		`{"subject":"s","version":1,"id":1,"schema":"x","ts":-12}`,
		`{"subject":"s","version":1,"id":1,"schema":"x","ts":1e3}`,
		`{"subject":"s","version":01,"id":1,"schema":"x"}`,
		`{"subject":"s","version":1,"id":1,"schema":"x","deleted":null}`,
		`{"subject":"s","version":1,"id":1,"schema":"x","schema":"y"}`,
		`{"subject":"s","version":1,"id":1,"schema":"x"} x`,
		`{"subject":"s","version":1,"id":1,"schema":"x",}`,
		`{}`,
	} {
		checkSchemaValueAgreement(t, []byte(raw), "orders-value")
	}
}

func checkSchemaValueAgreement(t *testing.T, raw []byte, subject string) {
	t.Helper()
	fast, ok := decodeSchemaValueFast(raw, subject)
	var slow schemaValue
	err := json.Unmarshal(raw, &slow)
	if !ok {
		return // encoding/json decides
	}
	if err != nil {
		t.Fatalf("%q: fast path accepted what encoding/json refuses (%v)", raw, err)
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("%q: fast %+v, encoding/json %+v", raw, fast, slow)
	}
}

// FuzzDecodeSchemaValue checks that the reflection-free SCHEMA value
// decoder never accepts a value differently from encoding/json.
func FuzzDecodeSchemaValue(f *testing.F) {
	f.Add([]byte(`{"subject":"s","version":1,"id":1,"schemaType":"AVRO","schema":"{\"type\":\"string\"}","deleted":false,"ts":1}`), "s")
	f.Add([]byte(`{"schema":"a\\nb\/c","id":2}`), "t")
	f.Fuzz(func(t *testing.T, raw []byte, subject string) {
		checkSchemaValueAgreement(t, raw, subject)
	})
}

// TestSchemaIdentityIsComputeIdentity checks replay's shortcut for
// schemas without references, metadata or rule set against the full
// computation, and that it leaves the others to it.
func TestSchemaIdentityIsComputeIdentity(t *testing.T) {
	for _, v := range []schemaValue{
		{Schema: `{"type":"string"}`},
		{Schema: ""},
		{Schema: "x", References: []Reference{{Name: "a", Subject: "b", Version: 1}}},
		{Schema: "x", Metadata: &Metadata{Properties: map[string]string{"owner": "team"}}},
		{Schema: "x", RuleSet: &RuleSet{}},
	} {
		if got, want := schemaIdentity(&v), ComputeIdentity(v.Schema, v.References, v.Metadata, v.RuleSet); got != want {
			t.Errorf("%+v: schemaIdentity %s, ComputeIdentity %s", v, got, want)
		}
	}
}
