package protobuf

import (
	"maps"
	"strconv"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// label is a field's label as written in the source, as Confluent's
// parser records it: proto3 fields without a keyword, oneof members and
// map fields have none.
type label int

const (
	labelNone label = iota
	labelOptional
	labelRequired
	labelRepeated
)

func (l label) String() string {
	switch l {
	case labelOptional:
		return "optional"
	case labelRequired:
		return "required"
	case labelRepeated:
		return "repeated"
	}
	return "no label"
}

func wireLabel(f protoreflect.FieldDescriptor) label {
	// Maps are repeated and oneof members never are, nor required: the
	// cardinality decides which of the two questions to ask.
	switch f.Cardinality() {
	case protoreflect.Repeated:
		if f.IsMap() {
			return labelNone
		}
		return labelRepeated
	case protoreflect.Required:
		return labelRequired
	}
	if realOneof(f) != nil {
		return labelNone
	}
	if f.ParentFile().Syntax() == protoreflect.Proto2 || f.HasOptionalKeyword() {
		return labelOptional
	}
	return labelNone
}

// fieldType is a field's type in the terms Confluent compares: a scalar,
// an enum, a message or a map of two of those.
type fieldType struct {
	scalar   protoreflect.Kind
	enum     protoreflect.EnumDescriptor
	msg      protoreflect.MessageDescriptor
	key, val *fieldType
}

func typeOf(f protoreflect.FieldDescriptor) fieldType {
	// The kind says which of map, enum and message to ask for: most fields
	// are scalars, which need none of them.
	switch k := f.Kind(); k {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		if f.IsMap() {
			k, v := typeOf(f.MapKey()), typeOf(f.MapValue())
			return fieldType{key: &k, val: &v}
		}
		return fieldType{msg: f.Message()}
	case protoreflect.EnumKind:
		return fieldType{enum: f.Enum()}
	default:
		return fieldType{scalar: k}
	}
}

func (t fieldType) String() string {
	switch {
	case t.key != nil:
		return "map<" + t.key.String() + ", " + t.val.String() + ">"
	case t.enum != nil:
		return "." + string(t.enum.FullName())
	case t.msg != nil:
		return "." + string(t.msg.FullName())
	}
	return t.scalar.String()
}

type typeKind int

const (
	kindScalar typeKind = iota
	kindMessage
	kindMap
)

// kind groups enums with scalars, as Confluent does: an enum is read as
// an integer.
func (t fieldType) kind() typeKind {
	switch {
	case t.key != nil:
		return kindMap
	case t.msg != nil:
		return kindMessage
	}
	return kindScalar
}

// scalarKind is the wire-compatibility group of a scalar: values of kinds
// in one group can be read as one another.
type scalarKind int

const (
	generalNumber scalarKind = iota
	signedNumber
	stringOrBytes
	fixed32
	fixed64
	float32Kind
	float64Kind
)

func (t fieldType) scalarKind() scalarKind {
	if t.enum != nil {
		return generalNumber
	}
	switch t.scalar {
	case protoreflect.Sint32Kind, protoreflect.Sint64Kind:
		return signedNumber
	case protoreflect.StringKind, protoreflect.BytesKind:
		return stringOrBytes
	case protoreflect.Fixed32Kind, protoreflect.Sfixed32Kind:
		return fixed32
	case protoreflect.Fixed64Kind, protoreflect.Sfixed64Kind:
		return fixed64
	case protoreflect.FloatKind:
		return float32Kind
	case protoreflect.DoubleKind:
		return float64Kind
	}
	return generalNumber
}

// field compares two fields with the same number, whose labels and types
// are oi and ui.
func (d *differ) field(of, uf protoreflect.FieldDescriptor, oi, ui fieldInfo, msgName string) {
	if of.Name() != uf.Name() {
		d.add(FieldNameChanged, uf, "Field %q on message %q changed name from %q to %q.", numberOf(uf), msgName, of.Name(), uf.Name())
	}
	d.types2(oi.label, ui.label, oi.typ, ui.typ, uf, msgName)
}

func numberOf(f protoreflect.FieldDescriptor) string {
	return strconv.Itoa(int(f.Number()))
}

// types2 compares the labels and types of a field (or of a map's key or
// value, which have no labels).
func (d *differ) types2(ol, ul label, ot, ut fieldType, uf protoreflect.FieldDescriptor, msgName string) {
	if ot.kind() != ut.kind() {
		d.add(FieldKindChanged, uf, "Field %q with name %q on message %q changed type from %q to %q.", numberOf(uf), uf.Name(), msgName, ot.String(), ut.String())
		return
	}
	switch ot.kind() {
	case kindScalar:
		ok, uk := ot.scalarKind(), ut.scalarKind()
		if ok != uk {
			d.add(FieldScalarKindChanged, uf, "Field %q with name %q on message %q changed type from %q to %q, which is not wire compatible.", numberOf(uf), uf.Name(), msgName, ot.String(), ut.String())
			return
		}
		if ol == labelNone || ul == labelNone || ol == ul {
			return
		}
		if ok == stringOrBytes {
			d.add(FieldStringOrBytesLabelChanged, uf, "Field %q with name %q on message %q changed label from %q to %q.", numberOf(uf), uf.Name(), msgName, ol, ul)
		} else {
			d.add(FieldNumericLabelChanged, uf, "Field %q with name %q on message %q changed label from %q to %q.", numberOf(uf), uf.Name(), msgName, ol, ul)
		}
	case kindMessage:
		d.messageType(ot.msg, ut.msg, uf, msgName)
	case kindMap:
		d.types2(labelNone, labelNone, *ot.key, *ut.key, uf, msgName)
		d.types2(labelNone, labelNone, *ot.val, *ut.val, uf, msgName)
	}
}

// messageType compares the message types of a field. Types are the same
// when their names within their packages match; a type whose file is the
// same on both sides needs no further look, otherwise its definitions are
// compared.
func (d *differ) messageType(om, um protoreflect.MessageDescriptor, uf protoreflect.FieldDescriptor, msgName string) {
	ol, ul := localName(om), localName(um)
	if ol != ul {
		d.add(FieldNamedTypeChanged, uf, "Field %q with name %q on message %q changed type from %q to %q.", numberOf(uf), uf.Name(), msgName, "."+string(om.FullName()), "."+string(um.FullName()))
		return
	}
	oOrigin := d.orig.origins[om.ParentFile().Path()]
	uOrigin := d.upd.origins[um.ParentFile().Path()]
	if oOrigin != "" && oOrigin == uOrigin {
		return
	}
	sub := &differ{orig: d.orig, upd: d.upd, path: strings.Split(ol, "."), visiting: maps.Clone(d.visiting), incompatibleOnly: d.incompatibleOnly}
	sub.message(om, um)
	d.out = append(d.out, sub.out...)
	for _, c := range sub.out {
		if !c.Compatible {
			d.add(FieldNamedTypeChanged, uf, "Field %q with name %q on message %q uses type %q, whose definition changed incompatibly.", numberOf(uf), uf.Name(), msgName, "."+string(um.FullName()))
			return
		}
	}
}

// localName is a type's name without its package.
func localName(d protoreflect.Descriptor) string {
	full := string(d.FullName())
	if pkg := string(d.ParentFile().Package()); pkg != "" && strings.HasPrefix(full, pkg+".") {
		return full[len(pkg)+1:]
	}
	return full
}
