package kafka

import (
	"context"
	"errors"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/charter-registry/charter/contracts/dlq"
	"github.com/charter-registry/charter/contracts/rules"
	"github.com/charter-registry/charter/contracts/serde"
)

// ConsumerOpt configures a Consumer.
type ConsumerOpt interface{ applyConsumer(*Consumer) }

type consumerOpt func(*Consumer)

func (f consumerOpt) applyConsumer(c *Consumer) { f(c) }

// ConsumerDeadLetters dead-letters records that cannot be read (bad magic
// byte, unknown schema id, undecodable bytes, a READ rule) through w, so
// consumption goes on. Without it such records are returned with their
// error, except READ rules whose action is DLQ, which are dead-lettered
// to the rule's topic through a writer on the consumer's client.
func ConsumerDeadLetters(w *dlq.Writer) ConsumerOpt {
	return consumerOpt(func(c *Consumer) { c.dlq, c.dlqAll = w, true })
}

// Consumer reads values under their data contract from a franz-go client
// configured to consume (ConsumeTopics, a group, or partitions).
type Consumer struct {
	cl     *kgo.Client
	value  *serde.Deserializer
	dlq    *dlq.Writer
	dlqAll bool
}

// NewConsumer returns a Consumer that deserializes values with value.
func NewConsumer(cl *kgo.Client, value *serde.Deserializer, opts ...ConsumerOpt) (*Consumer, error) {
	if cl == nil || value == nil {
		return nil, errors.New("kafka: NewConsumer needs a client and a value deserializer")
	}
	c := &Consumer{cl: cl, value: value}
	for _, o := range opts {
		o.applyConsumer(c)
	}
	if c.dlq == nil {
		w, err := dlq.New(cl)
		if err != nil {
			return nil, err
		}
		c.dlq = w
	}
	return c, nil
}

// Message is one consumed record and what became of it.
type Message struct {
	Record *kgo.Record
	// Value is the deserialized value; nil when Err is set.
	Value any
	// Err is why the record could not be read; a *serde.Error.
	Err error
	// DeadLettered is true when the record went to a dead-letter topic.
	DeadLettered bool
}

// Poll fetches the next records and deserializes each one. Records that
// cannot be read are dead-lettered when the Consumer is configured to, and
// are returned with their error either way. Registry outages
// (serde.KindRegistry) are never dead-lettered: the record is fine. The
// error is the fetch errors, joined, or the first dead-letter failure.
func (c *Consumer) Poll(ctx context.Context) ([]Message, error) {
	fetches := c.cl.PollFetches(ctx)
	var errs error
	fetches.EachError(func(t string, p int32, err error) {
		errs = errors.Join(errs, err)
	})
	var out []Message
	var iterErr error
	fetches.EachRecord(func(r *kgo.Record) {
		v, err := c.value.Deserialize(ctx, r.Topic, r.Value, dlq.SkipRules(r)...)
		m := Message{Record: r, Value: v, Err: err}
		if err != nil && c.shouldDeadLetter(err) {
			if derr := c.dlq.WriteFailure(ctx, r, err); derr != nil {
				iterErr = errors.Join(iterErr, derr)
			} else {
				m.DeadLettered = true
			}
		}
		out = append(out, m)
	})
	return out, errors.Join(errs, iterErr)
}

func (c *Consumer) shouldDeadLetter(err error) bool {
	switch serde.KindOf(err) {
	case serde.KindBadMagic, serde.KindUnknownID, serde.KindDecode, serde.KindSchema:
		return c.dlqAll
	case serde.KindRule:
		var re *rules.Error
		return c.dlqAll || (errors.As(err, &re) && re.Action == rules.ActionDLQ)
	}
	return false
}
