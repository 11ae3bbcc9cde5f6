package serde

import (
	"context"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/contracts/client"
	"github.com/charter-registry/charter/contracts/rules"
)

// A codec is everything serde knows of one schema format: how a registered
// schema is made ready, how values are encoded, validated and decoded, and
// what rules see of them. Each format's codec lives in one file (avro.go,
// protobuf.go, json.go) and is listed in codecs, so the serializer and the
// deserializer never switch on the format; a new format is one compat
// package and one codec file. A Serializer or Deserializer makes its own
// codec, which may hold per-serde state such as encoder pools.
type codec interface {
	// prepare parses info, whose dependencies are deps, into p.state and
	// returns the fields its data-contract rules may name.
	prepare(p *parsed, info *client.Schema, deps []compat.Dependency) (rules.Fields, error)
	// encode writes t's header and v, validating v on the way.
	encode(t *target, v any) ([]byte, error)
	// problems explains why encode refused v with err.
	problems(p *parsed, v any, err error) *ValidationError
	// ruleValue is the form WRITE rules see of v, which encode wrote as
	// encoded.
	ruleValue(p *parsed, v any, encoded []byte) (any, error)
	// decode reads body (after the header) written with p. It returns the
	// value READ rules see and the record name the subject strategies get
	// for rule errors; done reports that into already holds the answer and
	// no rule is left to run.
	decode(d *Deserializer, p *parsed, body []byte, into any, withRules bool) (out any, record string, done bool, err error)
	// decodeInto gives into the value out that READ rules left, decoded
	// from body; transformed reports that a rule may have changed it.
	decodeInto(p *parsed, out any, body []byte, into any, transformed bool) (any, error)
	// payloadRecord is the record name encoding rules run under on read,
	// known before the payload is decoded ("" when it is not).
	payloadRecord(p *parsed) string
	// splitPayload separates what payload rules leave in the clear from
	// the payload they transform.
	splitPayload(body []byte) (clear, rest []byte, err error)
	// recordName is the record name of a configured schema for the
	// RecordName strategies (the Avro full name, the JSON Schema title).
	recordName(s *client.Schema) string
}

// migrator is a codec whose payloads can be migrated between versions of
// a subject by UPGRADE and DOWNGRADE rules (Avro and JSON Schema).
type migrator interface {
	// migrationRecord is the writer schema's record name for the subject
	// strategies.
	migrationRecord(w *parsed) string
	// migrationValue decodes body, written with w, into the form migration
	// rules see. With no step to run it may instead report that body is
	// to be passed on unchanged.
	migrationValue(d *Deserializer, w *parsed, body []byte, steps int) (msg any, unchanged bool, err error)
	// migrated encodes what the rules left with the reader's schema.
	migrated(reader *parsed, msg any) ([]byte, error)
}

// selfDescribing is a codec whose values carry their own schema (Protobuf
// messages): the record name comes from the value, and AutoRegister works
// without WithSchema.
type selfDescribing interface {
	// valueRecord is v's record name, when v carries one.
	valueRecord(v any) (string, bool)
	// valueSchema builds v's schema, registering (or, without register,
	// looking up) the schemas it depends on.
	valueSchema(ctx context.Context, cl *client.Client, v any, normalize, register bool) (*client.Schema, error)
}

// codecConfig is what a serde tells its codec.
type codecConfig struct {
	// maxBytes limits decoded strings, bytes and slices; 0 keeps the
	// library's default.
	maxBytes int
}

// codecs makes the codec of each format.
var codecs = map[compat.Type]func(codecConfig) codec{
	compat.Avro:     newAvroCodec,
	compat.Protobuf: newProtoCodec,
	compat.JSON:     newJSONCodec,
}

// newCodec returns format's codec, or nil for a format serde does not know.
func newCodec(format compat.Type, cfg codecConfig) codec {
	if mk, ok := codecs[format]; ok {
		return mk(cfg)
	}
	return nil
}
