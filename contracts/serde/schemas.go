package serde

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/contracts/client"
	"github.com/charter-registry/charter/contracts/rules"
)

// parsed is a registered schema made ready for encoding and decoding.
type parsed struct {
	id   int
	info *client.Schema
	// state is what the format's codec made of the schema.
	state any
	rules *rules.Program
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
	codec  codec
	engine *rules.Engine
	cache  schemaCache
}

// newResolver returns the resolver of a serde whose codec is cd (nil when
// serde does not know the format).
func newResolver(cl *client.Client, format compat.Type, cd codec, c *common) (*resolver, error) {
	if cd == nil {
		return nil, fmt.Errorf("serde: unknown format %q", format)
	}
	if cl == nil {
		return nil, errors.New("serde: nil client")
	}
	r := &resolver{cl: cl, format: format, codec: cd}
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
	fields, err := r.codec.prepare(p, info, deps)
	if err != nil {
		return nil, &Error{Kind: KindSchema, SchemaID: id, Err: err}
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
