package serde

import (
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/charter-registry/charter/contracts/client"
	"github.com/charter-registry/charter/contracts/rules"
)

// DefaultMaxByteSliceSize is the longest Avro string or bytes value a
// Deserializer accepts unless MaxByteSliceSize says otherwise: 16 MiB,
// above Kafka's usual record size limit. hamba/avro's own default is 1 MiB.
const DefaultMaxByteSliceSize = 16 << 20

// SerializerOpt configures a Serializer.
type SerializerOpt interface{ applySerializer(*serializerConfig) }

// DeserializerOpt configures a Deserializer.
type DeserializerOpt interface{ applyDeserializer(*deserializerConfig) }

// Opt configures either side.
type Opt interface {
	SerializerOpt
	DeserializerOpt
}

type common struct {
	key      bool
	strategy SubjectNameStrategy
	engine   *rules.Engine
	noRules  bool
	// useLatest and useMetadata choose the latest version (with these
	// metadata properties) as the schema to write with, or to read into.
	useLatest   bool
	useMetadata map[string]string
	// payload runs encoding rules by type.
	payload map[string]PayloadTransformer
}

type serializerConfig struct {
	common
	useID        int
	autoRegister bool
	normalize    bool
	schema       *client.Schema
}

type deserializerConfig struct {
	common
	maxBytes     int
	protoTypes   protoregistry.MessageTypeResolver
	skipValidate bool
}

type commonOpt func(*common)

func (f commonOpt) applySerializer(c *serializerConfig)     { f(&c.common) }
func (f commonOpt) applyDeserializer(c *deserializerConfig) { f(&c.common) }

type serOpt func(*serializerConfig)

func (f serOpt) applySerializer(c *serializerConfig) { f(c) }

type deOpt func(*deserializerConfig)

func (f deOpt) applyDeserializer(c *deserializerConfig) { f(c) }

// Key makes the serde work on record keys: subjects end in "-key" under
// TopicName.
func Key() Opt { return commonOpt(func(c *common) { c.key = true }) }

// SubjectNames sets the subject name strategy (default TopicName).
func SubjectNames(s SubjectNameStrategy) Opt {
	return commonOpt(func(c *common) {
		if s != nil {
			c.strategy = s
		}
	})
}

// RuleEngine sets the engine that runs the schema's domain rules, for
// example one built with rules.Disable or rules.DLQTopic. By default an
// engine with no options is used.
func RuleEngine(e *rules.Engine) Opt { return commonOpt(func(c *common) { c.engine = e }) }

// NoRules turns off rule execution entirely. Values are still validated
// against their schema.
func NoRules() Opt { return commonOpt(func(c *common) { c.noRules = true }) }

// UseSchemaID always serializes with the schema of this id. Values must
// conform to it; the subject is still named, for rule errors and headers.
func UseSchemaID(id int) SerializerOpt { return serOpt(func(c *serializerConfig) { c.useID = id }) }

// UseLatest makes a Serializer write with the latest version of the
// subject, re-read as often as the client's LatestTTL allows; it is the
// default when no schema is given with WithSchema.
//
// Given to a Deserializer, it makes the latest version the reader's
// schema: a payload written with another version of the subject is decoded
// with its writer's schema, migrated with the migration rules (UPGRADE or
// DOWNGRADE) of the versions in between, and returned in the shape of the
// reader's version, whose READ rules then run. Use it when consumers must
// see one version whatever producers wrote.
func UseLatest() Opt { return commonOpt(func(c *common) { c.useLatest = true }) }

// UseLatestWithMetadata is UseLatest for the latest version of the subject
// whose metadata properties include all of props, for example
// application.version=v2: a Serializer writes with it, a Deserializer
// migrates what it reads to it.
func UseLatestWithMetadata(props map[string]string) Opt {
	cp := make(map[string]string, len(props))
	for k, v := range props {
		cp[k] = v
	}
	return commonOpt(func(c *common) { c.useMetadata = cp })
}

// WithSchema gives the schema values are written with. Without AutoRegister
// it is looked up under the subject and must be registered there already;
// with AutoRegister it is registered if missing. Its record name (Avro full
// name, JSON Schema title) feeds the RecordName strategies.
func WithSchema(s client.Schema) SerializerOpt {
	return serOpt(func(c *serializerConfig) { cp := s; c.schema = &cp })
}

// AutoRegister registers the schema given with WithSchema (or, for
// Protobuf, the value's own file descriptor) when the subject lacks it. It
// is off by default: production contracts are registered by their owners,
// not by whichever producer starts first.
func AutoRegister() SerializerOpt { return serOpt(func(c *serializerConfig) { c.autoRegister = true }) }

// Normalize asks the registry to normalize schemas on lookup and
// registration.
func Normalize() SerializerOpt { return serOpt(func(c *serializerConfig) { c.normalize = true }) }

// MaxByteSliceSize bounds the Avro strings and bytes values a Deserializer
// allocates (default DefaultMaxByteSliceSize), so a corrupt length cannot
// exhaust memory.
func MaxByteSliceSize(n int) DeserializerOpt {
	return deOpt(func(c *deserializerConfig) {
		if n > 0 {
			c.maxBytes = n
		}
	})
}

// ProtoTypes resolves Protobuf message names to Go types (for example
// protoregistry.GlobalTypes for generated code). Messages it does not know
// are decoded as dynamicpb messages built from the writer's schema, which
// is also the default.
func ProtoTypes(r protoregistry.MessageTypeResolver) DeserializerOpt {
	return deOpt(func(c *deserializerConfig) { c.protoTypes = r })
}

// SkipValidation stops a JSON Schema Deserializer from validating what it
// reads; by default every value is checked against the writer's schema.
func SkipValidation() DeserializerOpt {
	return deOpt(func(c *deserializerConfig) { c.skipValidate = true })
}
