package dek

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/charter-registry/charter/contracts/encryption"
	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/storage"
)

// The keytypes of the DEK registry's records.
const (
	KeyKEK registry.KeyType = "KEK"
	KeyDEK registry.KeyType = "DEK"
)

// A KEK record's key is {"keytype":"KEK","subject":NAME,"magic":0}. A DEK
// record's key is {"keytype":"DEK","subject":"KEK/ALGORITHM/SUBJECT",
// "version":V,"magic":0}: KEK names cannot hold a '/' and algorithms do not,
// so the first two separate the parts and the subject keeps any '/' of its
// own. Compaction keys on the keytype, the subject field and the version.
func kekKey(name string) registry.Key { return registry.Key{Type: KeyKEK, Subject: name} }

func dekKey(id dekID) registry.Key {
	return registry.Key{Type: KeyDEK, Subject: id.kek + "/" + string(id.alg) + "/" + id.subject, Version: id.version}
}

func parseDekKey(k registry.Key) (dekID, error) {
	parts := strings.SplitN(k.Subject, "/", 3)
	if len(parts) != 3 || parts[0] == "" || k.Version <= 0 {
		return dekID{}, fmt.Errorf("DEK key %q/%d: want KEK/ALGORITHM/SUBJECT and a version", k.Subject, k.Version)
	}
	alg, err := encryption.ParseFormat(parts[1])
	if err != nil {
		return dekID{}, fmt.Errorf("DEK key %q: %w", k.Subject, err)
	}
	return dekID{kek: parts[0], alg: alg, subject: parts[2], version: k.Version}, nil
}

type kekRecords struct{ r *Registry }

func (e kekRecords) Apply(k registry.Key, value []byte, _ int64) error {
	e.r.mu.Lock()
	defer e.r.mu.Unlock()
	if value == nil {
		delete(e.r.keks, k.Subject)
		return nil
	}
	var v kekValue
	if err := json.Unmarshal(value, &v); err != nil {
		return fmt.Errorf("decode KEK value: %w", err)
	}
	v.Name = k.Subject
	e.r.keks[k.Subject] = v
	return nil
}

func (e kekRecords) Digest(w func([]byte)) {
	e.r.mu.RLock()
	defer e.r.mu.RUnlock()
	for _, name := range sortedKeys(e.r.keks) {
		b, _ := json.Marshal(e.r.keks[name])
		w(b)
	}
}

type dekRecords struct{ r *Registry }

func (e dekRecords) Apply(k registry.Key, value []byte, _ int64) error {
	id, err := parseDekKey(k)
	if err != nil {
		return err
	}
	e.r.mu.Lock()
	defer e.r.mu.Unlock()
	if value == nil {
		delete(e.r.deks, id)
		return nil
	}
	var v dekValue
	if err := json.Unmarshal(value, &v); err != nil {
		return fmt.Errorf("decode DEK value: %w", err)
	}
	v.KekName, v.Subject, v.Algorithm, v.Version = id.kek, id.subject, id.alg, id.version
	e.r.deks[id] = v
	return nil
}

func (e dekRecords) Digest(w func([]byte)) {
	e.r.mu.RLock()
	defer e.r.mu.RUnlock()
	ids := make([]dekID, 0, len(e.r.deks))
	for id := range e.r.deks {
		ids = append(ids, id)
	}
	sortIDs(ids)
	for _, id := range ids {
		b, _ := json.Marshal(e.r.deks[id])
		w(b)
	}
}

func sortIDs(ids []dekID) {
	sort.Slice(ids, func(i, j int) bool {
		a, b := ids[i], ids[j]
		if a.kek != b.kek {
			return a.kek < b.kek
		}
		if a.subject != b.subject {
			return a.subject < b.subject
		}
		if a.alg != b.alg {
			return a.alg < b.alg
		}
		return a.version < b.version
	})
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func kekRecord(v kekValue) (storage.Record, error) {
	v.Type = "KEK"
	return registry.Record(kekKey(v.Name), v)
}

func dekRecord(v dekValue) (storage.Record, error) {
	v.Type = "DEK"
	return registry.Record(dekKey(v.id()), v)
}
