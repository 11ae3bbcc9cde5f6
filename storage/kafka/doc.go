// Package kafka is the storage.Log for production: the registry's records
// live in one compacted, single-partition Kafka topic (by default _schemas,
// the topic Confluent's registry uses), so several charter instances can
// share one log and survive the loss of any of them.
//
// Open creates the topic when it is absent (one partition,
// cleanup.policy=compact) and refuses a topic that cannot hold the log
// (more than one partition, or no compaction), with the command that fixes
// it. Append produces a batch with acks=all through an idempotent producer;
// Tail reads the partition with a direct assignment, no consumer group, and
// survives broker restarts; End is the partition's high watermark.
//
// Several instances share one topic through Begin (storage.Transactional):
// every instance writes inside Kafka transactions under one transactional
// id, TransactionalID(topic). Initialising that id fences every other
// producer of it and aborts its open transaction, so a commit succeeds only
// if no other instance took over since Begin; a lost commit fails with
// storage.ErrConflict and nothing is written. Tail reads committed records
// only, so an aborted batch is never seen.
//
// Failures to reach the brokers wrap storage.ErrUnavailable. The package
// uses franz-go (kgo for producing and consuming, kadm for topics and
// offsets) and logs through the *slog.Logger given to Open.
package kafka
