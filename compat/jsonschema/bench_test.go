package jsonschema

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/internal/cputime"
)

// wideSchema has n properties under a partially open content model
// (extra properties must be strings). The first 100 carry assorted
// constraints; the rest are plain strings, so versions that add or drop
// them stay compatible both ways and a transitive check walks every
// version.
func wideSchema(n int) string {
	var sb strings.Builder
	sb.WriteString(`{"$schema":"http://json-schema.org/draft-07/schema#","title":"Wide","type":"object","properties":{`)
	for i := 0; i < n; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		switch {
		case i >= 100:
			fmt.Fprintf(&sb, `"field_%03d":{"type":"string","title":"field %d"}`, i, i)
		case i%4 == 0:
			fmt.Fprintf(&sb, `"field_%03d":{"type":"string","description":"field %d"}`, i, i)
		case i%4 == 1:
			fmt.Fprintf(&sb, `"field_%03d":{"type":"integer","minimum":0,"maximum":%d}`, i, 64+i)
		case i%4 == 2:
			fmt.Fprintf(&sb, `"field_%03d":{"type":"string","enum":["a","b","c"]}`, i)
		default:
			fmt.Fprintf(&sb, `"field_%03d":{"oneOf":[{"type":"null"},{"type":"array","items":{"type":"string","pattern":"^[a-z]+$"}}]}`, i)
		}
	}
	sb.WriteString(`},"required":[`)
	for i := 0; i < min(n, 100); i += 5 {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `"field_%03d"`, i)
	}
	sb.WriteString(`],"additionalProperties":{"type":"string"}}`)
	return sb.String()
}

func BenchmarkParse200Properties(b *testing.B) {
	f := New()
	text := wideSchema(200)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.Parse(text, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckFullTransitive checks a 200-property schema against 100
// earlier versions (100 to 199 properties) at FULL_TRANSITIVE: 200 diffs.
func BenchmarkCheckFullTransitive(b *testing.B) {
	f := New()
	var prev []compat.Version
	for i := 0; i < 100; i++ {
		s, err := f.Parse(wideSchema(100+i), nil)
		if err != nil {
			b.Fatal(err)
		}
		prev = append(prev, compat.Version{Version: i + 1, Type: compat.JSON, Schema: s})
	}
	next, err := f.Parse(wideSchema(200), nil)
	if err != nil {
		b.Fatal(err)
	}
	if v := compat.Check(f, compat.FullTransitive, compat.JSON, next, prev, compat.Options{}); len(v) != 0 {
		b.Fatalf("the versions should be compatible: %+v", v[0])
	}
	b.ReportAllocs()
	cpu, _ := cputime.Process()
	for b.Loop() {
		compat.Check(f, compat.FullTransitive, compat.JSON, next, prev, compat.Options{})
	}
	end, _ := cputime.Process()
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
	b.ReportMetric(cputime.PerOp(cpu, end, b.N), "cpu-ms/op")
}
