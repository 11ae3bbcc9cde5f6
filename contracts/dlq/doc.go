// Package dlq writes dead letters to Kafka with franz-go and replays them.
//
// A producer-side dead letter is a record a data-contract rule routed to
// its DLQ action: it keeps the original key, value (the encoded payload)
// and headers, and adds Confluent's __rule.name, __rule.mode,
// __rule.subject, __rule.topic and __rule.exception headers, so Confluent's
// tools recognise it. A consumer-side dead letter is a record the consumer
// could not read (bad magic byte, unknown schema id, undecodable bytes, a
// READ rule): it also carries where it came from (__dlq.topic,
// __dlq.partition, __dlq.offset), the schema id if one was read and the
// error kind. Replay re-produces dead letters to their original topic once
// the cause is fixed.
//
// Dead letters are produced synchronously with acks=all. Reading a dead
// letter back skips the rule named in its __rule.name header (see
// SkipRules), which is what makes a dead-lettered record consumable.
package dlq
