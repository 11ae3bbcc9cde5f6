package exporter

import (
	"testing"

	"github.com/charter-registry/charter/registry"
)

func newTestManager() *Manager {
	m := &Manager{defs: map[string]definition{}, status: map[string]statusValue{}, tracked: map[trackKey]subjectValue{},
		leases: map[string]leaseValue{}, wake: make(chan struct{}), live: map[string]int{}}
	m.metrics = newMetrics(m)
	m.tables()
	return m
}

// An EXPORTER_SUBJECT record replays into the versions the exporter
// wrote; one written before versions were recorded replays as legacy, for
// which the id rule decides.
func TestSubjectRecordsReplayTheVersionsWritten(t *testing.T) {
	m := newTestManager()
	r, err := m.subjectRecord("dr", ":.east:orders-value", subjectValue{Source: "orders-value", Written: map[int]int{1: 7, 3: 9}})
	if err != nil {
		t.Fatal(err)
	}
	k := subjectKey(trackKey{"dr", ":.east:orders-value"})
	if err := m.subjectRecs.Apply(k, r.Value, 0); err != nil {
		t.Fatal(err)
	}
	got := m.trackedByLocked("dr")[":.east:orders-value"]
	for _, c := range []struct {
		version, id   int
		owned, legacy bool
	}{{1, 7, true, false}, {3, 9, true, false}, {1, 8, false, false}, {2, 7, false, false}} {
		if owned, legacy := got.owns(c.version, c.id); owned != c.owned || legacy != c.legacy {
			t.Errorf("owns(%d, %d) = %v, %v; want %v, %v", c.version, c.id, owned, legacy, c.owned, c.legacy)
		}
	}
	if err := m.subjectRecs.Apply(k, []byte(`{"source":"orders-value"}`), 1); err != nil {
		t.Fatal(err)
	}
	legacy := m.trackedByLocked("dr")[":.east:orders-value"]
	if _, isLegacy := legacy.owns(1, 7); !isLegacy {
		t.Error("a record without written versions replays as written ones")
	}
	if legacy.Exporter != "dr" || legacy.Dest != ":.east:orders-value" {
		t.Errorf("a record's entry = %+v, want its key's exporter and subject filled in", legacy)
	}
	if err := m.subjectRecs.Apply(registry.Key{Type: KeySubject, Subject: "no-slash"}, []byte(`{}`), 2); err == nil {
		t.Error("a key without NAME/SUBJECT was applied")
	}
	if err := m.subjectRecs.Apply(k, nil, 3); err != nil {
		t.Fatal(err)
	}
	if len(m.tracked) != 0 {
		t.Errorf("after the tombstone tracked = %v, want empty", m.tracked)
	}
}

// A definition's record wakes the runner; its tombstone takes the
// exporter's status with it.
func TestDefinitionRecordsWakeAndTakeTheStatus(t *testing.T) {
	m := newTestManager()
	wake := m.wakeChan()
	r, err := m.defRecord(definition{Exporter: Exporter{Name: "dr"}, Generation: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.defRecs.Apply(defKey("dr"), r.Value, 0); err != nil {
		t.Fatal(err)
	}
	select {
	case <-wake:
	default:
		t.Error("a definition record did not wake the runner")
	}
	s, _ := m.statusRecord("dr", statusValue{State: StateRunning})
	_ = m.statusRecs.Apply(statusKey("dr"), s.Value, 1)
	if m.defs["dr"].Name != "dr" || m.status["dr"].State != StateRunning {
		t.Fatalf("defs %v status %v", m.defs, m.status)
	}
	if err := m.defRecs.Apply(defKey("dr"), nil, 2); err != nil {
		t.Fatal(err)
	}
	if len(m.defs) != 0 || len(m.status) != 0 {
		t.Errorf("after the tombstone defs %v status %v, want both empty", m.defs, m.status)
	}
}
