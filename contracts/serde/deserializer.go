package serde

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/contracts/client"
	"github.com/charter-registry/charter/contracts/rules"
)

// Deserializer reads Confluent wire-format payloads of one format. It is
// safe for concurrent use.
type Deserializer struct {
	cfg    deserializerConfig
	format compat.Type
	codec  codec
	res    *resolver

	mu       sync.Mutex
	subjects atomic.Pointer[map[targetKey]string]
	// migrations caches, per (subject, writer id, reader id), the plan
	// that turns the writer's payloads into the reader's version.
	migrations sync.Map
}

// NewDeserializer returns a Deserializer for format that reads schemas
// through cl.
func NewDeserializer(cl *client.Client, format compat.Type, opts ...DeserializerOpt) (*Deserializer, error) {
	cfg := deserializerConfig{common: common{strategy: TopicName}, maxBytes: DefaultMaxByteSliceSize}
	for _, o := range opts {
		o.applyDeserializer(&cfg)
	}
	if cfg.useLatest && cfg.useMetadata != nil {
		return nil, errors.New("serde: UseLatest and UseLatestWithMetadata exclude each other")
	}
	cd := newCodec(format, codecConfig{maxBytes: cfg.maxBytes})
	res, err := newResolver(cl, format, cd, &cfg.common)
	if err != nil {
		return nil, err
	}
	return &Deserializer{cfg: cfg, format: format, codec: cd, res: res}, nil
}

// Deserialize decodes data read from topic into a generic value: a
// map[string]any (or other hamba generic value) for Avro, a proto.Message
// for Protobuf (a generated type when ProtoTypes knows it, else a
// dynamicpb message), and what encoding/json gives an any for JSON Schema.
// Empty data (a tombstone) gives nil. The schema's READ rules run on the
// value, except those named in skipRules. Failures are *Error values.
//
// With UseLatest or UseLatestWithMetadata, Avro and JSON Schema payloads
// written with another version of the subject are first migrated to the
// reader's version (see UseLatest), and the reader's READ rules run.
func (d *Deserializer) Deserialize(ctx context.Context, topic string, data []byte, skipRules ...string) (any, error) {
	return d.deserialize(ctx, topic, data, nil, skipRules)
}

// DeserializeInto decodes data into v: a pointer to a Go struct (or
// map) for Avro, a proto.Message of the payload's message type for
// Protobuf, and anything encoding/json unmarshals into for JSON Schema.
func (d *Deserializer) DeserializeInto(ctx context.Context, topic string, data []byte, v any, skipRules ...string) error {
	if v == nil {
		return errors.New("serde: DeserializeInto needs a value to decode into")
	}
	_, err := d.deserialize(ctx, topic, data, v, skipRules)
	return err
}

// SchemaID returns the schema id of a wire-format payload without
// decoding it.
func SchemaID(data []byte) (int, error) {
	id, _, err := ParseHeader(data)
	return id, err
}

func (d *Deserializer) deserialize(ctx context.Context, topic string, data []byte, into any, skip []string) (any, error) {
	if len(data) == 0 {
		return nil, nil
	}
	id, body, err := ParseHeader(data)
	if err != nil {
		return nil, &Error{Kind: KindBadMagic, Topic: topic, Err: err}
	}
	p, err := d.res.byID(ctx, id)
	if err != nil {
		return nil, classify(topic, id, err)
	}
	decodeErr := func(err error) error { return &Error{Kind: KindDecode, Topic: topic, SchemaID: id, Err: err} }
	if len(encodingRules(p, rules.Read)) > 0 {
		if body, err = d.decodePayload(ctx, topic, p, body); err != nil {
			return nil, err
		}
	}
	if d.readsLatest() {
		m, subject, err := d.migrationFor(ctx, topic, p)
		if err != nil {
			return nil, err
		}
		if m != nil {
			if body, err = d.migrate(ctx, topic, subject, p, m, body, skip); err != nil {
				return nil, err
			}
			p = m.reader
		}
	}
	withRules := p.rules.Has(rules.Read)
	out, record, done, err := d.codec.decode(d, p, body, into, withRules)
	if err != nil {
		return nil, decodeErr(err)
	}
	if done {
		return out, nil
	}
	if withRules {
		info := rules.Info{Subject: d.subject(topic, record), Topic: topic, Skip: skip}
		out, err = p.rules.Run(ctx, rules.Read, out, info)
		if err != nil {
			var re *rules.Error
			if errors.As(err, &re) {
				return nil, &Error{Kind: KindRule, Topic: topic, SchemaID: id, Err: err}
			}
			return nil, err
		}
	}
	if into == nil {
		return out, nil
	}
	// Into a Go value, after rules on the generic form.
	res, err := d.codec.decodeInto(p, out, body, into, p.rules.Transforms(rules.Read))
	if err != nil {
		return nil, decodeErr(err)
	}
	return res, nil
}

func (d *Deserializer) newProto(md protoreflect.MessageDescriptor) proto.Message {
	if mt, err := d.cfg.protoTypes.FindMessageByName(md.FullName()); err == nil {
		return mt.New().Interface()
	}
	return dynamicpb.NewMessage(md)
}

// subject names the subject for rule errors, cached per topic and record.
func (d *Deserializer) subject(topic, record string) string {
	key := targetKey{topic, record}
	if m := d.subjects.Load(); m != nil {
		if s, ok := (*m)[key]; ok {
			return s
		}
	}
	s, err := d.cfg.strategy(topic, d.cfg.key, record)
	if err != nil {
		s = ""
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	next := map[targetKey]string{key: s}
	if old := d.subjects.Load(); old != nil {
		for k, v := range *old {
			next[k] = v
		}
	}
	d.subjects.Store(&next)
	return s
}

// decodePayload undoes the schema's encoding rules (payload encryption)
// before the value is decoded.
func (d *Deserializer) decodePayload(ctx context.Context, topic string, p *parsed, body []byte) ([]byte, error) {
	clear, rest, err := d.codec.splitPayload(body)
	if err != nil {
		return nil, &Error{Kind: KindDecode, Topic: topic, SchemaID: p.id, Err: err}
	}
	record := d.codec.payloadRecord(p)
	dec, err := runPayloadRules(ctx, &d.cfg.common, p, rules.Read, rules.Info{Subject: d.subject(topic, record), Topic: topic}, rest)
	if err != nil {
		return nil, &Error{Kind: KindRule, Topic: topic, SchemaID: p.id, Err: err}
	}
	return append(append(make([]byte, 0, len(clear)+len(dec)), clear...), dec...), nil
}
