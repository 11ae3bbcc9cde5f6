package kafka

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charter-registry/charter/storage"
)

// replayRecords is the size of the log BenchmarkBrokerReplay reads.
const replayRecords = 100_000

// schemaLikeRecords returns n records shaped like Confluent _schemas
// records: a JSON key and a JSON value of a few hundred bytes.
func schemaLikeRecords(from, n int) []storage.Record {
	schema := strings.Repeat(`{\"name\":\"f\",\"type\":\"string\"},`, 8)
	recs := make([]storage.Record, n)
	for i := range recs {
		id := from + i
		recs[i] = storage.Record{
			Key: fmt.Appendf(nil, `{"keytype":"SCHEMA","subject":"subject-%d","version":1,"magic":1}`, id),
			Value: fmt.Appendf(nil, `{"subject":"subject-%d","version":1,"id":%d,"schema":"{\"type\":\"record\",\"name\":\"R%d\",\"fields\":[%s{\"name\":\"last\",\"type\":\"int\"}]}","deleted":false}`,
				id, id, id, schema),
		}
	}
	return recs
}

// BenchmarkBrokerReplay measures how fast Tail replays a 100k-record log
// from a real broker, the work an instance does at startup. It needs
// CHARTER_KAFKA_BROKERS.
func BenchmarkBrokerReplay(b *testing.B) {
	cfg := brokerConfig(b, "replay")
	cfg.WriteTimeout = time.Minute
	l := openBroker(b, cfg)
	const perAppend = 1000
	for at := 0; at < replayRecords; at += perAppend {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		_, err := l.Append(ctx, schemaLikeRecords(at, perAppend)...)
		cancel()
		if err != nil {
			b.Fatalf("filling the log: %v", err)
		}
	}
	errDone := errors.New("caught up")
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		n := 0
		err := l.Tail(context.Background(), 0, func(r storage.Record) error {
			n++
			if r.Offset == replayRecords-1 {
				return errDone
			}
			return nil
		})
		if !errors.Is(err, errDone) || n != replayRecords {
			b.Fatalf("Tail: %v after %d records", err, n)
		}
	}
	b.ReportMetric(float64(replayRecords)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkBrokerAppend measures one single-record Append with acks=all on
// a real broker: the latency a registry write pays for storage.
func BenchmarkBrokerAppend(b *testing.B) {
	cfg := brokerConfig(b, "append")
	l := openBroker(b, cfg)
	recs := schemaLikeRecords(0, 1)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := l.Append(ctx, recs...); err != nil {
			b.Fatal(err)
		}
	}
}
