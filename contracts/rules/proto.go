package rules

import (
	"fmt"
	"math"
	"sync"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/charter-registry/charter/confluent"
)

// protoFields walks the scalar fields of Protobuf messages through
// protoreflect, so generated types and dynamicpb messages behave the same.
type protoFields struct {
	tags map[string][]string
}

// ProtoFields returns the field walker for Protobuf messages, with the
// metadata tags of md (may be nil). A field's full name is its Protobuf
// full name (acme.v1.Order.id). A field's tags are its inline
// (confluent.field_meta).tags option and the metadata tags matching it.
func ProtoFields(md *confluent.Metadata) Fields {
	f := &protoFields{}
	if md != nil {
		f.tags = md.Tags
	}
	return f
}

func (p *protoFields) Walk(msg any, fn FieldFunc) (any, error) {
	m, ok := msg.(proto.Message)
	if !ok {
		return msg, nil
	}
	if err := p.walk(m.ProtoReflect(), fn, 0); err != nil {
		return nil, err
	}
	return msg, nil
}

func (p *protoFields) walk(m protoreflect.Message, fn FieldFunc, depth int) error {
	if depth > maxWalkDepth {
		return fmt.Errorf("message nests deeper than %d levels", maxWalkDepth)
	}
	fields := m.Descriptor().Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		if fd.HasPresence() && !m.Has(fd) {
			continue
		}
		full := string(fd.FullName())
		f := &Field{FullName: full, Name: string(fd.Name()), Type: protoLabel(fd), Container: m.Interface(),
			Tags: mergeTags(inlineProtoTags(fd), metadataTags(p.tags, full))}
		switch {
		case fd.IsMap():
			mp := m.Get(fd).Map()
			vd := fd.MapValue()
			var err error
			mp.Range(func(k protoreflect.MapKey, v protoreflect.Value) bool {
				if vd.Kind() == protoreflect.MessageKind || vd.Kind() == protoreflect.GroupKind {
					err = p.walk(v.Message(), fn, depth+1)
				} else if isScalar(vd) {
					var nv protoreflect.Value
					nv, err = callScalar(f, vd, v, fn)
					if err == nil {
						mp.Set(k, nv)
					}
				}
				return err == nil
			})
			if err != nil {
				return err
			}
		case fd.IsList():
			l := m.Get(fd).List()
			for j := range l.Len() {
				if fd.Kind() == protoreflect.MessageKind || fd.Kind() == protoreflect.GroupKind {
					if err := p.walk(l.Get(j).Message(), fn, depth+1); err != nil {
						return err
					}
				} else if isScalar(fd) {
					nv, err := callScalar(f, fd, l.Get(j), fn)
					if err != nil {
						return err
					}
					l.Set(j, nv)
				}
			}
		case fd.Kind() == protoreflect.MessageKind || fd.Kind() == protoreflect.GroupKind:
			if m.Has(fd) {
				if err := p.walk(m.Get(fd).Message(), fn, depth+1); err != nil {
					return err
				}
			}
		case isScalar(fd):
			old := m.Get(fd)
			nv, err := callScalar(f, fd, old, fn)
			if err != nil {
				return err
			}
			if !nv.Equal(old) {
				m.Set(fd, nv)
			}
		}
	}
	return nil
}

func isScalar(fd protoreflect.FieldDescriptor) bool {
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind, protoreflect.EnumKind:
		return false
	}
	return true
}

func callScalar(f *Field, fd protoreflect.FieldDescriptor, v protoreflect.Value, fn FieldFunc) (protoreflect.Value, error) {
	nv, err := fn(f, v.Interface())
	if err != nil {
		return protoreflect.Value{}, err
	}
	return coerceProto(fd, nv)
}

func protoLabel(fd protoreflect.FieldDescriptor) string {
	switch {
	case fd.IsMap():
		return "MAP"
	case fd.IsList():
		return "ARRAY"
	}
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return "RECORD"
	case protoreflect.EnumKind:
		return "ENUM"
	case protoreflect.StringKind:
		return "STRING"
	case protoreflect.BytesKind:
		return "BYTES"
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind, protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return "INT"
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return "LONG"
	case protoreflect.FloatKind:
		return "FLOAT"
	case protoreflect.DoubleKind:
		return "DOUBLE"
	case protoreflect.BoolKind:
		return "BOOLEAN"
	}
	return ""
}

// coerceProto converts a rule's result to the Go type protoreflect stores
// for fd's kind.
func coerceProto(fd protoreflect.FieldDescriptor, v any) (protoreflect.Value, error) {
	bad := func() (protoreflect.Value, error) {
		return protoreflect.Value{}, fmt.Errorf("transform result %v (%T) does not fit %s field %s", v, v, fd.Kind(), fd.FullName())
	}
	switch fd.Kind() {
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		n, ok := toInt64(v)
		if !ok || n < math.MinInt32 || n > math.MaxInt32 {
			return bad()
		}
		return protoreflect.ValueOfInt32(int32(n)), nil
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		n, ok := toInt64(v)
		if !ok {
			return bad()
		}
		return protoreflect.ValueOfInt64(n), nil
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		n, ok := toInt64(v)
		if !ok || n < 0 || n > math.MaxUint32 {
			return bad()
		}
		return protoreflect.ValueOfUint32(uint32(n)), nil
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		if u, ok := v.(uint64); ok {
			return protoreflect.ValueOfUint64(u), nil
		}
		n, ok := toInt64(v)
		if !ok || n < 0 {
			return bad()
		}
		return protoreflect.ValueOfUint64(uint64(n)), nil
	case protoreflect.FloatKind:
		f, ok := toFloat64(v)
		if !ok {
			return bad()
		}
		return protoreflect.ValueOfFloat32(float32(f)), nil
	case protoreflect.DoubleKind:
		f, ok := toFloat64(v)
		if !ok {
			return bad()
		}
		return protoreflect.ValueOfFloat64(f), nil
	case protoreflect.BoolKind:
		if b, ok := v.(bool); ok {
			return protoreflect.ValueOfBool(b), nil
		}
	case protoreflect.StringKind:
		if s, ok := v.(string); ok {
			return protoreflect.ValueOfString(s), nil
		}
	case protoreflect.BytesKind:
		if b, ok := v.([]byte); ok {
			return protoreflect.ValueOfBytes(b), nil
		}
	}
	return bad()
}

// Confluent's field_meta option (confluent/meta.proto) and its tags field.
const (
	protoMetaField protowire.Number = 1088
	protoTagsField protowire.Number = 3
)

var protoTagCache sync.Map // protoreflect.FieldDescriptor -> []string

// inlineProtoTags reads (confluent.field_meta).tags from fd's options,
// from their wire form, so that it works whether the option's extension
// is known to the process or kept as unknown bytes.
func inlineProtoTags(fd protoreflect.FieldDescriptor) []string {
	if v, ok := protoTagCache.Load(fd); ok {
		return v.([]string)
	}
	var tags []string
	if opts := fd.Options(); opts != nil {
		b, err := proto.MarshalOptions{Deterministic: true}.Marshal(opts)
		if err == nil {
			for _, meta := range wireBytes(b, protoMetaField) {
				for _, t := range wireBytes(meta, protoTagsField) {
					tags = append(tags, string(t))
				}
			}
		}
	}
	protoTagCache.Store(fd, tags)
	return tags
}

// wireBytes returns the length-delimited values of field num in b.
func wireBytes(b []byte, num protowire.Number) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		n, typ, l := protowire.ConsumeTag(b)
		if l < 0 {
			return out
		}
		b = b[l:]
		l = protowire.ConsumeFieldValue(n, typ, b)
		if l < 0 {
			return out
		}
		if n == num && typ == protowire.BytesType {
			v, _ := protowire.ConsumeBytes(b[:l])
			out = append(out, v)
		}
		b = b[l:]
	}
	return out
}
