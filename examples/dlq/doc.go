// Command dlq is a runnable example of producing and consuming under a data
// contract with a dead-letter topic.
//
// It registers a Payment schema whose CEL rule "message.amount > 0" sends
// failures to a dead-letter topic, produces a few valid and invalid
// payments, then reads back both the topic and the dead-letter topic. Run
// it against a charter registry and a Kafka broker:
//
//	CHARTER_REGISTRY_URL=http://localhost:8081 CHARTER_KAFKA_BROKERS=localhost:9092 go run ./examples/dlq
package main
