package exporter

import (
	"testing"

	"github.com/charter-registry/charter/registry"
)

// An EXPORTER_SUBJECT record replays into the versions the exporter
// wrote; one written before versions were recorded replays as legacy, for
// which the id rule decides.
func TestSubjectRecordsReplayTheVersionsWritten(t *testing.T) {
	m := &Manager{tracked: map[string]map[string]subjectValue{}}
	recs := subjectRecords{m}
	k := subjectKey("dr", ":.east:orders-value")
	r, err := registry.Record(k, subjectValue{Source: "orders-value", Written: map[int]int{1: 7, 3: 9}})
	if err != nil {
		t.Fatal(err)
	}
	if err := recs.Apply(k, r.Value, 0); err != nil {
		t.Fatal(err)
	}
	got := m.tracked["dr"][":.east:orders-value"]
	for _, c := range []struct {
		version, id   int
		owned, legacy bool
	}{{1, 7, true, false}, {3, 9, true, false}, {1, 8, false, false}, {2, 7, false, false}} {
		if owned, legacy := got.owns(c.version, c.id); owned != c.owned || legacy != c.legacy {
			t.Errorf("owns(%d, %d) = %v, %v; want %v, %v", c.version, c.id, owned, legacy, c.owned, c.legacy)
		}
	}
	if err := recs.Apply(k, []byte(`{"source":"orders-value"}`), 1); err != nil {
		t.Fatal(err)
	}
	if _, legacy := m.tracked["dr"][":.east:orders-value"].owns(1, 7); !legacy {
		t.Error("a record without written versions replays as written ones")
	}
	if err := recs.Apply(k, nil, 2); err != nil {
		t.Fatal(err)
	}
	if len(m.tracked) != 0 {
		t.Errorf("after the tombstone tracked = %v, want empty", m.tracked)
	}
}
