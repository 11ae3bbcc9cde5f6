// Package kafka ties the serializers, rules and dead-letter writer to
// franz-go, so producing under a data contract takes a few lines:
//
//	p, _ := kafka.NewProducer(cl, valueSerializer)
//	_, err := p.Produce(ctx, "payments", key, payment)
//
// Produce serializes (validating against the schema), runs the WRITE rules
// and produces with the client's settings. A value a rule routes to the
// DLQ is dead-lettered and Produce still returns the rule's error; any
// other refused value reaches no topic at all.
//
// A Consumer deserializes polled records, skipping the rule a dead letter
// was routed by, and can dead-letter records it cannot read so
// consumption goes on.
package kafka
