package exporter

import (
	"cmp"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/storage"
)

// The keytypes of the exporters' records.
const (
	// KeyExporter holds a definition, keyed by the exporter's name.
	KeyExporter registry.KeyType = "EXPORTER"
	// KeyStatus holds an exporter's last reported state and offset.
	KeyStatus registry.KeyType = "EXPORTER_STATUS"
	// KeySubject records that an exporter writes a destination subject
	// ("NAME/DESTINATION SUBJECT") and which of its versions, with their
	// ids, the exporter wrote there, so that what is hard-deleted on the
	// source is deleted on the destination even after a restart, and
	// nothing else is.
	KeySubject registry.KeyType = "EXPORTER_SUBJECT"
	// KeyLease names the instance that runs the cluster's exporters.
	KeyLease registry.KeyType = "EXPORTER_LEASE"
)

// definition is an EXPORTER record's value: the definition, whether it is
// paused, and its generation, which every change raises so the running
// exporter restarts on the new definition and a stale one's writes are
// refused.
type definition struct {
	Exporter
	Paused     bool  `json:"paused"`
	Generation int64 `json:"generation"`
}

// statusValue is an EXPORTER_STATUS record's value.
type statusValue struct {
	State      State  `json:"state"`
	Offset     int64  `json:"offset"`
	Ts         int64  `json:"ts"`
	Trace      string `json:"trace,omitempty"`
	Lag        int    `json:"lag"`
	Owner      string `json:"owner,omitempty"`
	Generation int64  `json:"generation"`
}

// subjectValue is an EXPORTER_SUBJECT record's value: the source subject
// and the destination versions the exporter wrote, version to id. It is
// written before the exporter writes a version there, and again after it
// deleted one. Records written before versions were recorded have no
// "written" (nil): for those, a version is taken as the exporter's when
// its id is one the source assigned (the rule before).
type subjectValue struct {
	// Exporter and Dest repeat the key's parts, so the digest, which
	// hashes values, tells entries apart.
	Exporter string      `json:"exporter,omitempty"`
	Dest     string      `json:"dest,omitempty"`
	Source   string      `json:"source"`
	Written  map[int]int `json:"written"`
}

// owns reports whether the exporter wrote version v of the destination
// subject with the given id; legacy says the record predates the list,
// and the caller decides by id.
func (v subjectValue) owns(version, id int) (owned, legacy bool) {
	if v.Written == nil {
		return false, true
	}
	got, ok := v.Written[version]
	return ok && got == id, false
}

func (v subjectValue) clone() subjectValue {
	out := subjectValue{Exporter: v.Exporter, Dest: v.Dest, Source: v.Source}
	if v.Written != nil {
		out.Written = make(map[int]int, len(v.Written))
		for k, id := range v.Written {
			out.Written[k] = id
		}
	}
	return out
}

// leaseValue is the EXPORTER_LEASE record's value. Seq grows with every
// renewal: instances judge expiry by how long they have not seen it
// change on their own clock, so clocks need not agree.
type leaseValue struct {
	Owner string `json:"owner"`
	Seq   int64  `json:"seq"`
	Ts    int64  `json:"ts"`
}

func defKey(name string) registry.Key    { return registry.Key{Type: KeyExporter, Subject: name} }
func statusKey(name string) registry.Key { return registry.Key{Type: KeyStatus, Subject: name} }

// trackKey names an EXPORTER_SUBJECT entry: the exporter and the
// destination subject it writes.
type trackKey struct{ exporter, dest string }

func subjectKey(k trackKey) registry.Key {
	return registry.Key{Type: KeySubject, Subject: k.exporter + "/" + k.dest}
}

func parseSubjectKey(k registry.Key) (trackKey, error) {
	name, dest, ok := strings.Cut(k.Subject, "/")
	if !ok || name == "" || dest == "" {
		return trackKey{}, fmt.Errorf("EXPORTER_SUBJECT key %q: want NAME/SUBJECT", k.Subject)
	}
	return trackKey{name, dest}, nil
}

func compareTrackKeys(a, b trackKey) int {
	return cmp.Or(cmp.Compare(a.exporter, b.exporter), cmp.Compare(a.dest, b.dest))
}

const leaseName = "exporters"

// tables makes the registry.Tables that apply the exporters' records
// into m's maps, under m.mu: definitions wake the runner and take a
// deleted exporter's status and metrics with them, subject records carry
// their key in their value (for the digest), and the lease notes when
// this instance saw it change.
func (m *Manager) tables() {
	m.defRecs = registry.NewTable(KeyExporter, &m.mu, m.defs)
	m.defRecs.Check = func(name string, d *definition) error { d.Name = name; return nil }
	m.defRecs.Put = func(name string, d definition) {
		m.defs[name] = d
		m.wakeLocked()
	}
	m.defRecs.Delete = func(name string) {
		delete(m.defs, name)
		delete(m.status, name)
		m.metrics.forget(name)
		m.wakeLocked()
	}
	m.statusRecs = registry.NewTable(KeyStatus, &m.mu, m.status)
	m.subjectRecs = &registry.Table[trackKey, subjectValue]{
		Type: KeySubject, Mu: &m.mu, Entries: m.tracked,
		KeyOf: subjectKey, ParseKey: parseSubjectKey, Compare: compareTrackKeys,
		Check: func(k trackKey, v *subjectValue) error { v.Exporter, v.Dest = k.exporter, k.dest; return nil },
	}
	m.leaseRecs = registry.NewTable(KeyLease, &m.mu, m.leases)
	m.leaseRecs.Put = func(name string, v leaseValue) {
		m.leases[name] = v
		m.setLeaseLocked(v)
	}
	m.leaseRecs.Delete = func(name string) {
		delete(m.leases, name)
		m.setLeaseLocked(leaseValue{})
	}
}

// setLeaseLocked notes the lease as the log has it now; mu is held.
func (m *Manager) setLeaseLocked(v leaseValue) {
	if v != m.lease {
		m.lease = v
		m.leaseSeen = time.Now()
	}
	m.wakeLocked()
}

// trackedBy returns the subject records of exporter name, by destination
// subject; mu is held.
func (m *Manager) trackedByLocked(name string) map[string]subjectValue {
	out := map[string]subjectValue{}
	for k, v := range m.tracked {
		if k.exporter == name {
			out[k.dest] = v
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (m *Manager) defRecord(d definition) (storage.Record, error) { return m.defRecs.Record(d.Name, d) }

func (m *Manager) statusRecord(name string, v statusValue) (storage.Record, error) {
	return m.statusRecs.Record(name, v)
}

func (m *Manager) subjectRecord(name, dest string, v subjectValue) (storage.Record, error) {
	v.Exporter, v.Dest = name, dest
	return m.subjectRecs.Record(trackKey{name, dest}, v)
}

func (m *Manager) subjectTombstone(name, dest string) storage.Record {
	return m.subjectRecs.Tombstone(trackKey{name, dest})
}
