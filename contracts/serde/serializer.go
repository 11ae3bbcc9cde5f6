package serde

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/contracts/client"
	"github.com/charter-registry/charter/contracts/rules"
)

// Serializer turns values into Confluent wire-format payloads for one
// format. It is safe for concurrent use; build one per format and side
// (key or value) and share it across topics.
type Serializer struct {
	cfg    serializerConfig
	format compat.Type
	codec  codec
	res    *resolver

	mu      sync.Mutex
	targets atomic.Pointer[map[targetKey]*target]
	// last is the most recently used target, checked before the map so a
	// producer writing one topic does not hash its key on every call.
	last atomic.Pointer[target]
	// record is the record name of the configured schema, found when the
	// schema is first resolved.
	record atomic.Pointer[string]
}

type targetKey struct{ topic, record string }

// target is the schema a topic's values are written with.
type target struct {
	key     targetKey
	subject string
	p       *parsed
	header  [HeaderSize]byte
	// stale is set by a timer when a latest-version choice is due to be
	// looked at again, so the hot path reads a flag instead of the clock.
	stale atomic.Bool
	// protoIdx remembers the Protobuf message last written through this
	// target and its encoded message indexes.
	protoIdx atomic.Pointer[protoIndexes]
}

// NewSerializer returns a Serializer for format (compat.Avro,
// compat.Protobuf or compat.JSON) that reads schemas through cl.
func NewSerializer(cl *client.Client, format compat.Type, opts ...SerializerOpt) (*Serializer, error) {
	cfg := serializerConfig{common: common{strategy: TopicName}}
	for _, o := range opts {
		o.applySerializer(&cfg)
	}
	modes := 0
	for _, on := range []bool{cfg.useID != 0, cfg.useLatest, cfg.useMetadata != nil} {
		if on {
			modes++
		}
	}
	if modes > 1 {
		return nil, errors.New("serde: UseSchemaID, UseLatest and UseLatestWithMetadata exclude each other")
	}
	if cfg.autoRegister && modes > 0 {
		return nil, errors.New("serde: AutoRegister registers the given schema; it cannot be combined with UseSchemaID or UseLatest")
	}
	cd := newCodec(format, codecConfig{})
	if _, derives := cd.(selfDescribing); cfg.autoRegister && cfg.schema == nil && !derives {
		return nil, errors.New("serde: AutoRegister needs WithSchema for Avro and JSON Schema")
	}
	if cfg.schema != nil {
		if cfg.schema.SchemaType == "" {
			cfg.schema.SchemaType = format
		}
		if cfg.schema.Type() != format {
			return nil, fmt.Errorf("serde: WithSchema gives a %s schema to a %s serializer", cfg.schema.Type(), format)
		}
	}
	res, err := newResolver(cl, format, cd, &cfg.common)
	if err != nil {
		return nil, err
	}
	return &Serializer{cfg: cfg, format: format, codec: cd, res: res}, nil
}

// Serialize encodes v for topic: a map[string]any or Go struct for Avro
// (hamba/avro field tags), a proto.Message for Protobuf, and for JSON
// Schema anything encoding/json marshals (a []byte or json.RawMessage is
// taken as JSON text). v is checked against the schema, the schema's WRITE
// rules run (TRANSFORM rules may change v in place), and the payload is
// returned. A value that fails validation gives an *Error of
// KindValidation; one that a rule refuses gives KindRule, wrapping a
// *rules.Error whose Action says whether to dead-letter it.
func (s *Serializer) Serialize(ctx context.Context, topic string, v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	t, err := s.target(ctx, topic, v)
	if err != nil {
		return nil, err
	}
	var out []byte
	if t.p.rules.Has(rules.Write) {
		out, err = s.serializeWithRules(ctx, topic, t, v)
	} else if out, err = s.encode(t, v); err != nil {
		err = s.encodeError(topic, t, v, err)
	}
	if err != nil {
		return nil, err
	}
	return s.encodePayload(ctx, topic, t, out)
}

// encodePayload runs the schema's encoding rules (payload encryption) on
// the encoded value, leaving the header and any message indexes clear.
func (s *Serializer) encodePayload(ctx context.Context, topic string, t *target, out []byte) ([]byte, error) {
	if len(encodingRules(t.p, rules.Write)) == 0 {
		return out, nil
	}
	clear, rest, err := s.codec.splitPayload(out[HeaderSize:])
	if err != nil {
		return nil, &Error{Kind: KindDecode, Topic: topic, SchemaID: t.p.id, Err: err}
	}
	enc, err := runPayloadRules(ctx, &s.cfg.common, t.p, rules.Write, rules.Info{Subject: t.subject, Topic: topic}, rest)
	if err != nil {
		return nil, &Error{Kind: KindRule, Topic: topic, SchemaID: t.p.id, Err: err, Payload: out}
	}
	res := make([]byte, 0, HeaderSize+len(clear)+len(enc))
	res = append(append(append(res, out[:HeaderSize]...), clear...), enc...)
	return res, nil
}

// encode writes header and value with no rules involved.
func (s *Serializer) encode(t *target, v any) ([]byte, error) { return s.codec.encode(t, v) }

// encodeError turns an encoding failure into an *Error: validation problems
// with field paths, or the schema error already made.
func (s *Serializer) encodeError(topic string, t *target, v any, err error) error {
	var se *Error
	if errors.As(err, &se) {
		se.Topic = topic
		return se
	}
	return &Error{Kind: KindValidation, Topic: topic, SchemaID: t.p.id, Err: s.codec.problems(t.p, v, err)}
}

// serializeWithRules validates v by encoding it, runs the WRITE rules on
// the value (as a generic map for Avro and JSON, as the message itself for
// Protobuf) and encodes the result again when a rule may have changed it.
func (s *Serializer) serializeWithRules(ctx context.Context, topic string, t *target, v any) ([]byte, error) {
	first, err := s.encode(t, v)
	if err != nil {
		return nil, s.encodeError(topic, t, v, err)
	}
	msg, err := s.codec.ruleValue(t.p, v, first)
	if err != nil {
		return nil, &Error{Kind: KindDecode, Topic: topic, SchemaID: t.p.id, Err: err}
	}
	out, err := t.p.rules.Run(ctx, rules.Write, msg, rules.Info{Subject: t.subject, Topic: topic})
	if err != nil {
		var re *rules.Error
		if !errors.As(err, &re) {
			return nil, err
		}
		return nil, &Error{Kind: KindRule, Topic: topic, SchemaID: t.p.id, Err: err, Payload: first}
	}
	if !t.p.rules.Transforms(rules.Write) {
		return first, nil
	}
	final, err := s.encode(t, out)
	if err != nil {
		return nil, s.encodeError(topic, t, out, err)
	}
	return final, nil
}

// target finds the schema for topic and v, resolving it on first use and
// again when a latest-version choice expires.
func (s *Serializer) target(ctx context.Context, topic string, v any) (*target, error) {
	key := targetKey{topic: topic, record: s.recordOf(v)}
	if t := s.last.Load(); t != nil && t.key == key && !t.stale.Load() {
		return t, nil
	}
	if m := s.targets.Load(); m != nil {
		if t := (*m)[key]; t != nil && !t.stale.Load() {
			s.last.Store(t)
			return t, nil
		}
	}
	t, err := s.resolve(ctx, key, v)
	if err != nil {
		return nil, classify(topic, 0, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.targets.Load()
	next := make(map[targetKey]*target, 1)
	if old != nil {
		for k, x := range *old {
			next[k] = x
		}
	}
	next[key] = t
	s.targets.Store(&next)
	s.last.Store(t)
	return t, nil
}

// recordOf is the record name the subject strategies see.
func (s *Serializer) recordOf(v any) string {
	if sd, ok := s.codec.(selfDescribing); ok {
		if name, ok := sd.valueRecord(v); ok {
			return name
		}
	}
	if r := s.record.Load(); r != nil {
		return *r
	}
	if s.cfg.schema != nil {
		name := s.codec.recordName(s.cfg.schema)
		s.record.Store(&name)
		return name
	}
	return ""
}

func (s *Serializer) resolve(ctx context.Context, key targetKey, v any) (*target, error) {
	subject, err := s.cfg.strategy(key.topic, s.cfg.key, key.record)
	if err != nil {
		return nil, &Error{Kind: KindSchema, Topic: key.topic, Err: err}
	}
	var info *client.Schema
	cl := s.res.cl
	latest := false
	switch {
	case s.cfg.useID != 0:
		info, err = cl.SchemaByID(ctx, s.cfg.useID)
	case s.cfg.useMetadata != nil:
		info, err = cl.LatestWithMetadata(ctx, subject, s.cfg.useMetadata)
		latest = true
	case s.cfg.useLatest || (s.cfg.schema == nil && !s.cfg.autoRegister):
		info, err = cl.Latest(ctx, subject)
		latest = true
	default:
		info, err = s.registered(ctx, subject, v)
	}
	if err != nil {
		return nil, err
	}
	id := info.ID
	p, err := s.res.parse(ctx, id, info)
	if err != nil {
		return nil, err
	}
	t := &target{key: key, subject: subject, p: p}
	copy(t.header[:], AppendHeader(nil, id))
	if latest {
		// Look at the subject again once the client's answer may be
		// stale. A timer is not a goroutine: nothing outlives the
		// serializer but a pending timer, which then fires harmlessly.
		if ttl := cl.LatestTTL(); ttl > 0 {
			time.AfterFunc(ttl, func() { t.stale.Store(true) })
		} else {
			t.stale.Store(true)
		}
	}
	return t, nil
}

// registered finds (or, with AutoRegister, registers) the configured
// schema under subject and returns the registry's full answer for its id.
func (s *Serializer) registered(ctx context.Context, subject string, v any) (*client.Schema, error) {
	cl := s.res.cl
	sch := s.cfg.schema
	if sch == nil {
		sd, ok := s.codec.(selfDescribing)
		if !ok {
			return nil, fmt.Errorf("serde: no schema for a %s value of type %T", s.format, v)
		}
		derived, err := sd.valueSchema(ctx, cl, v, s.cfg.normalize, s.cfg.autoRegister)
		if err != nil {
			return nil, err
		}
		sch = derived
	}
	if !s.cfg.autoRegister {
		found, err := cl.Lookup(ctx, subject, *sch, s.cfg.normalize)
		if err != nil {
			return nil, err
		}
		return cl.SchemaByID(ctx, found.ID)
	}
	reg, err := cl.Register(ctx, subject, *sch, s.cfg.normalize)
	if err != nil {
		return nil, err
	}
	return cl.SchemaByID(ctx, reg.ID)
}
