package avro

import (
	"testing"

	"github.com/charter-registry/charter/compat/compattest"
)

func TestConformance(t *testing.T) {
	compattest.Run(t, New(), compattest.Case{
		Schema: `{"type": "record", "name": "Order", "namespace": "com.acme",
  "fields": [
    {"name": "id", "type": "string", "doc": "the order id"},
    {"name": "qty", "type": "int", "default": 1},
    {"name": "line", "type": {"type": "record", "name": "Line",
      "fields": [
        {"name": "sku", "type": "string"}
      ]}},
    {"name": "state", "type": {"type": "enum", "name": "State", "symbols": ["NEW", "DONE"]}}
  ]
}`,
		Spaced: "/* an order */ {\"type\":\"record\",\"name\":\"Order\",\"namespace\":\"com.acme\",\"fields\":[\n" +
			"{\"name\":\"id\",\"type\":\"string\",\"doc\":\"the order id\"},{\"name\":\"qty\",\"type\":\"int\",\"default\":1},\n" +
			"{\"name\":\"line\",\"type\":{\"type\":\"record\",\"name\":\"Line\",\"fields\":[{\"name\":\"sku\",\"type\":\"string\"}]}}, // a line\n" +
			"{\"name\":\"state\",\"type\":{\"type\":\"enum\",\"name\":\"State\",\"symbols\":[\"NEW\",\"DONE\"]}}]}",
		Changed: `{"type": "record", "name": "Order", "namespace": "com.acme",
  "fields": [
    {"name": "id", "type": "string"},
    {"name": "qty", "type": "int", "default": 1},
    {"name": "owner", "type": "string"}
  ]
}`,
		Invalid: []string{
			"",
			"{\"type\": \"record\",\n \"name\": \"R\"}",
			`{"type": "record", "name": "R", "fields": [{"name": "a", "type": "Nope"}]}`,
			`{"type": "record", "name": "R", "fields": [`,
			`"int" "long"`,
		},
		Renderings: []string{"resolved"},
	})
}
