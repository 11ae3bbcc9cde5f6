package registry

import (
	"fmt"
	"strings"
	"testing"
	"unsafe"

	"github.com/charter-registry/charter/storage"
)

// TestSchemaTextIsStoredOnce applies one large schema text under many
// subjects, twice with metadata that gives it an id of its own and once in
// another context, and checks that every stored copy shares one backing
// array: text is interned across subjects, ids and contexts.
func TestSchemaTextIsStoredOnce(t *testing.T) {
	st := NewState()
	text := `{"type":"record","name":"Big","fields":[` + strings.Repeat(`{"name":"f","type":"int"},`, 2000) + `{"name":"g","type":"int"}]}`
	var recs []storage.Record
	add := func(subject string, id int, md string) {
		v := fmt.Sprintf(`{"subject":%q,"version":1,"id":%d,"schema":%q%s,"deleted":false}`, subject, id, text, md)
		recs = append(recs, storage.Record{Offset: int64(len(recs)), Key: schemaKey(subject, 1).Encode(), Value: []byte(v)})
	}
	for i := range 200 {
		add(fmt.Sprintf("s-%d", i), 1, "")
	}
	add("other", 2, `,"metadata":{"properties":{"owner":"a"}}`)
	add(":.ctx:s", 1, "")
	for _, r := range recs {
		if err := st.Apply(r); err != nil {
			t.Fatal(err)
		}
	}
	sn := st.Snapshot()
	texts := []*storedSchema{sn.space(DefaultContext).schema(1), sn.space(DefaultContext).schema(2), sn.space(".ctx").schema(1)}
	for i, sc := range texts {
		if sc == nil || sc.text() != text {
			t.Fatalf("schema %d not stored as applied", i)
		}
		if unsafe.StringData(sc.text()) != unsafe.StringData(texts[0].text()) {
			t.Errorf("schema %d holds its own copy of the text", i)
		}
	}
}
