package kafka

import (
	"context"
	"errors"
	"fmt"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/charter-registry/charter/contracts/dlq"
	"github.com/charter-registry/charter/contracts/rules"
	"github.com/charter-registry/charter/contracts/serde"
)

// ProducerOpt configures a Producer.
type ProducerOpt interface{ applyProducer(*Producer) }

type producerOpt func(*Producer)

func (f producerOpt) applyProducer(p *Producer) { f(p) }

// KeySerializer serializes keys that are not already []byte with s.
func KeySerializer(s *serde.Serializer) ProducerOpt {
	return producerOpt(func(p *Producer) { p.key = s })
}

// ProducerDeadLetters sets the dead-letter writer (default: one on the
// producer's client, with no fallback topic).
func ProducerDeadLetters(w *dlq.Writer) ProducerOpt {
	return producerOpt(func(p *Producer) { p.dlq = w })
}

// Producer produces values under their data contract.
type Producer struct {
	cl    *kgo.Client
	value *serde.Serializer
	key   *serde.Serializer
	dlq   *dlq.Writer
}

// NewProducer returns a Producer that serializes values with value and
// produces through cl.
func NewProducer(cl *kgo.Client, value *serde.Serializer, opts ...ProducerOpt) (*Producer, error) {
	if cl == nil || value == nil {
		return nil, errors.New("kafka: NewProducer needs a client and a value serializer")
	}
	p := &Producer{cl: cl, value: value}
	for _, o := range opts {
		o.applyProducer(p)
	}
	if p.dlq == nil {
		w, err := dlq.New(cl)
		if err != nil {
			return nil, err
		}
		p.dlq = w
	}
	return p, nil
}

// Produce serializes value (and key, unless it is []byte or nil), runs the
// contract's rules and produces the record synchronously, returning it
// with its partition and offset. A refused value is never produced to
// topic: the error is a *serde.Error, and when a rule's action is DLQ the
// record has been dead-lettered first (a failure to do so is joined to
// the error).
func (p *Producer) Produce(ctx context.Context, topic string, key, value any, headers ...kgo.RecordHeader) (*kgo.Record, error) {
	rec := &kgo.Record{Topic: topic, Headers: headers}
	switch k := key.(type) {
	case nil:
	case []byte:
		rec.Key = k
	default:
		if p.key == nil {
			return nil, fmt.Errorf("kafka: key of type %T needs a KeySerializer", key)
		}
		b, err := p.key.Serialize(ctx, topic, key)
		if err != nil {
			return nil, err
		}
		rec.Key = b
	}
	b, err := p.value.Serialize(ctx, topic, value)
	if err != nil {
		return nil, p.deadLetter(ctx, rec, err)
	}
	rec.Value = b
	if err := p.cl.ProduceSync(ctx, rec).FirstErr(); err != nil {
		return nil, fmt.Errorf("kafka: produce to %s: %w", topic, err)
	}
	return rec, nil
}

// deadLetter produces a record whose rule asked for the DLQ and returns
// err, joined with the dead-lettering failure if there was one.
func (p *Producer) deadLetter(ctx context.Context, rec *kgo.Record, err error) error {
	var se *serde.Error
	var re *rules.Error
	if !errors.As(err, &se) || se.Kind != serde.KindRule || !errors.As(err, &re) || re.Action != rules.ActionDLQ || se.Payload == nil {
		return err
	}
	rec.Value = se.Payload
	if derr := p.dlq.WriteRule(ctx, rec, re); derr != nil {
		return errors.Join(err, derr)
	}
	return err
}

// DeadLettered reports whether err from Produce is a rule failure whose
// record went to the dead-letter topic.
func DeadLettered(err error) bool {
	var re *rules.Error
	if !errors.As(err, &re) || re.Action != rules.ActionDLQ {
		return false
	}
	var joined interface{ Unwrap() []error }
	return !errors.As(err, &joined)
}
