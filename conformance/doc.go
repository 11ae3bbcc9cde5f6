// Package conformance proves that real third-party Schema Registry clients
// work against charter. Its tests start charter in-process on a random
// loopback port and drive it with confluent-kafka-go's schemaregistry client
// and serdes and with franz-go's pkg/sr, asserting exactly what a Confluent
// registry would answer.
//
// It is a module of its own so that the main module does not carry the
// clients' large dependency trees. The serde tests need cgo (confluent's
// serde packages import its librdkafka binding) and carry the cgo build tag.
package conformance
