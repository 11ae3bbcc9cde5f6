// Package clustertest holds multi-process acceptance tests for Kafka
// storage: several real charter binaries on one topic of a real Apache
// Kafka broker, under concurrent load, instance crashes and a broker
// restart, plus migration from a topic in Confluent's _schemas format and a
// replay benchmark. It has no code outside its tests.
//
// The tests need a broker: set CHARTER_KAFKA_BROKERS (scripts/kafka.sh up
// starts one; eval "$(scripts/kafka.sh env)" exports it). Without it they
// skip. The broker restart test also needs CHARTER_KAFKA_SCRIPT, the path
// of scripts/kafka.sh. TestThreeBrokerFaults runs on the three-node
// cluster of scripts/kafka-cluster.sh instead: it needs
// CHARTER_KAFKA_CLUSTER_BROKERS and CHARTER_KAFKA_CLUSTER_SCRIPT, which
// scripts/test.sh sets.
package clustertest
