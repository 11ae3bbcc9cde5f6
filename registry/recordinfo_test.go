package registry_test

import (
	"slices"
	"testing"

	"github.com/charter-registry/charter/registry"
)

func TestRecordID(t *testing.T) {
	floor := registry.IDFloorRecord(42)
	tests := []struct {
		name       string
		key, value string
		tomb       bool
		id         int64
		ok         bool
		describe   string
	}{
		{"schema", `{"keytype":"SCHEMA","subject":"orders-value","version":3,"magic":1}`,
			`{"subject":"orders-value","version":3,"id":17,"schema":"\"string\"","deleted":false}`, false, 17, true,
			`SCHEMA subject "orders-value" version 3 id 17`},
		{"id floor", string(floor.Key), string(floor.Value), false, 42, true, `ID_FLOOR maxId 42`},
		{"schema tombstone", `{"keytype":"SCHEMA","subject":"s","version":1,"magic":1}`, "", true, 0, false,
			`SCHEMA subject "s" version 1 (tombstone)`},
		{"damaged schema value", `{"keytype":"SCHEMA","subject":"s","version":1,"magic":1}`, `{"id":1`, false, 0, false,
			`SCHEMA subject "s" version 1 (value undecodable)`},
		{"global config", `{"keytype":"CONFIG","subject":null,"magic":0}`, `{"compatibilityLevel":"FULL"}`, false, 0, false,
			`CONFIG (global)`},
		{"undecodable key", `{"keyty`, `{}`, false, 0, false, `undecodable key "{\"keyty"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var value []byte
			if !tt.tomb {
				value = []byte(tt.value)
			}
			id, ok := registry.RecordID([]byte(tt.key), value)
			if id != tt.id || ok != tt.ok {
				t.Errorf("RecordID = %d, %v; want %d, %v", id, ok, tt.id, tt.ok)
			}
			if got := registry.DescribeRecord([]byte(tt.key), value); got != tt.describe {
				t.Errorf("DescribeRecord = %q, want %q", got, tt.describe)
			}
		})
	}
}

// TestIDFloorsFloorEveryContextTheRecordsName: IDFloors reads ids as
// RecordID does, notes the contexts of the records it sees, and floors the
// default context (the same record as IDFloorRecord) and each of them.
func TestIDFloorsFloorEveryContextTheRecordsName(t *testing.T) {
	t.Parallel()
	f := registry.NewIDFloors()
	for _, r := range []struct{ key, value string }{
		{`{"keytype":"SCHEMA","subject":"a-value","version":1,"magic":1}`, `{"subject":"a-value","version":1,"id":3,"schema":"\"int\"","deleted":false}`},
		{`{"keytype":"SCHEMA","subject":":.staging:b-value","version":1,"magic":1}`, `{"subject":":.staging:b-value","version":1,"id":1,"schema":"\"int\"","deleted":false}`},
		{`{"keytype":"SCHEMA_ID","subject":":.old:00000000-0000-0000-0000-000000000001","magic":0}`, `{"id":2}`},
		{`{"keytype":"CONFIG","subject":":.cfg:c-value","magic":0}`, `{"compatibilityLevel":"NONE"}`},
		{`{"keytype":"CONFIG","subject":null,"magic":0}`, `{"compatibilityLevel":"FULL"}`},
		{`{"keytype":"TEAM","subject":":.not-a-context:","magic":0}`, `{"name":"x"}`},
	} {
		want, wantOK := registry.RecordID([]byte(r.key), []byte(r.value))
		if id, ok := f.RecordID([]byte(r.key), []byte(r.value)); id != want || ok != wantOK {
			t.Errorf("RecordID(%s) = %d, %v; want %d, %v", r.key, id, ok, want, wantOK)
		}
	}
	var got []string
	for _, r := range f.Records(9) {
		got = append(got, registry.DescribeRecord(r.Key, r.Value))
	}
	want := []string{`ID_FLOOR maxId 9`, `ID_FLOOR context ".cfg" maxId 9`, `ID_FLOOR context ".old" maxId 9`, `ID_FLOOR context ".staging" maxId 9`}
	if !slices.Equal(got, want) {
		t.Errorf("floors %q, want %q", got, want)
	}
	if first, def := f.Records(9)[0], registry.IDFloorRecord(9); string(first.Key) != string(def.Key) || string(first.Value) != string(def.Value) {
		t.Errorf("the default context's floor %s %s differs from IDFloorRecord's %s %s", first.Key, first.Value, def.Key, def.Value)
	}
}
