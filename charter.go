// Package charter holds what belongs to the whole project rather than one
// package: the OpenAPI document and the list of schema formats.
package charter

import (
	_ "embed"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/compat/avro"
	"github.com/charter-registry/charter/compat/jsonschema"
	"github.com/charter-registry/charter/compat/protobuf"
)

//go:embed openapi.yaml
var openAPI []byte

// OpenAPI returns the REST contract served at /openapi.yaml.
func OpenAPI() []byte { return openAPI }

// Formats returns every schema format charter serves; json configures
// the JSON Schema format (jsonschema.LenientPatterns, for example).
func Formats(json ...jsonschema.Opt) []compat.Format {
	return []compat.Format{avroFormat{avro.New()}, protobuf.New(), jsonschema.New(json...)}
}

// avroFormat offers Avro's default-validating parse for new schemas
// (validateNewSchemas, on unless a config turns it off).
type avroFormat struct{ *avro.Format }

func (avroFormat) Strict() compat.Format { return avro.New(avro.ValidateDefaults()) }
