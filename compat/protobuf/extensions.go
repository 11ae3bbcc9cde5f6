package protobuf

import (
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
)

// withoutExtensions prints the schema the way Confluent's
// format=ignore_extensions does (ProtobufSchemaUtils with ignoreExtensions):
// without extension ranges, without extend blocks, and without custom
// options, except Confluent's own (confluent.*), which its serializers read.
// Standard options such as deprecated stay.
func (s *Schema) withoutExtensions() (string, error) {
	fdp := fileProto(s.file)
	fdp.Extension = nil
	stripCustomOptions(fdp.Options)
	for _, m := range fdp.MessageType {
		stripMessage(m)
	}
	for _, e := range fdp.EnumType {
		stripEnum(e)
	}
	for _, svc := range fdp.Service {
		stripCustomOptions(svc.Options)
		for _, m := range svc.Method {
			stripCustomOptions(m.Options)
		}
	}
	fd, err := relink(s.file, fdp)
	if err != nil {
		return "", err
	}
	return printFile(fd, true)
}

func stripMessage(m *descriptorpb.DescriptorProto) {
	m.Extension = nil
	m.ExtensionRange = nil
	stripCustomOptions(m.Options)
	for _, f := range m.Field {
		stripCustomOptions(f.Options)
	}
	for _, o := range m.OneofDecl {
		stripCustomOptions(o.Options)
	}
	for _, n := range m.NestedType {
		stripMessage(n)
	}
	for _, e := range m.EnumType {
		stripEnum(e)
	}
}

func stripEnum(e *descriptorpb.EnumDescriptorProto) {
	stripCustomOptions(e.Options)
	for _, v := range e.Value {
		stripCustomOptions(v.Options)
	}
}

// stripCustomOptions clears the extension fields of an options message
// (custom options) other than Confluent's.
func stripCustomOptions(opts proto.Message) {
	if opts == nil {
		return
	}
	m := opts.ProtoReflect()
	if !m.IsValid() {
		return
	}
	var drop []protoreflect.FieldDescriptor
	m.Range(func(fd protoreflect.FieldDescriptor, _ protoreflect.Value) bool {
		if fd.IsExtension() && !strings.HasPrefix(string(fd.FullName()), "confluent.") {
			drop = append(drop, fd)
		}
		return true
	})
	for _, fd := range drop {
		m.Clear(fd)
	}
}
