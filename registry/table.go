package registry

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/charter-registry/charter/storage"
)

// Table is the Extension of a keytype whose records each hold one entry:
// a JSON value under a key, removed by the key's tombstone. It keeps the
// entries in Entries, a map its owner reads under Mu, applies records
// under Mu's write lock, and digests the entries in key order. The DEK
// registry's keys and governance's teams, topics, reviews and webhooks
// are Tables; an extension whose state is not one entry per key (the
// audit trail, kept in log order) implements Extension itself.
//
// Set the fields before registering the table with State and leave them
// alone after; NewTable fills those of a table keyed by the record key's
// subject.
type Table[K comparable, V any] struct {
	// Type is the records' keytype.
	Type KeyType
	// Mu guards Entries. It is the owner's lock, which several tables
	// may share; records are applied under the State's write lock and
	// then Mu, so the owner must not call into the Service holding Mu.
	Mu *sync.RWMutex
	// Entries holds the entries by key. The table writes it in place, so
	// the owner may keep the same map in a field of its own.
	Entries map[K]V
	// KeyOf is the record key of an entry's key; ParseKey the other way
	// (an error skips the record).
	KeyOf    func(K) Key
	ParseKey func(Key) (K, error)
	// Compare orders the keys for Digest.
	Compare func(a, b K) int
	// Check, when set, completes a decoded entry from its key (the
	// fields the key holds) or refuses the record with an error.
	Check func(K, *V) error
	// Put and Delete, when set, stand for the plain writes of Entries,
	// for an owner that keeps indexes beside them. They run under Mu.
	Put    func(K, V)
	Delete func(K)
}

// NewTable returns the Table of keytype kt keyed by the record key's
// subject, over entries guarded by mu.
func NewTable[V any](kt KeyType, mu *sync.RWMutex, entries map[string]V) *Table[string, V] {
	return &Table[string, V]{
		Type:     kt,
		Mu:       mu,
		Entries:  entries,
		KeyOf:    func(s string) Key { return Key{Type: kt, Subject: s} },
		ParseKey: func(k Key) (string, error) { return k.Subject, nil },
		Compare:  strings.Compare,
	}
}

// Apply implements Extension: a value puts the entry it decodes to, a
// tombstone deletes the key's entry.
func (t *Table[K, V]) Apply(k Key, value []byte, _ int64) error {
	key, err := t.ParseKey(k)
	if err != nil {
		return err
	}
	t.Mu.Lock()
	defer t.Mu.Unlock()
	if value == nil {
		if t.Delete != nil {
			t.Delete(key)
		} else {
			delete(t.Entries, key)
		}
		return nil
	}
	var v V
	if err := json.Unmarshal(value, &v); err != nil {
		return fmt.Errorf("decode %s value: %w", t.Type, err)
	}
	if t.Check != nil {
		if err := t.Check(key, &v); err != nil {
			return err
		}
	}
	if t.Put != nil {
		t.Put(key, v)
	} else {
		t.Entries[key] = v
	}
	return nil
}

// Digest implements Extension: each entry's JSON, in key order.
func (t *Table[K, V]) Digest(w func([]byte)) {
	t.Mu.RLock()
	defer t.Mu.RUnlock()
	for _, k := range slices.SortedFunc(maps.Keys(t.Entries), t.Compare) {
		b, _ := json.Marshal(t.Entries[k])
		w(b)
	}
}

// Record is the record that puts v under key k.
func (t *Table[K, V]) Record(k K, v V) (storage.Record, error) { return record(t.KeyOf(k), v) }

// Tombstone is the record that deletes key k's entry.
func (t *Table[K, V]) Tombstone(k K) storage.Record { return tombstone(t.KeyOf(k)) }
