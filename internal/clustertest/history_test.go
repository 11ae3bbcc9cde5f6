package clustertest

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestCheckHistoryFindsAnomalies feeds checkHistory histories with one
// planted fault each: the checker of the fault run must see them.
func TestCheckHistoryFindsAnomalies(t *testing.T) {
	t0 := time.Now()
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	reg := func(in string, id int, sent, subject string, version, start, end int) event {
		return event{Instance: in, Op: "register", Subject: subject, Sent: sent, ID: id, Version: version,
			Start: at(start), End: at(end), Outcome: acked, Status: http.StatusOK, Schema: sent}
	}
	read := func(in string, id, status int, schema string, start int) event {
		o := acked
		if status == http.StatusNotFound {
			o = wrong
		}
		return event{Instance: in, Op: "read", ID: id, Start: at(start), End: at(start + 1), Outcome: o, Status: status, Schema: schema}
	}
	tests := []struct {
		name    string
		events  []event
		want    string // a substring of the one anomaly; "" for none
		lagging int
	}{
		{"a clean history", []event{
			reg("a", 1, "S1", "s", 1, 0, 10), read("a", 1, 200, "S1", 11), read("b", 1, 200, "S1", 12),
		}, "", 0},
		{"an id answered as another schema", []event{
			reg("a", 1, "S1", "s", 1, 0, 10), read("b", 1, 200, "S2", 11),
		}, "id 1 answered as two schemas", 0},
		{"an id acknowledged for two schemas", []event{
			reg("a", 1, "S1", "s", 1, 0, 10), reg("b", 1, "S2", "t", 1, 0, 10),
		}, "id 1 answered as two schemas", 0},
		{"a schema acknowledged with two ids", []event{
			reg("a", 1, "S1", "s", 1, 0, 10), reg("b", 2, "S1", "t", 1, 0, 10),
		}, "acknowledged with ids 1 and 2", 0},
		{"a subject version acknowledged twice", []event{
			reg("a", 1, "S1", "s", 1, 0, 10), reg("b", 2, "S2", "s", 1, 0, 10),
		}, "s version 1 acknowledged as ids 1 and 2", 0},
		{"the acknowledging instance forgets", []event{
			reg("a", 1, "S1", "s", 1, 0, 10), read("a", 1, 404, "", 11),
		}, "then a read of it", 0},
		{"another instance lags", []event{
			reg("a", 1, "S1", "s", 1, 0, 10), read("b", 1, 404, "", 11),
		}, "", 1},
		{"a read that overlaps the acknowledgement", []event{
			reg("a", 1, "S1", "s", 1, 0, 10), read("a", 1, 404, "", 5),
		}, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			anom, lagging := checkHistory(tt.events)
			switch {
			case tt.want == "" && len(anom.list) > 0:
				t.Errorf("anomalies in a clean history: %v", anom.list)
			case tt.want != "" && (len(anom.list) != 1 || !strings.Contains(anom.list[0], tt.want)):
				t.Errorf("anomalies %v, want one saying %q", anom.list, tt.want)
			}
			if lagging != tt.lagging {
				t.Errorf("lagging = %d, want %d", lagging, tt.lagging)
			}
		})
	}
}
