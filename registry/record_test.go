package registry

import (
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
