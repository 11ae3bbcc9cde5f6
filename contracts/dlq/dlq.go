package dlq

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/charter-registry/charter/contracts/rules"
	"github.com/charter-registry/charter/contracts/serde"
)

// Header names. The __rule.* names are Confluent's DlqAction headers.
const (
	HeaderRuleName      = "__rule.name"
	HeaderRuleMode      = "__rule.mode"
	HeaderRuleSubject   = "__rule.subject"
	HeaderRuleTopic     = "__rule.topic"
	HeaderRuleException = "__rule.exception"

	// HeaderTopic, HeaderPartition and HeaderOffset say where a
	// consumer-side dead letter was read.
	HeaderTopic     = "__dlq.topic"
	HeaderPartition = "__dlq.partition"
	HeaderOffset    = "__dlq.offset"
	// HeaderSchemaID is the schema id the payload carried, when one was
	// read.
	HeaderSchemaID = "__dlq.schema.id"
	// HeaderErrorKind is the serde.Kind of a consumer-side failure:
	// bad-magic, unknown-id, decode or rule.
	HeaderErrorKind = "__dlq.error.kind"
	// HeaderError is the failure's message.
	HeaderError = "__dlq.error"
)

// ErrNoTopic is returned when a record must be dead-lettered but no
// dead-letter topic is configured anywhere.
var ErrNoTopic = errors.New("could not send to DLQ as no topic is configured")

// Opt configures a Writer.
type Opt interface{ apply(*Writer) }

type optFunc func(*Writer)

func (f optFunc) apply(w *Writer) { f(w) }

// Topic sets the dead-letter topic for failures that name none: consumer
// failures other than a rule's DLQ action, and DLQ actions whose rule, the
// engine and the schema all lack dlq.topic.
func Topic(topic string) Opt { return optFunc(func(w *Writer) { w.topic = topic }) }

// Writer produces dead letters through a franz-go client. It is safe for
// concurrent use.
type Writer struct {
	cl    *kgo.Client
	topic string
}

// New returns a Writer producing through cl, which must require acks from
// all in-sync replicas: franz-go's default, and refused otherwise so a
// dead letter is never acknowledged before it is safe.
func New(cl *kgo.Client, opts ...Opt) (*Writer, error) {
	if cl == nil {
		return nil, errors.New("dlq: nil client")
	}
	if acks, ok := cl.OptValue(kgo.RequiredAcks).(kgo.Acks); ok && acks != kgo.AllISRAcks() {
		return nil, errors.New("dlq: the client must produce with kgo.RequiredAcks(kgo.AllISRAcks())")
	}
	w := &Writer{cl: cl}
	for _, o := range opts {
		o.apply(w)
	}
	return w, nil
}

// WriteRule dead-letters a record a WRITE rule refused: rec is the record
// as it would have been produced (topic, key, encoded value, headers), re
// the rule's error. The dead letter goes to re.DLQTopic, or the Writer's
// Topic when the rule names none.
func (w *Writer) WriteRule(ctx context.Context, rec *kgo.Record, re *rules.Error) error {
	topic := re.DLQTopic
	if topic == "" {
		topic = w.topic
	}
	if topic == "" {
		return fmt.Errorf("rule %s: %w", re.Rule.Name, ErrNoTopic)
	}
	dl := deadLetter(rec, topic)
	dl.Headers = appendRuleHeaders(dl.Headers, re, rec.Topic)
	return w.produce(ctx, dl)
}

// WriteFailure dead-letters a record the consumer could not read: rec is
// the record as consumed and err the deserializer's error. A READ rule
// whose action is DLQ picks its own topic; every other failure goes to the
// Writer's Topic.
func (w *Writer) WriteFailure(ctx context.Context, rec *kgo.Record, err error) error {
	topic := w.topic
	var re *rules.Error
	isRule := errors.As(err, &re)
	if isRule && re.Action == rules.ActionDLQ && re.DLQTopic != "" {
		topic = re.DLQTopic
	}
	if topic == "" {
		return ErrNoTopic
	}
	dl := deadLetter(rec, topic)
	dl.Headers = append(dl.Headers,
		kgo.RecordHeader{Key: HeaderTopic, Value: []byte(rec.Topic)},
		kgo.RecordHeader{Key: HeaderPartition, Value: []byte(strconv.FormatInt(int64(rec.Partition), 10))},
		kgo.RecordHeader{Key: HeaderOffset, Value: []byte(strconv.FormatInt(rec.Offset, 10))},
		kgo.RecordHeader{Key: HeaderErrorKind, Value: []byte(serde.KindOf(err))},
		kgo.RecordHeader{Key: HeaderError, Value: []byte(err.Error())},
	)
	var se *serde.Error
	if errors.As(err, &se) && se.SchemaID != 0 {
		dl.Headers = append(dl.Headers, kgo.RecordHeader{Key: HeaderSchemaID, Value: []byte(strconv.Itoa(se.SchemaID))})
	}
	if isRule {
		dl.Headers = appendRuleHeaders(dl.Headers, re, rec.Topic)
	}
	return w.produce(ctx, dl)
}

func (w *Writer) produce(ctx context.Context, rec *kgo.Record) error {
	if err := w.cl.ProduceSync(ctx, rec).FirstErr(); err != nil {
		return fmt.Errorf("dlq: produce to %s: %w", rec.Topic, err)
	}
	return nil
}

// deadLetter copies rec's key, value and headers into a record for topic.
func deadLetter(rec *kgo.Record, topic string) *kgo.Record {
	return &kgo.Record{
		Topic:   topic,
		Key:     rec.Key,
		Value:   rec.Value,
		Headers: append([]kgo.RecordHeader(nil), rec.Headers...),
	}
}

func appendRuleHeaders(h []kgo.RecordHeader, re *rules.Error, topic string) []kgo.RecordHeader {
	if re.Topic != "" {
		topic = re.Topic
	}
	return append(h,
		kgo.RecordHeader{Key: HeaderRuleName, Value: []byte(re.Rule.Name)},
		kgo.RecordHeader{Key: HeaderRuleMode, Value: []byte(re.Mode.String())},
		kgo.RecordHeader{Key: HeaderRuleSubject, Value: []byte(re.Subject)},
		kgo.RecordHeader{Key: HeaderRuleTopic, Value: []byte(topic)},
		kgo.RecordHeader{Key: HeaderRuleException, Value: []byte(re.Error())},
	)
}

// SkipRules returns the rule a dead letter was routed by (its __rule.name
// header), for serde's skipRules, so reading the dead letter does not fail
// on the same rule again. It returns nil for other records.
func SkipRules(rec *kgo.Record) []string {
	for _, h := range rec.Headers {
		if h.Key == HeaderRuleName && len(h.Value) > 0 {
			return []string{string(h.Value)}
		}
	}
	return nil
}

// Header returns the value of the last header named key, and whether rec
// has one.
func Header(rec *kgo.Record, key string) (string, bool) {
	for i := len(rec.Headers) - 1; i >= 0; i-- {
		if rec.Headers[i].Key == key {
			return string(rec.Headers[i].Value), true
		}
	}
	return "", false
}
