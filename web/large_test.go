package web

import (
	"strings"
	"testing"
)

// TestLargeEnumPageIsCapped registers an Avro enum of 40,000 symbols
// (430 KB, under the size limit) and opens its subject page: it answers,
// lists the first symbols and says how many more there are, and shows the
// first lines of the text with the number left off.
func TestLargeEnumPageIsCapped(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	typ, schema := largeSchema("avro-enum", 40_000)
	h.register("big-value", typ, schema)
	body := h.ok("/ui/subjects/big-value")
	for _, want := range []string{
		"<code>S0</code>",
		"<code>S999</code>",
		"39000 more symbols not shown (a page lists 1000 at most).",
		"more lines not shown (a page shows the first 2000); <code>GET /subjects/big-value/versions/1/schema</code> gives the whole text.",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(body, "<code>S1000</code>") {
		t.Error("the page lists symbol S1000, past the cap")
	}
	if n := strings.Count(body, `<span class="line">`); n != maxCodeLines {
		t.Errorf("the page shows %d lines of the text, want %d", n, maxCodeLines)
	}
}

// TestLargeRecordTablesAreCapped checks the field table's cap over one
// large record and the diff page, which still shows both texts in full.
func TestLargeRecordTablesAreCapped(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	typ, schema := largeSchema("avro-record", 3_000)
	h.register("rec-value", typ, schema)
	body := h.ok("/ui/subjects/rec-value")
	if !strings.Contains(body, "<code>f999</code>") || strings.Contains(body, "<code>f1000</code>") {
		t.Error("the field table does not stop after 1000 rows")
	}
	if !strings.Contains(body, "2000 more fields not shown (a page lists 1000 at most).") {
		t.Error("the field table does not say how many fields it leaves off")
	}
	diff := h.ok("/ui/diff?subject=rec-value&from=1&to=1")
	if !strings.Contains(diff, "f2999") {
		t.Error("the diff page does not show the whole text")
	}
}

// TestManyRecordsAreCapped: a schema of many small records lists the
// first maxTables and counts the rest.
func TestManyRecordsAreCapped(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	var sb strings.Builder
	sb.WriteString(`{"type":"record","name":"R","fields":[`)
	for i := range 150 {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(`{"name":"r` + itoa(i) + `","type":{"type":"record","name":"N` + itoa(i) + `","fields":[{"name":"x","type":"int"}]}}`)
	}
	sb.WriteString(`]}`)
	h.register("many-value", "AVRO", sb.String())
	body := h.ok("/ui/subjects/many-value")
	if !strings.Contains(body, "51 more records (51 fields) not shown (a page lists 100 at most).") {
		t.Errorf("the page does not count the records it leaves off")
	}
}
