package protobuf

import (
	"encoding/base64"
	"sort"
	"strings"
	"sync"

	"github.com/jhump/protoreflect/v2/protoprint"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/charter-registry/charter/compat"
)

// Schema is a compiled Protobuf schema: one .proto file linked with its
// imports.
type Schema struct {
	file protoreflect.FileDescriptor
	// text is the .proto source, "" when the schema was given as a
	// FileDescriptorProto.
	text      string
	origins   map[string]string
	canonical string

	normOnce   sync.Once
	normalized string

	// fieldSets holds each message's fieldSet once a check has built it
	// (protoreflect.MessageDescriptor -> *fieldSet); see fieldSetOf.
	fieldSets sync.Map
}

var (
	_ compat.Schema   = (*Schema)(nil)
	_ compat.Renderer = (*Schema)(nil)
)

// Canonical is the schema printed back from its descriptor in declaration
// order, with its comments. Texts that differ only in layout print the same.
func (s *Schema) Canonical() string { return s.canonical }

// Normalized is the schema printed without comments, with fields sorted
// by number, enum values by number, enums and extensions by name, imports
// sorted and every type name fully qualified. Messages keep their
// declaration order, because Confluent's message indexes (written in every
// serialized record) count messages in that order.
func (s *Schema) Normalized() string {
	s.normOnce.Do(func() {
		n, err := normalizedText(s.file)
		if err != nil {
			n = s.canonical
		}
		s.normalized = n
	})
	return s.normalized
}

// Serialized is the binary FileDescriptorProto of the schema, without
// source information: Confluent's ?format=serialized form before base64.
func (s *Schema) Serialized() ([]byte, error) {
	fdp := fileProto(s.file)
	fdp.SourceCodeInfo = nil
	return proto.MarshalOptions{Deterministic: true}.Marshal(fdp)
}

// Render serves Confluent's Protobuf renderings: "serialized", the base64
// of Serialized, which Confluent's clients decode when they fetch a schema
// and the schemas it imports; and "ignore_extensions", the text without
// extension ranges, extend blocks and custom options other than
// Confluent's own.
func (s *Schema) Render(name string) (string, bool, error) {
	switch name {
	case "serialized":
		b, err := s.Serialized()
		if err != nil {
			return "", true, err
		}
		return base64.StdEncoding.EncodeToString(b), true, nil
	case "ignore_extensions":
		text, err := s.withoutExtensions()
		return text, true, err
	}
	return "", false, nil
}

// Descriptor is the linked file descriptor of the schema. Its imports are
// linked too, so messages from dependencies resolve through it.
func (s *Schema) Descriptor() protoreflect.FileDescriptor { return s.file }

// FieldNames lists, sorted and without repeats, the names of the fields
// of every message declared in the schema (nested ones included), for
// catalogue search.
func (s *Schema) FieldNames() []string {
	seen := map[string]bool{}
	var walk func(protoreflect.MessageDescriptors)
	walk = func(msgs protoreflect.MessageDescriptors) {
		for i := 0; i < msgs.Len(); i++ {
			md := msgs.Get(i)
			if md.IsMapEntry() {
				continue
			}
			fields := md.Fields()
			for j := 0; j < fields.Len(); j++ {
				seen[string(fields.Get(j).Name())] = true
			}
			walk(md.Messages())
		}
	}
	walk(s.file.Messages())
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	return sortedStrings(out)
}

func sortedStrings(s []string) []string {
	sort.Strings(s)
	return s
}

// fileProto returns a copy of the descriptor proto of fd.
func fileProto(fd protoreflect.FileDescriptor) *descriptorpb.FileDescriptorProto {
	if r, ok := compiled(fd); ok {
		return proto.Clone(r.FileDescriptorProto()).(*descriptorpb.FileDescriptorProto)
	}
	return protodesc.ToFileDescriptorProto(fd)
}

// printFile prints fd as .proto text. The canonical form keeps comments
// and source order; the normalized one has neither and qualifies names.
func printFile(fd protoreflect.FileDescriptor, canonical bool) (string, error) {
	p := protoprint.Printer{Indent: "  "}
	if !canonical {
		p.OmitComments = protoprint.CommentsAll
		p.Compact = true
		p.ForceFullyQualifiedNames = true
	}
	out, err := p.PrintProtoToString(fd)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(out) + "\n", nil
}
