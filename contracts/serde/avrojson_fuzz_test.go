package serde

import (
	"encoding/json"
	"testing"

	havro "github.com/hamba/avro/v2"
)

// FuzzAvroFromJSON: any JSON document shaped for a reader schema with
// unions, logical types, bytes and fixed gives an encodable value or an
// error, never a panic, and what it accepts survives the way back.
func FuzzAvroFromJSON(f *testing.F) {
	schema := havro.MustParse(`{"type":"record","name":"R","fields":[
		{"name":"i","type":"int"},{"name":"l","type":["null","long"],"default":null},
		{"name":"u","type":["int","string",{"type":"record","name":"S","fields":[{"name":"x","type":"double"}]}],"default":0},
		{"name":"b","type":"bytes","default":""},{"name":"f","type":{"type":"fixed","name":"F","size":2},"default":"ab"},
		{"name":"d","type":{"type":"int","logicalType":"date"},"default":0},
		{"name":"t","type":{"type":"long","logicalType":"timestamp-millis"},"default":0},
		{"name":"m","type":{"type":"map","values":{"type":"array","items":"float"}},"default":{}},
		{"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]},"default":"A"},
		{"name":"dec","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2},"default":"\u0000"}]}`)
	f.Add(`{"i":1}`)
	f.Add(`{"i":1,"l":5,"u":{"S":{"x":1.5}},"b":"\u00ff","f":"xy","d":3,"t":1700000000000,"m":{"k":[1,2]},"e":"B","dec":"12.34"}`)
	f.Add(`{"i":1.5}`)
	f.Add(`{"i":1,"u":"s","e":"Z"}`)
	f.Fuzz(func(t *testing.T, doc string) {
		var v any
		if json.Unmarshal([]byte(doc), &v) != nil {
			return
		}
		shaped, err := avroFromJSON(schema, v, "$", 0)
		if err != nil {
			return
		}
		b, err := havro.Marshal(schema, shaped)
		if err != nil {
			return
		}
		var back any
		if err := havro.Unmarshal(schema, b, &back); err != nil {
			t.Fatalf("decode of our own encoding: %v", err)
		}
		if _, err := avroToJSON(schema, back, 0); err != nil {
			t.Fatalf("back to JSON: %v", err)
		}
	})
}
