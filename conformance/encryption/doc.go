// Package encryption proves that client-side field level encryption
// interoperates between confluent-kafka-go's encryption executors and
// charter's (contracts/encrypt), both going through charter's DEK
// registry. It is a package of its own because confluent-kafka-go's
// executors register themselves globally on import and bind to the first
// registry URL they are configured with: every test here shares one
// charter server.
package encryption
