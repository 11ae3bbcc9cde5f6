package api_test

import (
	"context"
	"errors"
	"testing"

	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/storage"
	"github.com/charter-registry/charter/storage/memory"
)

// TestReplaysAConfluentTopicWithContexts replays records laid out as
// Confluent Schema Registry writes them into _schemas when contexts are
// used (its field order, a CONTEXT record before the context's first
// schema, qualified subjects in SCHEMA keys and values, the context's and
// .__GLOBAL's CONFIG and MODE keys), and serves the same ids, contexts,
// configs and modes.
func TestReplaysAConfluentTopicWithContexts(t *testing.T) {
	log := memory.New(memory.WithKeyFunc(registry.LogicalKey))
	rec := func(k, v string) storage.Record {
		r := storage.Record{Key: []byte(k)}
		if v != "" {
			r.Value = []byte(v)
		}
		return r
	}
	sa := `{\"type\":\"record\",\"name\":\"A\",\"fields\":[{\"name\":\"a\",\"type\":\"string\"}]}`
	sb := `{\"type\":\"record\",\"name\":\"B\",\"fields\":[{\"name\":\"b\",\"type\":\"string\"}]}`
	recs := []storage.Record{
		rec(`{"keytype":"NOOP","magic":0}`, ``),
		rec(`{"keytype":"SCHEMA","subject":"orders-value","version":1,"magic":1}`,
			`{"subject":"orders-value","version":1,"id":1,"schema":"`+sa+`","deleted":false}`),
		rec(`{"keytype":"CONTEXT","tenant":"default","context":".staging","magic":0}`, `{"tenant":"default","context":".staging"}`),
		rec(`{"keytype":"SCHEMA","subject":":.staging:orders-value","version":1,"magic":1}`,
			`{"subject":":.staging:orders-value","version":1,"id":1,"schema":"`+sb+`","deleted":false}`),
		rec(`{"keytype":"CONTEXT","tenant":"default","context":".gone","magic":0}`, `{"tenant":"default","context":".gone"}`),
		rec(`{"keytype":"CONTEXT","tenant":"default","context":".gone","magic":0}`, ``),
		rec(`{"keytype":"CONFIG","subject":":.staging:","magic":0}`, `{"compatibilityLevel":"NONE"}`),
		rec(`{"keytype":"CONFIG","subject":":.__GLOBAL:","magic":0}`, `{"compatibilityLevel":"FULL"}`),
		rec(`{"keytype":"MODE","subject":":.__GLOBAL:","magic":0}`, `{"mode":"READONLY"}`),
		rec(`{"keytype":"MODE","subject":null,"magic":0}`, `{"mode":"READWRITE"}`),
	}
	if _, err := log.Append(context.Background(), recs...); err != nil {
		t.Fatal(err)
	}
	h := newHarnessOn(t, log)
	h.wantStrings("/contexts", []string{".", ".staging"})
	h.wantStrings("/subjects", []string{":.staging:orders-value", "orders-value"})
	var sc struct {
		Subject string `json:"subject"`
		Schema  string `json:"schema"`
	}
	h.do("GET", "/schemas/ids/1?subject=:.staging:orders-value", nil).json(t, &sc)
	if sc.Subject != ":.staging:orders-value" || sc.Schema != `{"type":"record","name":"B","fields":[{"name":"b","type":"string"}]}` {
		t.Fatalf("id 1 in .staging = %+v", sc)
	}
	h.do("GET", "/schemas/ids/1", nil).json(t, &sc)
	if sc.Schema != `{"type":"record","name":"A","fields":[{"name":"a","type":"string"}]}` {
		t.Fatalf("id 1 in the default context = %+v", sc)
	}
	if got := h.level("/config/:.staging:orders-value?defaultToGlobal=true"); got != "NONE" {
		t.Fatalf("staging subject's level = %s, want its context's NONE", got)
	}
	if got := h.level("/config/:.other:x?defaultToGlobal=true"); got != "FULL" {
		t.Fatalf("another context's level = %s, want .__GLOBAL's FULL", got)
	}
	if got := h.mode("/mode/:.staging:orders-value?defaultToGlobal=true"); got != "READONLY" {
		t.Fatalf("staging subject's mode = %s, want .__GLOBAL's READONLY", got)
	}
	if got := h.mode("/mode/orders-value?defaultToGlobal=true"); got != "READWRITE" {
		t.Fatalf("default subject's mode = %s, want the top level's READWRITE", got)
	}
	// charter writes the CONTEXT record in Confluent's layout, so a
	// Confluent registry replaying charter's records sees the context.
	h.put("/mode/:.__GLOBAL:", map[string]any{"mode": "READWRITE"})
	h.register(":.new:s", ctxSchemaA)
	var found bool
	end := h.end()
	errStop := errors.New("stop")
	err := log.Tail(context.Background(), 0, func(r storage.Record) error {
		if string(r.Key) == `{"keytype":"CONTEXT","tenant":"default","context":".new","magic":0}` &&
			string(r.Value) == `{"tenant":"default","context":".new"}` {
			found = true
		}
		if r.Offset+1 >= end {
			return errStop
		}
		return nil
	})
	if !errors.Is(err, errStop) {
		t.Fatal(err)
	}
	if !found {
		t.Fatal("no CONTEXT record in Confluent's layout for .new")
	}
}

// TestContextsOfALogWithoutContextRecords: a log written before charter
// recorded contexts has qualified subjects but no CONTEXT records; their
// contexts are listed while a subject of them holds a version.
func TestContextsOfALogWithoutContextRecords(t *testing.T) {
	log := memory.New(memory.WithKeyFunc(registry.LogicalKey))
	_, err := log.Append(context.Background(), storage.Record{
		Key:   []byte(`{"keytype":"SCHEMA","subject":":.old:s","version":1,"magic":1}`),
		Value: []byte(`{"subject":":.old:s","version":1,"id":1,"schema":"\"string\"","deleted":false}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	h := newHarnessOn(t, log)
	h.wantStrings("/contexts", []string{".", ".old"})
	h.do("DELETE", "/subjects/:.old:s", nil)
	h.wantStrings("/contexts", []string{".", ".old"})
	h.do("DELETE", "/subjects/:.old:s?permanent=true", nil)
	h.wantStrings("/contexts", []string{"."})
}
