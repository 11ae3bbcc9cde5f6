// Package serde serializes and deserializes Kafka record values (or keys)
// in Confluent's wire format: magic byte 0, the schema's 4-byte big-endian
// id, for Protobuf the message indexes, then the Avro, Protobuf or JSON
// encoding.
//
// A Serializer picks the schema for a topic (a fixed id, the latest version,
// the latest with given metadata, a lookup of a given schema, or
// auto-registration, which is off by default), refuses values that do not
// conform to it with a *ValidationError naming the field path, runs the
// schema's WRITE rules (contracts/rules) and encodes. A Deserializer reads
// the id, fetches and caches the schema, decodes, and runs READ rules;
// given a reader version (UseLatest, UseLatestWithMetadata) it first
// migrates payloads of other versions with their migration rules. Its
// errors are *Error values whose Kind tells a consumer whether the record is
// at fault (bad magic, unknown id, undecodable, a rule) or the registry is.
//
// What serde knows of a format is one codec (codec.go), in one file per
// format (avro.go, protobuf.go, json.go); the serializer and deserializer
// never switch on the format.
//
// Everything per schema and per topic is cached after the first call, so
// the steady state costs about what the encoding itself costs. Serde does
// not talk to Kafka: contracts/kafka wires it to franz-go and the
// dead-letter writer.
package serde
