package registry_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/internal/cputime"
	"github.com/charter-registry/charter/internal/registrytest"
	"github.com/charter-registry/charter/registry"
)

// wideVersion is version v of a subject of compatible versions with n
// fields: Avro fields all have defaults, JSON Schema's properties are plain
// strings that additionalProperties covers both ways, and Protobuf's keep
// their numbers with one renamed per version, so any two versions are
// compatible both ways.
func wideVersion(typ compat.Type, n, v int) string {
	var b strings.Builder
	switch typ {
	case compat.Protobuf:
		b.WriteString("syntax = \"proto3\";\npackage acme.wide;\n\nmessage Wide {\n")
		for i := 1; i <= n; i++ {
			name := fmt.Sprintf("field_%d", i)
			if i == 1+v%n {
				name = fmt.Sprintf("field_%d_v%d", i, v)
			}
			fmt.Fprintf(&b, "  %s %s = %d;\n", []string{"string", "int64", "bool", "double"}[i%4], name, i)
		}
		b.WriteString("}\n")
	case compat.JSON:
		b.WriteString(`{"type":"object","properties":{`)
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `"field_%03d":{"type":"string","description":"field %d"}`, i, i)
		}
		b.WriteString(`},"additionalProperties":{"type":"string"}}`)
	default:
		b.WriteString(`{"type":"record","name":"Wide","namespace":"com.acme.wide","fields":[`)
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"name":"f%d","type":["null","string"],"default":null}`, i)
		}
		b.WriteString(`]}`)
	}
	return b.String()
}

// BenchmarkCheckCompatibilityFullTransitive is what POST
// /compatibility/subjects/{s}/versions costs in the registry: a 200-field
// schema, parsed, checked against 100 versions (100 to 199 fields; all 200
// for Protobuf) at FULL_TRANSITIVE, every one compatible, so every version
// is compared both ways. The compat packages' CheckFullTransitive
// benchmarks measure the comparison alone, without the parse.
func BenchmarkCheckCompatibilityFullTransitive(b *testing.B) {
	for _, typ := range []compat.Type{compat.Avro, compat.Protobuf, compat.JSON} {
		b.Run(string(typ), func(b *testing.B) {
			ctx := context.Background()
			svc := registrytest.Run(b)
			subject := "wide-" + strings.ToLower(string(typ))
			level := compat.FullTransitive
			if _, err := svc.SetConfig(ctx, subject, registry.Config{Compatibility: &level}); err != nil {
				b.Fatal(err)
			}
			for v := range 100 {
				n := 100 + v
				if typ == compat.Protobuf {
					n = 200
				}
				if _, err := svc.Register(ctx, subject, registry.RegisterRequest{Schema: wideVersion(typ, n, v), SchemaType: typ}); err != nil {
					b.Fatalf("version %d: %v", v+1, err)
				}
			}
			req := registry.RegisterRequest{Schema: wideVersion(typ, 200, 100), SchemaType: typ}
			res, err := svc.CheckCompatibility(subject, 0, req)
			if err != nil || !res.Compatible {
				b.Fatalf("the check should pass: %+v %v", res, err)
			}
			b.ReportAllocs()
			cpu, _ := cputime.Process()
			for b.Loop() {
				if _, err := svc.CheckCompatibility(subject, 0, req); err != nil {
					b.Fatal(err)
				}
			}
			end, _ := cputime.Process()
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
			b.ReportMetric(cputime.PerOp(cpu, end, b.N), "cpu-ms/op")
		})
	}
}
