package registry_test

import (
	"testing"

	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/storage"
)

// digestHistory is a fixed default-context history: registrations, a
// shared schema, a soft and a hard delete (with its ID_FLOOR and SCHEMA_ID
// records), configs and modes.
func digestHistory() []storage.Record {
	rec := func(k, v string) storage.Record {
		r := storage.Record{Key: []byte(k)}
		if v != "" {
			r.Value = []byte(v)
		}
		return r
	}
	rs := []storage.Record{
		rec(`{"keytype":"SCHEMA","subject":"a","version":1,"magic":1}`, `{"subject":"a","version":1,"id":1,"schema":"\"int\"","deleted":false,"ts":5}`),
		rec(`{"keytype":"SCHEMA","subject":"a","version":2,"magic":1}`, `{"subject":"a","version":2,"id":2,"schema":"\"long\"","deleted":false}`),
		rec(`{"keytype":"SCHEMA","subject":"b","version":1,"magic":1}`, `{"subject":"b","version":1,"id":1,"schema":"\"int\"","deleted":false}`),
		rec(`{"keytype":"SCHEMA","subject":"c","version":1,"magic":1}`, `{"subject":"c","version":1,"id":3,"schemaType":"JSON","schema":"{}","deleted":false}`),
		rec(`{"keytype":"SCHEMA","subject":"c","version":1,"magic":1}`, `{"subject":"c","version":1,"id":3,"schemaType":"JSON","schema":"{}","deleted":true}`),
		rec(`{"keytype":"SCHEMA","subject":"c","version":1,"magic":1}`, ``),
		rec(`{"keytype":"ID_FLOOR","magic":0}`, `{"maxId":7}`),
		rec(`{"keytype":"SCHEMA_ID","subject":"00000000-0000-0000-0000-000000000001","magic":0}`, `{"id":3}`),
		rec(`{"keytype":"CONFIG","subject":null,"magic":0}`, `{"compatibilityLevel":"FULL"}`),
		rec(`{"keytype":"CONFIG","subject":"a","magic":0}`, `{"compatibilityLevel":"NONE"}`),
		rec(`{"keytype":"MODE","subject":"b","magic":0}`, `{"mode":"READONLY"}`),
		rec(`{"keytype":"DELETE_SUBJECT","subject":"b","magic":0}`, `{"subject":"b","version":1}`),
	}
	for i := range rs {
		rs[i].Offset = int64(i)
	}
	return rs
}

// TestDigestOfDefaultContextUnchanged pins the digest of a state that
// holds the default context only: scoping ids per context must not change
// what two instances of an older charter compared.
func TestDigestOfDefaultContextUnchanged(t *testing.T) {
	st := registry.NewState()
	for _, r := range digestHistory() {
		if err := st.Apply(r); err != nil {
			t.Fatal(err)
		}
	}
	const want = "24cf2a61a46f34d876253736e2b0370e9d326c48a9309461ef95ec6abf295476"
	if got := st.Digest(); got != want {
		t.Errorf("digest = %s, want %s", got, want)
	}
}
