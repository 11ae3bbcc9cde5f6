// Package confluent is Confluent Schema Registry's REST model, shared by
// every part of charter that speaks it: the registry and its API, the web
// catalogue, the CLI and the contracts library producers import. It holds
// the schema as the API serves it, with its references, metadata and
// data-contract rules. It sits at the bottom of the house and imports
// nothing of charter's but compat's format names, so that the server and
// its clients cannot drift apart.
package confluent
