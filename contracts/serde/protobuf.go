package serde

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jhump/protoreflect/v2/protoprint"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/compat/protobuf"
	"github.com/charter-registry/charter/contracts/client"
	"github.com/charter-registry/charter/contracts/rules"
)

// protoCodec encodes Protobuf messages after Confluent's message indexes.
type protoCodec struct {
	// matched is the last pair of (Go type, schema) message descriptors
	// found to name the same message, so DeserializeInto does not compare
	// full names, which some descriptor implementations build on each call.
	matched atomic.Pointer[descPair]
}

func newProtoCodec(codecConfig) codec { return &protoCodec{} }

type descPair struct {
	into, schema protoreflect.MessageDescriptor
}

func (c *protoCodec) sameMessage(into, schema protoreflect.MessageDescriptor) bool {
	if m := c.matched.Load(); m != nil && m.into == into && m.schema == schema {
		return true
	}
	if into.FullName() != schema.FullName() {
		return false
	}
	c.matched.Store(&descPair{into, schema})
	return true
}

// protoState is a registered Protobuf schema made ready.
type protoState struct {
	fd protoreflect.FileDescriptor
	// indexes caches, per Go message descriptor, the encoded message
	// indexes of that message in this schema (or the error of finding it).
	indexes sync.Map
}

type indexEntry struct {
	b   []byte
	err error
}

func protoOf(p *parsed) *protoState { return p.state.(*protoState) }

// protoIndexes remembers the message last written through a target and
// its encoded message indexes.
type protoIndexes struct {
	md  protoreflect.MessageDescriptor
	idx []byte
}

func (c *protoCodec) prepare(p *parsed, info *client.Schema, deps []compat.Dependency) (rules.Fields, error) {
	s, err := protobuf.New().Parse(info.Schema, deps)
	if err != nil {
		return nil, err
	}
	p.state = &protoState{fd: s.(*protobuf.Schema).Descriptor()}
	return rules.ProtoFields(info.Metadata), nil
}

func (c *protoCodec) encode(t *target, v any) ([]byte, error) {
	m, ok := v.(proto.Message)
	if !ok {
		return nil, fmt.Errorf("value of type %T is not a proto.Message", v)
	}
	md := m.ProtoReflect().Descriptor()
	var idx []byte
	if pi := t.protoIdx.Load(); pi != nil && pi.md == md {
		idx = pi.idx
	} else {
		b, err := t.p.messageIndexes(md)
		if err != nil {
			return nil, &Error{Kind: KindSchema, SchemaID: t.p.id, Err: err}
		}
		idx = b
		t.protoIdx.Store(&protoIndexes{md: md, idx: b})
	}
	n := proto.MarshalOptions{}.Size(m)
	out := make([]byte, 0, HeaderSize+len(idx)+n)
	out = append(out, t.header[:]...)
	out = append(out, idx...)
	return proto.MarshalOptions{UseCachedSize: true}.MarshalAppend(out, m)
}

func (c *protoCodec) problems(_ *parsed, _ any, err error) *ValidationError {
	return &ValidationError{Problems: []Problem{{Path: "$", Message: err.Error()}}}
}

// ruleValue is the message itself.
func (c *protoCodec) ruleValue(_ *parsed, v any, _ []byte) (any, error) { return v, nil }

func (c *protoCodec) decode(d *Deserializer, p *parsed, body []byte, into any, withRules bool) (any, string, bool, error) {
	m, err := c.message(d, p, body, into)
	if err != nil {
		return nil, "", false, err
	}
	record := ""
	if withRules {
		record = string(m.ProtoReflect().Descriptor().FullName())
	}
	return m, record, false, nil
}

// decodeInto has nothing left to do: the message is into, or the type
// ProtoTypes names.
func (c *protoCodec) decodeInto(_ *parsed, out any, _ []byte, _ any, _ bool) (any, error) {
	return out, nil
}

func (c *protoCodec) payloadRecord(*parsed) string { return "" }

// recordName is "": a Protobuf record name comes from the message written.
func (c *protoCodec) recordName(*client.Schema) string { return "" }

// splitPayload leaves the message indexes in the clear.
func (c *protoCodec) splitPayload(body []byte) (clear, rest []byte, err error) {
	_, n, err := protobuf.ReadIndexes(body)
	if err != nil {
		return nil, nil, err
	}
	return body[:n], body[n:], nil
}

func (c *protoCodec) valueRecord(v any) (string, bool) {
	if m, ok := v.(proto.Message); ok {
		return string(m.ProtoReflect().Descriptor().FullName()), true
	}
	return "", false
}

func (c *protoCodec) valueSchema(ctx context.Context, cl *client.Client, v any, normalize, register bool) (*client.Schema, error) {
	m, ok := v.(proto.Message)
	if !ok {
		return nil, fmt.Errorf("value of type %T is not a proto.Message", v)
	}
	return registerProtoDeps(ctx, cl, m.ProtoReflect().Descriptor().ParentFile(), normalize, register)
}

// message reads the message indexes and decodes the rest of body into
// into, a registered Go type, or a dynamic message.
func (c *protoCodec) message(d *Deserializer, p *parsed, body []byte, into any) (proto.Message, error) {
	md, n, err := messageAt(protoOf(p).fd, body)
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
		if got := pm.ProtoReflect().Descriptor(); !c.sameMessage(got, md) {
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

// messageIndexes returns the encoded Confluent message indexes of md's
// message within p's schema, found by full name so generated types and
// dynamic messages built from other descriptors both work.
func (p *parsed) messageIndexes(md protoreflect.MessageDescriptor) ([]byte, error) {
	st := protoOf(p)
	if e, ok := st.indexes.Load(md); ok {
		ie := e.(*indexEntry)
		return ie.b, ie.err
	}
	ie := &indexEntry{}
	if d := findMessage(st.fd, md.FullName()); d == nil {
		ie.err = fmt.Errorf("message %s is not defined in schema id %d (%s)", md.FullName(), p.id, st.fd.Path())
	} else {
		ie.b = protobuf.AppendIndexes(nil, protobuf.MessageIndexes(d))
	}
	actual, _ := st.indexes.LoadOrStore(md, ie)
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

// builtinProto reports whether the registry resolves an import itself, so
// it needs no reference.
func builtinProto(path string) bool {
	return strings.HasPrefix(path, "google/protobuf/") || slices.Contains(protobuf.BuiltinImports(), path)
}

// registerProtoDeps builds the schema of file fd as .proto text with one
// reference per import, each registered (or, without register, looked up)
// under a subject named after its path, as Confluent's serializers do.
func registerProtoDeps(ctx context.Context, cl *client.Client, fd protoreflect.FileDescriptor, normalize, register bool) (*client.Schema, error) {
	return protoSchemaOf(ctx, cl, fd, normalize, register, 0)
}

func protoSchemaOf(ctx context.Context, cl *client.Client, fd protoreflect.FileDescriptor, normalize, register bool, depth int) (*client.Schema, error) {
	if depth > 64 {
		return nil, fmt.Errorf("imports of %s nest too deep", fd.Path())
	}
	text, err := (&protoprint.Printer{}).PrintProtoToString(fd)
	if err != nil {
		return nil, fmt.Errorf("print %s: %w", fd.Path(), err)
	}
	s := &client.Schema{SchemaType: compat.Protobuf, Schema: text}
	imps := fd.Imports()
	for i := range imps.Len() {
		imp := imps.Get(i).FileDescriptor
		if builtinProto(imp.Path()) {
			continue
		}
		dep, err := protoSchemaOf(ctx, cl, imp, normalize, register, depth+1)
		if err != nil {
			return nil, err
		}
		var got *client.Schema
		if register {
			got, err = cl.Register(ctx, imp.Path(), *dep, normalize)
			if err == nil && got.Version == 0 {
				got, err = cl.Lookup(ctx, imp.Path(), *dep, normalize)
			}
		} else {
			got, err = cl.Lookup(ctx, imp.Path(), *dep, normalize)
		}
		if err != nil {
			return nil, fmt.Errorf("import %s: %w", imp.Path(), err)
		}
		s.References = append(s.References, client.Reference{Name: imp.Path(), Subject: imp.Path(), Version: got.Version})
	}
	return s, nil
}
