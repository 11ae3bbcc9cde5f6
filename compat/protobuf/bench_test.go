package protobuf

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/internal/cputime"
)

var scalarTypes = []string{"string", "int32", "int64", "bool", "double", "bytes", "uint32", "sint64", "fixed32", "float"}

// wideSchema is a message with n fields of mixed types; version v adds no
// field but renames one, so every version differs from the others.
func wideSchema(n, v int) string {
	var b strings.Builder
	b.WriteString("syntax = \"proto3\";\npackage bench;\nimport \"google/protobuf/timestamp.proto\";\n\n// Wide is a message with many fields.\nmessage Wide {\n")
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("field_%d", i)
		if i == 1+v%n {
			name = fmt.Sprintf("field_%d_v%d", i, v)
		}
		switch {
		case i%25 == 0:
			fmt.Fprintf(&b, "  google.protobuf.Timestamp %s = %d;\n", name, i)
		case i%20 == 0:
			fmt.Fprintf(&b, "  map<string, int64> %s = %d;\n", name, i)
		case i%15 == 0:
			fmt.Fprintf(&b, "  Inner %s = %d;\n", name, i)
		default:
			fmt.Fprintf(&b, "  %s %s = %d;\n", scalarTypes[i%len(scalarTypes)], name, i)
		}
	}
	b.WriteString("  message Inner {\n    string id = 1;\n    repeated int32 values = 2;\n  }\n}\n")
	return b.String()
}

func BenchmarkParse200Fields(b *testing.B) {
	f := New()
	text := wideSchema(200, 0)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.Parse(text, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheckFullTransitive200Fields100Versions(b *testing.B) {
	f := New()
	prev := make([]compat.Version, 100)
	for v := range prev {
		s, err := f.Parse(wideSchema(200, v), nil)
		if err != nil {
			b.Fatal(err)
		}
		prev[v] = compat.Version{Version: v + 1, Type: compat.Protobuf, Schema: s}
	}
	next, err := f.Parse(wideSchema(200, 100), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	cpu, _ := cputime.Process()
	for b.Loop() {
		if v := compat.Check(f, compat.FullTransitive, compat.Protobuf, next, prev, compat.Options{}); len(v) != 0 {
			b.Fatalf("unexpected violations: %+v", v[0])
		}
	}
	end, _ := cputime.Process()
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
	b.ReportMetric(cputime.PerOp(cpu, end, b.N), "cpu-ms/op")
}
