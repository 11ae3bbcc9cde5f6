package serde

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	havro "github.com/hamba/avro/v2"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/compat/protobuf"
	"github.com/charter-registry/charter/contracts/client"
	"github.com/charter-registry/charter/contracts/rules"
)

// Deserializer reads Confluent wire-format payloads of one format. It is
// safe for concurrent use.
type Deserializer struct {
	cfg    deserializerConfig
	format compat.Type
	res    *resolver
	api    havro.API

	mu       sync.Mutex
	subjects atomic.Pointer[map[targetKey]string]
	// matched is the last pair of (Go type, schema) message descriptors
	// found to name the same message, so DeserializeInto does not compare
	// full names, which some descriptor implementations build on each call.
	matched atomic.Pointer[descPair]
	// migrations caches, per (subject, writer id, reader id), the plan
	// that turns the writer's payloads into the reader's version.
	migrations sync.Map
}

type descPair struct {
	into, schema protoreflect.MessageDescriptor
}

func (d *Deserializer) sameMessage(into, schema protoreflect.MessageDescriptor) bool {
	if m := d.matched.Load(); m != nil && m.into == into && m.schema == schema {
		return true
	}
	if into.FullName() != schema.FullName() {
		return false
	}
	d.matched.Store(&descPair{into, schema})
	return true
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
	res, err := newResolver(cl, format, &cfg.common)
	if err != nil {
		return nil, err
	}
	api := havro.Config{MaxByteSliceSize: cfg.maxBytes, MaxSliceAllocSize: cfg.maxBytes}.Freeze()
	return &Deserializer{cfg: cfg, format: format, res: res, api: api}, nil
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
	var out any
	var record string
	switch d.format {
	case compat.Avro:
		record = avroTypeName(p.avro)
		if into != nil && !withRules {
			if err := d.api.Unmarshal(p.avro, body, into); err != nil {
				return nil, decodeErr(err)
			}
			return into, nil
		}
		if out, err = d.decodeGeneric(p, body); err != nil {
			return nil, decodeErr(err)
		}
	case compat.Protobuf:
		m, err := d.protoMessage(p, body, into)
		if err != nil {
			return nil, decodeErr(err)
		}
		if withRules {
			record = string(m.ProtoReflect().Descriptor().FullName())
		}
		out = m
	default:
		doc, err := decodeJSON(body)
		if err != nil {
			return nil, decodeErr(err)
		}
		if !d.cfg.skipValidate {
			if err := p.json.Validate(doc); err != nil {
				return nil, decodeErr(jsonProblems(err))
			}
		}
		out = doc
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
	if into == nil || d.format == compat.Protobuf {
		return out, nil
	}
	// Avro or JSON into a Go value, after rules on the generic form.
	if d.format == compat.Avro {
		if p.rules.Transforms(rules.Read) {
			if body, err = havro.Marshal(p.avro, out); err != nil {
				return nil, decodeErr(err)
			}
		}
		if err := d.api.Unmarshal(p.avro, body, into); err != nil {
			return nil, decodeErr(err)
		}
		return into, nil
	}
	if p.rules.Transforms(rules.Read) {
		if body, err = json.Marshal(out); err != nil {
			return nil, decodeErr(err)
		}
	}
	if err := json.Unmarshal(body, into); err != nil {
		return nil, decodeErr(err)
	}
	return into, nil
}

// decodeGeneric decodes Avro into hamba's generic form. It is its own
// function so the interface it decodes into is the only one that escapes.
func (d *Deserializer) decodeGeneric(p *parsed, body []byte) (any, error) {
	var out any
	err := d.api.Unmarshal(p.avro, body, &out)
	return out, err
}

// protoMessage reads the message indexes and decodes the rest of body into
// into, a registered Go type, or a dynamic message.
func (d *Deserializer) protoMessage(p *parsed, body []byte, into any) (proto.Message, error) {
	md, n, err := messageAt(p.proto, body)
	if err != nil {
		return nil, err
	}
	body = body[n:]
	var m proto.Message
	switch {
	case into != nil:
		pm, ok := into.(proto.Message)
		if !ok {
			return nil, fmt.Errorf("cannot decode Protobuf into %T, which is not a proto.Message", into)
		}
		if got := pm.ProtoReflect().Descriptor(); !d.sameMessage(got, md) {
			return nil, fmt.Errorf("payload holds %s, not %s", md.FullName(), got.FullName())
		}
		m = pm
	case d.cfg.protoTypes != nil:
		m = d.newProto(md)
	default:
		m = dynamicpb.NewMessage(md)
	}
	if err := proto.Unmarshal(body, m); err != nil {
		return nil, err
	}
	return m, nil
}

// messageAt reads Confluent's message indexes from the start of body and
// walks fd's messages along them, without allocating. It returns the
// message and how many bytes the indexes took.
func messageAt(fd protoreflect.FileDescriptor, body []byte) (protoreflect.MessageDescriptor, int, error) {
	count, n := binary.Varint(body)
	if n <= 0 {
		return nil, 0, fmt.Errorf("%w: truncated or overlong count", protobuf.ErrIndexes)
	}
	msgs := fd.Messages()
	if count == 0 {
		if msgs.Len() == 0 {
			return nil, 0, fmt.Errorf("%w: the schema defines no message", protobuf.ErrIndexes)
		}
		return msgs.Get(0), n, nil
	}
	if count < 0 || count > protobuf.MaxIndexes || int(count) > len(body)-n {
		return nil, 0, fmt.Errorf("%w: count %d is out of range", protobuf.ErrIndexes, count)
	}
	var md protoreflect.MessageDescriptor
	for depth := range int(count) {
		i, m := binary.Varint(body[n:])
		if m <= 0 {
			return nil, 0, fmt.Errorf("%w: truncated or overlong index %d", protobuf.ErrIndexes, depth)
		}
		if i < 0 || i >= int64(msgs.Len()) {
			return nil, 0, fmt.Errorf("%w: index %d at depth %d is out of range (%d messages)", protobuf.ErrIndexes, i, depth, msgs.Len())
		}
		md = msgs.Get(int(i))
		msgs = md.Messages()
		n += m
	}
	return md, n, nil
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
	clear, rest, err := splitPayload(d.format, body)
	if err != nil {
		return nil, &Error{Kind: KindDecode, Topic: topic, SchemaID: p.id, Err: err}
	}
	record := ""
	if d.format == compat.Avro {
		record = avroTypeName(p.avro)
	}
	dec, err := runPayloadRules(ctx, &d.cfg.common, p, rules.Read, rules.Info{Subject: d.subject(topic, record), Topic: topic}, rest)
	if err != nil {
		return nil, &Error{Kind: KindRule, Topic: topic, SchemaID: p.id, Err: err}
	}
	return append(append(make([]byte, 0, len(clear)+len(dec)), clear...), dec...), nil
}
