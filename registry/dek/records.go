package dek

import (
	"cmp"
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

// tables makes the tables that apply KEK and DEK records into r's maps.
func (r *Registry) tables() {
	r.kekRecs = registry.NewTable(KeyKEK, &r.mu, r.keks)
	r.kekRecs.Check = func(name string, v *kekValue) error { v.Name = name; return nil }
	r.dekRecs = &registry.Table[dekID, dekValue]{
		Type:     KeyDEK,
		Mu:       &r.mu,
		Entries:  r.deks,
		KeyOf:    dekKey,
		ParseKey: parseDekKey,
		Compare:  compareIDs,
		Check: func(id dekID, v *dekValue) error {
			v.KekName, v.Subject, v.Algorithm, v.Version = id.kek, id.subject, id.alg, id.version
			return nil
		},
	}
}

// compareIDs orders DEKs by KEK, subject, algorithm and version.
func compareIDs(a, b dekID) int {
	return cmp.Or(strings.Compare(a.kek, b.kek), strings.Compare(a.subject, b.subject),
		cmp.Compare(a.alg, b.alg), cmp.Compare(a.version, b.version))
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (r *Registry) kekRecord(v kekValue) (storage.Record, error) {
	v.Type = "KEK"
	return r.kekRecs.Record(v.Name, v)
}

func (r *Registry) dekRecord(v dekValue) (storage.Record, error) {
	v.Type = "DEK"
	return r.dekRecs.Record(v.id(), v)
}
