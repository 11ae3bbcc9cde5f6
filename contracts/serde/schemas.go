package serde

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	havro "github.com/hamba/avro/v2"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/compat/avro"
	"github.com/charter-registry/charter/compat/jsonschema"
	"github.com/charter-registry/charter/compat/protobuf"
	"github.com/charter-registry/charter/contracts/client"
	"github.com/charter-registry/charter/contracts/rules"
)

// parsed is a registered schema made ready for encoding and decoding.
type parsed struct {
	id    int
	info  *client.Schema
	avro  havro.Schema
	proto protoreflect.FileDescriptor
	json  *jsonschema.Schema
	rules *rules.Program
	// indexes caches, per Go message descriptor, the encoded message
	// indexes of that message in this schema (or the error of finding it).
	indexes sync.Map
}

type indexEntry struct {
	b   []byte
	err error
}

// schemaCache maps ids to parsed schemas. Reads are lock-free and allocate
// nothing; writes copy the map.
type schemaCache struct {
	mu sync.Mutex
	m  atomic.Pointer[map[int]*parsed]
}

func (c *schemaCache) get(id int) *parsed {
	if m := c.m.Load(); m != nil {
		return (*m)[id]
	}
	return nil
}

func (c *schemaCache) put(p *parsed) {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.m.Load()
	next := make(map[int]*parsed, 1)
	if old != nil {
		for k, v := range *old {
			next[k] = v
		}
	}
	next[p.id] = p
	c.m.Store(&next)
}

// resolver fetches and parses schemas for one serde.
type resolver struct {
	cl     *client.Client
	format compat.Type
	engine *rules.Engine
	cache  schemaCache
}

func newResolver(cl *client.Client, format compat.Type, c *common) (*resolver, error) {
	switch format {
	case compat.Avro, compat.Protobuf, compat.JSON:
	default:
		return nil, fmt.Errorf("serde: unknown format %q", format)
	}
	if cl == nil {
		return nil, errors.New("serde: nil client")
	}
	r := &resolver{cl: cl, format: format}
	if !c.noRules {
		r.engine = c.engine
		if r.engine == nil {
			e, err := rules.New()
			if err != nil {
				return nil, err
			}
			r.engine = e
		}
	}
	return r, nil
}

// byID returns the parsed schema of id, fetching it on first use.
func (r *resolver) byID(ctx context.Context, id int) (*parsed, error) {
	if p := r.cache.get(id); p != nil {
		return p, nil
	}
	info, err := r.cl.SchemaByID(ctx, id)
	if err != nil {
		return nil, err
	}
	return r.parse(ctx, id, info)
}

// parse makes info (registered as id) ready and caches it. Metadata and
// rules are part of a schema's identity, so one id always has the same.
func (r *resolver) parse(ctx context.Context, id int, info *client.Schema) (*parsed, error) {
	if p := r.cache.get(id); p != nil {
		return p, nil
	}
	if info.Type() != r.format {
		return nil, &Error{Kind: KindSchema, SchemaID: id, Err: fmt.Errorf("schema id %d is %s, this serde handles %s", id, info.Type(), r.format)}
	}
	deps, err := r.cl.Dependencies(ctx, info)
	if err != nil {
		return nil, err
	}
	p := &parsed{id: id, info: info}
	var fields rules.Fields
	switch r.format {
	case compat.Avro:
		s, err := avro.New().Parse(info.Schema, deps)
		if err != nil {
			return nil, &Error{Kind: KindSchema, SchemaID: id, Err: err}
		}
		p.avro = s.(*avro.Schema).Avro()
		fields = rules.AvroFields(p.avro, info.Metadata)
	case compat.Protobuf:
		s, err := protobuf.New().Parse(info.Schema, deps)
		if err != nil {
			return nil, &Error{Kind: KindSchema, SchemaID: id, Err: err}
		}
		p.proto = s.(*protobuf.Schema).Descriptor()
		fields = rules.ProtoFields(info.Metadata)
	case compat.JSON:
		s, err := jsonschema.New().Parse(info.Schema, deps)
		if err != nil {
			return nil, &Error{Kind: KindSchema, SchemaID: id, Err: err}
		}
		p.json = s.(*jsonschema.Schema)
		fields = rules.JSONFields(info.Schema, info.Metadata)
	}
	if r.engine != nil {
		prog, err := r.engine.Compile(info, fields)
		if err != nil {
			return nil, &Error{Kind: KindSchema, SchemaID: id, Err: err}
		}
		p.rules = prog
	}
	r.cache.put(p)
	return p, nil
}

// classify turns a registry failure into a serde *Error.
func classify(topic string, id int, err error) error {
	var se *Error
	if errors.As(err, &se) {
		if se.Topic == "" {
			se.Topic = topic
		}
		return se
	}
	c := client.Code(err)
	if c == client.CodeSchemaNotFound || (id != 0 && errors.Is(err, client.ErrNotFound)) {
		return &Error{Kind: KindUnknownID, Topic: topic, SchemaID: id, Err: err}
	}
	return &Error{Kind: KindRegistry, Topic: topic, SchemaID: id, Err: err}
}

// messageIndexes returns the encoded Confluent message indexes of md's
// message within p's schema, found by full name so generated types and
// dynamic messages built from other descriptors both work.
func (p *parsed) messageIndexes(md protoreflect.MessageDescriptor) ([]byte, error) {
	if e, ok := p.indexes.Load(md); ok {
		ie := e.(*indexEntry)
		return ie.b, ie.err
	}
	ie := &indexEntry{}
	if d := findMessage(p.proto, md.FullName()); d == nil {
		ie.err = fmt.Errorf("message %s is not defined in schema id %d (%s)", md.FullName(), p.id, p.proto.Path())
	} else {
		ie.b = protobuf.AppendIndexes(nil, protobuf.MessageIndexes(d))
	}
	actual, _ := p.indexes.LoadOrStore(md, ie)
	ie = actual.(*indexEntry)
	return ie.b, ie.err
}

func findMessage(fd protoreflect.FileDescriptor, name protoreflect.FullName) protoreflect.MessageDescriptor {
	var walk func(ms protoreflect.MessageDescriptors) protoreflect.MessageDescriptor
	walk = func(ms protoreflect.MessageDescriptors) protoreflect.MessageDescriptor {
		for i := range ms.Len() {
			m := ms.Get(i)
			if m.FullName() == name {
				return m
			}
			if name != "" && len(name) > len(m.FullName()) && string(name[:len(m.FullName())]) == string(m.FullName()) {
				if d := walk(m.Messages()); d != nil {
					return d
				}
			}
		}
		return nil
	}
	return walk(fd.Messages())
}
