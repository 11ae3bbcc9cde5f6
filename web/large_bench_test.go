package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/internal/cputime"
)

// largeSizes are the schema sizes the scaling benchmarks run at: each
// doubling of n should about double the cost, not quadruple it.
var largeSizes = []int{2_500, 5_000, 10_000, 20_000}

// largeSchema is a schema of n symbols, fields or properties.
func largeSchema(kind string, n int) (compat.Type, string) {
	switch kind {
	case "avro-enum":
		syms := make([]string, n)
		for i := range syms {
			syms[i] = fmt.Sprintf("S%d", i)
		}
		b, _ := json.Marshal(map[string]any{"type": "enum", "name": "E", "symbols": syms})
		return compat.Avro, string(b)
	case "avro-record":
		var sb strings.Builder
		sb.WriteString(`{"type":"record","name":"R","fields":[`)
		for i := range n {
			if i > 0 {
				sb.WriteByte(',')
			}
			fmt.Fprintf(&sb, `{"name":"f%d","type":"int"}`, i)
		}
		sb.WriteString(`]}`)
		return compat.Avro, sb.String()
	default:
		var sb strings.Builder
		sb.WriteString(`{"type":"object","properties":{`)
		for i := range n {
			if i > 0 {
				sb.WriteByte(',')
			}
			fmt.Fprintf(&sb, `"p%d":{"type":"integer"}`, i)
		}
		sb.WriteString(`}}`)
		return compat.JSON, sb.String()
	}
}

// BenchmarkLargeSubjectPage is the first view of a subject page whose one
// schema has n symbols, fields or properties: each iteration starts from
// an empty render cache (as the first view after a registration or a
// restart does), so highlighting, the field table and the page are built
// again.
//
//	go test -run '^$' -bench LargeSubjectPage -benchtime 3x ./web
func BenchmarkLargeSubjectPage(b *testing.B) {
	for _, kind := range []string{"avro-enum", "avro-record", "json-object"} {
		for _, n := range largeSizes {
			b.Run(fmt.Sprintf("%s/n=%d", kind, n), func(b *testing.B) {
				h := newHarness(b)
				typ, schema := largeSchema(kind, n)
				h.register("big-value", typ, schema)
				path := "/ui/subjects/big-value"
				b.ReportAllocs()
				cpu0, _ := cputime.Process()
				for b.Loop() {
					h.cat.cache = newRenderCache(h.cat.cfg.cacheSize)
					req := httptest.NewRequest(http.MethodGet, path, nil)
					rec := httptest.NewRecorder()
					h.e.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK {
						b.Fatalf("status %d", rec.Code)
					}
				}
				cpu1, _ := cputime.Process()
				b.ReportMetric(cputime.PerOp(cpu0, cpu1, b.N), "cpu-ms/op")
			})
		}
	}
}

// BenchmarkLargeIndex builds the catalogue's index from nothing (as the
// first page after a restart does) over one schema of n symbols, fields
// or properties.
//
//	go test -run '^$' -bench LargeIndex -benchtime 3x ./web
func BenchmarkLargeIndex(b *testing.B) {
	for _, kind := range []string{"avro-enum", "avro-record", "json-object"} {
		for _, n := range largeSizes {
			b.Run(fmt.Sprintf("%s/n=%d", kind, n), func(b *testing.B) {
				h := newHarness(b)
				typ, schema := largeSchema(kind, n)
				h.register("big-value", typ, schema)
				pos := h.svc.State().Position()
				b.ReportAllocs()
				cpu0, _ := cputime.Process()
				for b.Loop() {
					buildIndex(h.svc, h.cat.cfg.directory, pos, nil)
				}
				cpu1, _ := cputime.Process()
				b.ReportMetric(cputime.PerOp(cpu0, cpu1, b.N), "cpu-ms/op")
			})
		}
	}
}
