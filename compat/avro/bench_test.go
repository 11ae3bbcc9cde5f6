package avro

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/internal/cputime"
)

// wideRecord builds a record of n fields of assorted types. The first base
// fields have no default; the others have one, so a record with more
// fields can read one with fewer and the other way round.
func wideRecord(n, base int) string {
	var b strings.Builder
	b.WriteString(`{"type":"record","name":"Wide","namespace":"com.acme.bench","doc":"benchmark record","fields":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		var typ, def string
		switch i % 8 {
		case 0:
			typ, def = `"int"`, `0`
		case 1:
			typ, def = `"long"`, `0`
		case 2:
			typ, def = `"string"`, `""`
		case 3:
			typ, def = `["null","string"]`, `null`
		case 4:
			typ, def = `{"type":"array","items":"string"}`, `[]`
		case 5:
			typ, def = `{"type":"map","values":"long"}`, `{}`
		case 6:
			typ, def = fmt.Sprintf(`{"type":"enum","name":"E%d","symbols":["A","B","C"]}`, i), `"A"`
		default:
			typ, def = fmt.Sprintf(`{"type":"record","name":"N%d","fields":[{"name":"x","type":"int"},{"name":"y","type":["null","double"],"default":null}]}`, i), `{"x":0}`
		}
		fmt.Fprintf(&b, `{"name":"f%d","type":%s,"doc":"field %d"`, i, typ, i)
		if i >= base {
			fmt.Fprintf(&b, `,"default":%s`, def)
		}
		b.WriteByte('}')
	}
	b.WriteString(`]}`)
	return b.String()
}

func BenchmarkParse200Fields(b *testing.B) {
	f := New()
	text := wideRecord(200, 100)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.Parse(text, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
}

// BenchmarkCheckFullTransitive200Fields100Versions checks a 200-field
// schema against 100 earlier versions (100 to 199 fields) at
// FULL_TRANSITIVE: every version is compatible, so all 200 directions are
// walked.
func BenchmarkCheckFullTransitive200Fields100Versions(b *testing.B) {
	f := New()
	prev := make([]compat.Version, 100)
	for i := range prev {
		prev[i] = compat.Version{Version: i + 1, Type: compat.Avro, Schema: mustParse(b, f, wideRecord(100+i, 100))}
	}
	next := mustParse(b, f, wideRecord(200, 100))
	if v := compat.Check(f, compat.FullTransitive, compat.Avro, next, prev, compat.Options{}); len(v) != 0 {
		b.Fatalf("violations: %+v", v[0])
	}
	b.ReportAllocs()
	cpu, _ := cputime.Process()
	for b.Loop() {
		compat.Check(f, compat.FullTransitive, compat.Avro, next, prev, compat.Options{})
	}
	end, _ := cputime.Process()
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
	b.ReportMetric(cputime.PerOp(cpu, end, b.N), "cpu-ms/op")
}

func BenchmarkCanonical200Fields(b *testing.B) {
	s := mustParse(b, New(), wideRecord(200, 100))
	b.ReportAllocs()
	for b.Loop() {
		_ = writeCanonical(s.tree, false)
	}
}
