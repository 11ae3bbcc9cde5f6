package exporter

import (
	"encoding/json"
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
	Source  string      `json:"source"`
	Written map[int]int `json:"written"`
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
	out := subjectValue{Source: v.Source}
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
func subjectKey(name, dest string) registry.Key {
	return registry.Key{Type: KeySubject, Subject: name + "/" + dest}
}

var leaseKey = registry.Key{Type: KeyLease, Subject: "exporters"}

type defRecords struct{ m *Manager }

func (e defRecords) Apply(k registry.Key, value []byte, _ int64) error {
	m := e.m
	m.mu.Lock()
	defer m.mu.Unlock()
	defer m.wakeLocked()
	if value == nil {
		delete(m.defs, k.Subject)
		delete(m.status, k.Subject)
		m.metrics.forget(k.Subject)
		return nil
	}
	var d definition
	if err := json.Unmarshal(value, &d); err != nil {
		return fmt.Errorf("decode EXPORTER value: %w", err)
	}
	d.Name = k.Subject
	m.defs[k.Subject] = d
	return nil
}

func (e defRecords) Digest(w func([]byte)) {
	e.m.mu.RLock()
	defer e.m.mu.RUnlock()
	for _, n := range sortedKeys(e.m.defs) {
		b, _ := json.Marshal(e.m.defs[n])
		w(b)
	}
}

type statusRecords struct{ m *Manager }

func (e statusRecords) Apply(k registry.Key, value []byte, _ int64) error {
	m := e.m
	m.mu.Lock()
	defer m.mu.Unlock()
	if value == nil {
		delete(m.status, k.Subject)
		return nil
	}
	var v statusValue
	if err := json.Unmarshal(value, &v); err != nil {
		return fmt.Errorf("decode EXPORTER_STATUS value: %w", err)
	}
	m.status[k.Subject] = v
	return nil
}

func (e statusRecords) Digest(w func([]byte)) {
	e.m.mu.RLock()
	defer e.m.mu.RUnlock()
	for _, n := range sortedKeys(e.m.status) {
		b, _ := json.Marshal(e.m.status[n])
		w(b)
	}
}

type subjectRecords struct{ m *Manager }

func (e subjectRecords) Apply(k registry.Key, value []byte, _ int64) error {
	name, dest, ok := strings.Cut(k.Subject, "/")
	if !ok || name == "" || dest == "" {
		return fmt.Errorf("EXPORTER_SUBJECT key %q: want NAME/SUBJECT", k.Subject)
	}
	m := e.m
	m.mu.Lock()
	defer m.mu.Unlock()
	if value == nil {
		delete(m.tracked[name], dest)
		if len(m.tracked[name]) == 0 {
			delete(m.tracked, name)
		}
		return nil
	}
	var v subjectValue
	if err := json.Unmarshal(value, &v); err != nil {
		return fmt.Errorf("decode EXPORTER_SUBJECT value: %w", err)
	}
	if m.tracked[name] == nil {
		m.tracked[name] = map[string]subjectValue{}
	}
	m.tracked[name][dest] = v
	return nil
}

func (e subjectRecords) Digest(w func([]byte)) {
	e.m.mu.RLock()
	defer e.m.mu.RUnlock()
	for _, n := range sortedKeys(e.m.tracked) {
		for _, d := range sortedKeys(e.m.tracked[n]) {
			v := e.m.tracked[n][d]
			b, _ := json.Marshal(v) // sorted keys: encoding/json sorts map keys
			w([]byte(n + "/" + d + "\x00"))
			w(b)
		}
	}
}

type leaseRecords struct{ m *Manager }

func (e leaseRecords) Apply(_ registry.Key, value []byte, _ int64) error {
	m := e.m
	m.mu.Lock()
	defer m.mu.Unlock()
	var v leaseValue
	if value != nil {
		if err := json.Unmarshal(value, &v); err != nil {
			return fmt.Errorf("decode EXPORTER_LEASE value: %w", err)
		}
	}
	if v != m.lease {
		m.lease = v
		m.leaseSeen = time.Now()
	}
	m.wakeLocked()
	return nil
}

func (e leaseRecords) Digest(w func([]byte)) {
	e.m.mu.RLock()
	defer e.m.mu.RUnlock()
	b, _ := json.Marshal(e.m.lease)
	w(b)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func defRecord(d definition) (storage.Record, error) { return registry.Record(defKey(d.Name), d) }

func statusRecord(name string, v statusValue) (storage.Record, error) {
	return registry.Record(statusKey(name), v)
}
