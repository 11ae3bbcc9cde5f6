package registry

import (
	"fmt"
	"testing"

	"github.com/charter-registry/charter/storage"
)

// TestHeldReplayMatchesRecordByRecord applies one log twice: held in one
// bulk builder as a replay does (identities in a Go map, the trie built
// once when the snapshot is published) and one record per published
// batch as a live registry does. The logs hold a schema under two ids
// (the first id stays its id), hard deletes that retire identities,
// re-registrations that take them back and SCHEMA_ID records; both
// states must agree on the digest and on every identity's id.
func TestHeldReplayMatchesRecordByRecord(t *testing.T) {
	t.Parallel()
	var recs []storage.Record
	add := func(k Key, v any) {
		r, err := record(k, v)
		if err != nil {
			t.Fatal(err)
		}
		r.Offset = int64(len(recs))
		recs = append(recs, r)
	}
	text := func(i int) string { return fmt.Sprintf(`{"type":"fixed","name":"F%d","size":%d}`, i%700, 1+i%700) }
	id := 0
	for i := range 3000 {
		subject := fmt.Sprintf("s%d", i%400)
		version := i/400 + 1
		id++
		// Every 700th text repeats an earlier one under a new id.
		add(schemaKey(subject, version), schemaValue{Subject: subject, Version: version, ID: id, Schema: text(i)})
		if i%97 == 0 {
			add(schemaKey(subject, version), nil) // hard delete: the id retires
			ident := ComputeIdentity(text(i), nil, nil, nil)
			add(Key{Type: KeySchemaID, Subject: schemaIDSubject(DefaultContext, ident)}, schemaIDValue{ID: id})
		}
	}
	held, live := NewState(), NewState()
	ds := make([]Decoded, len(recs))
	for i, r := range recs {
		ds[i] = Decode(r)
	}
	held.applyBatch(ds, true)
	held.publish()
	for _, r := range recs {
		if err := live.Apply(r); err != nil {
			t.Fatal(err)
		}
	}
	if h, l := held.Digest(), live.Digest(); h != l {
		t.Fatalf("digest held %s, record by record %s", h, l)
	}
	hs, ls := held.Snapshot().space(DefaultContext), live.Snapshot().space(DefaultContext)
	if hs.byIdentity.Len() != ls.byIdentity.Len() || hs.byIdentity.Len() == 0 {
		t.Fatalf("identities: held %d, record by record %d", hs.byIdentity.Len(), ls.byIdentity.Len())
	}
	for i := range 700 {
		ident := ComputeIdentity(text(i), nil, nil, nil)
		hid, hok := hs.idOf(ident)
		lid, lok := ls.idOf(ident)
		if hid != lid || hok != lok {
			t.Errorf("text %d: held id %d (%v), record by record %d (%v)", i, hid, hok, lid, lok)
		}
		hr, _ := hs.retiredID(ident)
		lr, _ := ls.retiredID(ident)
		if hr != lr {
			t.Errorf("text %d: held retired id %d, record by record %d", i, hr, lr)
		}
	}
}
