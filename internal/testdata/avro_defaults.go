package testdata

// AvroDefault is an Avro schema of one record X whose one field a has a
// default, for the tests that hold the server and charter check to the
// same verdict on it.
type AvroDefault struct {
	Name   string
	Schema string
	// Message is what the refusal must contain; empty for a default that
	// is valid.
	Message string
}

// AvroRecord is the schema of record X with one field a of type typ (JSON)
// whose default is def (JSON).
func AvroRecord(typ, def string) string {
	return `{"type":"record","name":"X","fields":[{"name":"a","type":` + typ + `,"default":` + def + `}]}`
}

// InvalidAvroDefaults are schemas the registry refuses as new schemas
// (Avro 1.12's Java rule, as Confluent's validateNewSchemas applies it),
// each with the words of the refusal.
func InvalidAvroDefaults() []AvroDefault {
	return []AvroDefault{
		{"string on an int", AvroRecord(`"int"`, `"x"`), `invalid default for field "a" of record "X": "x" is not a valid int`},
		{"object on an array", AvroRecord(`{"type":"array","items":"int"}`, `{}`), `{} is not a valid array`},
		{"fraction on an int", AvroRecord(`"int"`, `1.5`), `1.5 is not a valid int: write a whole number from -2147483648 to 2147483647`},
		{"null on a long", AvroRecord(`"long"`, `null`), `null is not a valid long: to default to null, make the type a union with "null"`},
		{"fitting no branch", AvroRecord(`["null","string"]`, `5`), `5 fits none of the union's types (null, string)`},
	}
}

// ValidAvroDefaults are schemas Avro 1.12 takes although hamba, the
// library charter builds Avro schemas with, would not: a union default
// fitting any branch, any string for an enum.
func ValidAvroDefaults() []AvroDefault {
	return []AvroDefault{
		{"a union default fitting a later branch", AvroRecord(`["null","string"]`, `"x"`), ""},
		{"an enum default that is no symbol", AvroRecord(`{"type":"enum","name":"E","symbols":["A"]}`, `"Z"`), ""},
	}
}
