// Package contracts is the library producers and consumers import to enforce
// data contracts where data is written and read.
//
// It has four parts: client (a caching registry client), serde (Confluent
// wire-format serializers for Avro, Protobuf and JSON Schema that validate
// every value), rules (CEL data-quality rules from a schema's ruleSet) and
// dlq (dead-letter writing and replay on franz-go), plus kafka, a thin
// franz-go producer and consumer that tie them together.
//
// contracts depends on compat for parsing schemas and never on the registry
// server's packages.
package contracts
