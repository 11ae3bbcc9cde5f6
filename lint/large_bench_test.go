package lint

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/compat/avro"
	"github.com/charter-registry/charter/compat/jsonschema"
	"github.com/charter-registry/charter/internal/cputime"
)

// BenchmarkRunLarge lints one schema of n enum symbols, record fields or
// object properties with every rule, against itself as the previous
// version (as a registration under a lint policy, the catalogue and
// charter lint do). Each doubling of n should about double the cost.
//
//	go test -run '^$' -bench RunLarge -benchtime 3x ./lint
func BenchmarkRunLarge(b *testing.B) {
	for _, kind := range []string{"avro-enum", "avro-record", "json-object"} {
		for _, n := range []int{2_500, 5_000, 10_000, 20_000} {
			b.Run(fmt.Sprintf("%s/n=%d", kind, n), func(b *testing.B) {
				typ, text := largeText(kind, n)
				var f compat.Format = avro.New()
				if typ == compat.JSON {
					f = jsonschema.New()
				}
				s, err := f.Parse(text, nil)
				if err != nil {
					b.Fatal(err)
				}
				rules := Rules()
				in := Input{Schema: s, Type: typ, Subject: "big-value", Previous: s, Format: f}
				b.ReportAllocs()
				cpu0, _ := cputime.Process()
				for b.Loop() {
					Run(in, rules)
				}
				cpu1, _ := cputime.Process()
				b.ReportMetric(cputime.PerOp(cpu0, cpu1, b.N), "cpu-ms/op")
			})
		}
	}
}

func largeText(kind string, n int) (compat.Type, string) {
	var sb strings.Builder
	switch kind {
	case "avro-enum":
		syms := make([]string, n)
		for i := range syms {
			syms[i] = fmt.Sprintf("S%d", i)
		}
		out, _ := json.Marshal(map[string]any{"type": "enum", "name": "E", "symbols": syms})
		return compat.Avro, string(out)
	case "avro-record":
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
