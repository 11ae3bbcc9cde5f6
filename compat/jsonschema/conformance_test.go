package jsonschema

import (
	"testing"

	"github.com/charter-registry/charter/compat/compattest"
)

func TestConformance(t *testing.T) {
	compattest.Run(t, New(), compattest.Case{
		Schema: `{"title": "Order", "type": "object",
  "properties": {
    "id": {"type": "string", "description": "the order id"},
    "qty": {"type": "integer", "minimum": 1},
    "line": {"title": "Line", "type": "object",
      "properties": {
        "sku": {"type": "string"}
      }},
    "state": {"enum": ["NEW", "DONE"]}
  },
  "required": ["id"]
}`,
		Spaced: "{\"title\":\"Order\",\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\",\"description\":\"the order id\"},\n" +
			"\t\"qty\":{\"type\":\"integer\",\"minimum\":1},\"line\":{\"title\":\"Line\",\"type\":\"object\",\"properties\":{\"sku\":{\"type\":\"string\"}}},\n" +
			"\"state\":{\"enum\":[\"NEW\",\"DONE\"]}},\"required\":[\"id\"]}\n",
		Changed: `{"title": "Order", "type": "object",
  "properties": {
    "id": {"type": "integer"},
    "qty": {"type": "integer", "minimum": 1}
  },
  "required": ["id", "qty"],
  "additionalProperties": false
}`,
		Invalid: []string{
			"",
			"{\"type\": \"object\",\n \"properties\": {}",
			`{"type": 12}`,
			`[1, 2]`,
			`{"a": 1,}`,
		},
	})
}
