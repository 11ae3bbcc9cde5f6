package registry_test

import (
	"cmp"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/storage"
)

type tableEntry struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// applyTo decodes r's key and applies r to e, as State does.
func applyTo(t *testing.T, e registry.Extension, r storage.Record) error {
	t.Helper()
	k, err := registry.DecodeKey(r.Key)
	if err != nil {
		t.Fatal(err)
	}
	return e.Apply(k, r.Value, 0)
}

func digestOf(e registry.Extension) []string {
	var out []string
	e.Digest(func(b []byte) { out = append(out, string(b)) })
	return out
}

// TestTablePutsDeletesAndDigestsInKeyOrder: a table keyed by subject puts
// what its records encode, deletes on a tombstone, refuses what Check
// refuses or cannot be decoded, and digests its entries in key order.
func TestTablePutsDeletesAndDigestsInKeyOrder(t *testing.T) {
	t.Parallel()
	var mu sync.RWMutex
	entries := map[string]tableEntry{}
	tb := registry.NewTable[tableEntry]("THING", &mu, entries)
	tb.Check = func(name string, e *tableEntry) error {
		if e.Count < 0 {
			return fmt.Errorf("thing %s: negative count", name)
		}
		e.Name = name
		return nil
	}
	for _, name := range []string{"c", "a", "b"} {
		r, err := tb.Record(name, tableEntry{Count: len(name)})
		if err != nil {
			t.Fatal(err)
		}
		if err := applyTo(t, tb, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := applyTo(t, tb, tb.Tombstone("b")); err != nil {
		t.Fatal(err)
	}
	want := `{"name":"a","count":1}|{"name":"c","count":1}`
	if got := strings.Join(digestOf(tb), "|"); got != want {
		t.Errorf("digest = %s, want %s", got, want)
	}
	if len(entries) != 2 || entries["a"].Name != "a" {
		t.Errorf("entries = %v, want a and c, completed by Check", entries)
	}
	bad, _ := tb.Record("d", tableEntry{Count: -1})
	if err := applyTo(t, tb, bad); err == nil || !strings.Contains(err.Error(), "negative count") {
		t.Errorf("refused entry: err = %v", err)
	}
	garbled := storage.Record{Key: bad.Key, Value: []byte(`{"count":"x"}`)}
	if err := applyTo(t, tb, garbled); err == nil || !strings.HasPrefix(err.Error(), "decode THING value: ") {
		t.Errorf("garbled value: err = %v", err)
	}
	if _, ok := entries["d"]; ok {
		t.Error("a refused record was applied")
	}
}

// TestTableOfCompositeKeys: a table with its own key type encodes and
// parses its keys, lets Put and Delete stand for the map writes, and
// digests in the order Compare gives.
func TestTableOfCompositeKeys(t *testing.T) {
	t.Parallel()
	type id struct {
		name    string
		version int
	}
	var mu sync.RWMutex
	puts, deletes := 0, 0
	tb := &registry.Table[id, tableEntry]{
		Type:    "PAIR",
		Mu:      &mu,
		Entries: map[id]tableEntry{},
		KeyOf:   func(i id) registry.Key { return registry.Key{Type: "PAIR", Subject: i.name, Version: i.version} },
		ParseKey: func(k registry.Key) (id, error) {
			if k.Version <= 0 {
				return id{}, fmt.Errorf("PAIR key %q: no version", k.Subject)
			}
			return id{k.Subject, k.Version}, nil
		},
		Compare: func(a, b id) int { return cmp.Or(cmp.Compare(a.version, b.version), strings.Compare(a.name, b.name)) },
	}
	tb.Put = func(k id, v tableEntry) { puts++; tb.Entries[k] = v }
	tb.Delete = func(k id) { deletes++; delete(tb.Entries, k) }
	for _, k := range []id{{"b", 1}, {"a", 2}, {"a", 1}, {"c", 3}} {
		r, err := tb.Record(k, tableEntry{Name: k.name, Count: k.version})
		if err != nil {
			t.Fatal(err)
		}
		if err := applyTo(t, tb, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := applyTo(t, tb, tb.Tombstone(id{"c", 3})); err != nil {
		t.Fatal(err)
	}
	want := `{"name":"a","count":1}|{"name":"b","count":1}|{"name":"a","count":2}`
	if got := strings.Join(digestOf(tb), "|"); got != want {
		t.Errorf("digest = %s, want %s", got, want)
	}
	if puts != 4 || deletes != 1 {
		t.Errorf("puts, deletes = %d, %d, want 4, 1", puts, deletes)
	}
	if err := tb.Apply(registry.Key{Type: "PAIR", Subject: "x"}, []byte(`{}`), 0); err == nil {
		t.Error("a key ParseKey refuses was applied")
	}
}
