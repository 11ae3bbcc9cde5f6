package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/charter-registry/charter/compat"
)

// sampleSchema returns a schema of about 300 bytes; n makes it distinct.
func sampleSchema(typ compat.Type, n int) string {
	switch typ {
	case compat.Protobuf:
		return fmt.Sprintf("syntax = \"proto3\";\npackage acme.sales.v%d;\n\n"+
			"message Order {\n  string id = 1;\n  int64 customer = 2;\n  double amount = 3;\n"+
			"  string currency = 4;\n  optional string note = 5;\n  int64 placed_at = 6;\n"+
			"  repeated string tags = 7;\n}\n", n)
	case compat.JSON:
		return fmt.Sprintf(`{"$schema":"http://json-schema.org/draft-07/schema#","title":"Order%d","type":"object",`+
			`"properties":{"id":{"type":"string"},"customer":{"type":"integer"},"amount":{"type":"number"},`+
			`"currency":{"enum":["EUR","USD","GBP"]},"note":{"type":["null","string"]}},`+
			`"required":["id","customer"]}`, n)
	default:
		return fmt.Sprintf(`{"type":"record","name":"Order","namespace":"com.acme.sales.v%d","fields":[`+
			`{"name":"id","type":"string"},{"name":"customer","type":"long"},`+
			`{"name":"amount","type":"double","default":0},`+
			`{"name":"currency","type":{"type":"enum","name":"Currency","symbols":["EUR","USD","GBP"]},"default":"EUR"},`+
			`{"name":"note","type":["null","string"],"default":null}]}`, n)
	}
}

// wideSchema returns a schema of n fields such that any two of them, of
// any widths, are compatible both ways: Avro fields all have defaults,
// JSON Schema's properties from the fixed-th on are plain strings that
// additionalProperties covers both ways (the ones before carry
// constraints, and every version has them), and Protobuf's versions (which
// keep n fields) differ by one renamed field, v.
func wideSchema(typ compat.Type, n, fixed, v int) string {
	var b strings.Builder
	switch typ {
	case compat.Protobuf:
		b.WriteString("syntax = \"proto3\";\npackage acme.wide;\n\nmessage Wide {\n")
		scalars := []string{"string", "int32", "int64", "bool", "double", "bytes"}
		for i := 1; i <= n; i++ {
			name := fmt.Sprintf("field_%d", i)
			if i == 1+v%n {
				name = fmt.Sprintf("field_%d_v%d", i, v)
			}
			fmt.Fprintf(&b, "  %s %s = %d;\n", scalars[i%len(scalars)], name, i)
		}
		b.WriteString("}\n")
	case compat.JSON:
		b.WriteString(`{"$schema":"http://json-schema.org/draft-07/schema#","title":"Wide","type":"object","properties":{`)
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			if i%3 == 1 && i < fixed {
				fmt.Fprintf(&b, `"field_%03d":{"type":"string","maxLength":%d}`, i, 64+i)
			} else {
				fmt.Fprintf(&b, `"field_%03d":{"type":"string","description":"field %d"}`, i, i)
			}
		}
		b.WriteString(`},"additionalProperties":{"type":"string"}}`)
	default:
		b.WriteString(`{"type":"record","name":"Wide","namespace":"com.acme.wide","fields":[`)
		types := []struct{ typ, def string }{{`"long"`, `0`}, {`"string"`, `""`}, {`["null","string"]`, `null`}, {`{"type":"array","items":"int"}`, `[]`}}
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			t := types[i%len(types)]
			fmt.Fprintf(&b, `{"name":"f%d","type":%s,"default":%s}`, i, t.typ, t.def)
		}
		b.WriteString(`]}`)
	}
	return b.String()
}

// registerBody is the JSON body that registers or checks text.
func registerBody(typ compat.Type, text string) []byte {
	body := struct {
		Schema     string `json:"schema"`
		SchemaType string `json:"schemaType,omitempty"`
	}{Schema: text}
	if typ != compat.Avro {
		body.SchemaType = string(typ)
	}
	b, _ := json.Marshal(body)
	return b
}
