package registry_test

import (
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
