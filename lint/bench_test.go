package lint

import (
	"testing"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/compat/avro"
)

// BenchmarkRunAvro lints a 12-field record with an enum and a nested
// record with every rule: the cost a warn or enforce policy adds to a
// registration, and the catalogue to a subject page.
func BenchmarkRunAvro(b *testing.B) {
	text := `{"type":"record","name":"OrderPlaced","namespace":"shop","doc":"An order was placed.","fields":[
{"name":"order_id","type":"string","doc":"x"},{"name":"customer_id","type":"string","doc":"x"},
{"name":"email","type":"string","doc":"x","confluent:tags":["PII"]},{"name":"placed_at","type":{"type":"long","logicalType":"timestamp-millis"},"doc":"x"},
{"name":"status","doc":"x","type":{"type":"enum","name":"Status","doc":"x","symbols":["UNKNOWN","NEW","PAID"],"default":"UNKNOWN"}},
{"name":"total_cents","type":"long","doc":"x"},{"name":"currency","type":"string","doc":"x"},{"name":"note","type":["null","string"],"default":null,"doc":"x"},
{"name":"item_count","type":"int","doc":"x"},{"name":"channel","type":"string","doc":"x"},{"name":"coupon","type":["null","string"],"default":null,"doc":"x"},
{"name":"address","doc":"x","confluent:tags":["PII"],"type":{"type":"record","name":"Address","doc":"x","fields":[{"name":"street","type":"string","doc":"x","confluent:tags":["PII"]}]}}]}`
	f := avro.New()
	s, err := f.Parse(text, nil)
	if err != nil {
		b.Fatal(err)
	}
	rules := Rules()
	in := Input{Schema: s, Type: compat.Avro, Subject: "orders-value", Previous: s, Format: f}
	if fs := Run(in, rules); len(fs) != 0 {
		b.Fatalf("the benchmark schema is not clean: %v", fs)
	}
	for name, in := range map[string]Input{"alone": {Schema: s, Type: compat.Avro, Subject: "orders-value"}, "with-previous": in} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Run(in, rules)
			}
		})
	}
}
