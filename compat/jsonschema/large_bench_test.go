package jsonschema

import (
	"fmt"
	"testing"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/internal/cputime"
)

// BenchmarkLarge parses an object of n properties (as a registration
// does) and checks it against itself at BACKWARD (as a compatibility
// check does). Each doubling of n should about double the cost.
//
//	go test -run '^$' -bench Large -benchtime 3x ./compat/jsonschema
func BenchmarkLarge(b *testing.B) {
	for _, n := range []int{2_500, 5_000, 10_000, 20_000} {
		text := wideSchema(n)
		f := New()
		b.Run(fmt.Sprintf("parse/n=%d", n), func(b *testing.B) {
			cpu0, _ := cputime.Process()
			for b.Loop() {
				if _, err := f.Parse(text, nil); err != nil {
					b.Fatal(err)
				}
			}
			cpu1, _ := cputime.Process()
			b.ReportMetric(cputime.PerOp(cpu0, cpu1, b.N), "cpu-ms/op")
		})
		b.Run(fmt.Sprintf("diff/n=%d", n), func(b *testing.B) {
			s, err := f.Parse(text, nil)
			if err != nil {
				b.Fatal(err)
			}
			prev := []compat.Version{{Version: 1, Type: compat.JSON, Schema: s}}
			cpu0, _ := cputime.Process()
			for b.Loop() {
				compat.Check(f, compat.Backward, compat.JSON, s, prev, compat.Options{})
			}
			cpu1, _ := cputime.Process()
			b.ReportMetric(cputime.PerOp(cpu0, cpu1, b.N), "cpu-ms/op")
		})
	}
}
