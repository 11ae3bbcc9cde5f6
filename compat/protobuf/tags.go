package protobuf

import (
	"fmt"
	"slices"
	"strings"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/charter-registry/charter/compat"
)

var _ compat.Tagger = (*Format)(nil)

// metaImport is the file that declares Confluent's field_meta and
// message_meta options.
const metaImport = "confluent/meta.proto"

// Tag implements compat.Tagger with Confluent's Protobuf entity paths:
// message names from the top level down (no package), then the field for
// sr_field (a oneof's name may stand between); the tags live in the
// (confluent.field_meta) and (confluent.message_meta) options, whose other
// members (doc, params) are kept. The file gains the import of
// confluent/meta.proto when it needs it. Only a schema without references
// can be edited.
func (f *Format) Tag(text string, add, remove []compat.EntityTags) (string, error) {
	s, err := f.parse(text, nil)
	if err != nil {
		return "", fmt.Errorf("the schema does not parse on its own (the tags of a Protobuf schema with references cannot be edited yet): %v", err)
	}
	if !importsMeta(s) {
		canon, err := printFile(s.file, true)
		if err != nil {
			return "", err
		}
		if s, err = f.parse(withMetaImport(canon), nil); err != nil {
			return "", err
		}
	}
	fdp := fileProto(s.file)
	edits, err := compat.GroupTagEdits(add, remove, func(path string) string { return strings.TrimPrefix(path, ".") })
	if err != nil {
		return "", err
	}
	for _, e := range edits {
		ids := strings.Split(strings.TrimPrefix(e.Path, "."), ".")
		if e.Type == compat.EntityRecord {
			m, err := findTagMessage(fdp.MessageType, ids)
			if err != nil {
				return "", err
			}
			if m.Options == nil {
				m.Options = &descriptorpb.MessageOptions{}
			}
			if err := editMeta(m.Options, e); err != nil {
				return "", err
			}
			continue
		}
		fd, err := findTagField(fdp.MessageType, ids)
		if err != nil {
			return "", err
		}
		if fd.Options == nil {
			fd.Options = &descriptorpb.FieldOptions{}
		}
		if err := editMeta(fd.Options, e); err != nil {
			return "", err
		}
	}
	linked, err := relink(s.file, fdp)
	if err != nil {
		return "", err
	}
	return printFile(linked, true)
}

func importsMeta(s *Schema) bool {
	imps := s.file.Imports()
	for i := 0; i < imps.Len(); i++ {
		if imps.Get(i).Path() == metaImport {
			return true
		}
	}
	return false
}

// withMetaImport adds the import of confluent/meta.proto to a canonical
// text, after its package (else its syntax) statement.
func withMetaImport(canon string) string {
	lines := strings.Split(canon, "\n")
	at := -1
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "package ") || (at < 0 && (strings.HasPrefix(t, "syntax ") || strings.HasPrefix(t, "edition "))) {
			at = i
		}
	}
	imp := `import "` + metaImport + `";`
	return strings.Join(slices.Insert(lines, at+1, "", imp), "\n")
}

// findMessage follows message names down from the top level, as
// Confluent's findMatchingElement does.
func findTagMessage(top []*descriptorpb.DescriptorProto, ids []string) (*descriptorpb.DescriptorProto, error) {
	var m *descriptorpb.DescriptorProto
	msgs := top
	for _, id := range ids {
		i := slices.IndexFunc(msgs, func(d *descriptorpb.DescriptorProto) bool { return d.GetName() == id })
		if i < 0 {
			//lint:ignore ST1005 Confluent's exact text, which clients match on
			return nil, fmt.Errorf("No matching Message with name '%s' found in the schema", id)
		}
		m = msgs[i]
		msgs = m.NestedType
	}
	if m == nil {
		//lint:ignore ST1005 Confluent's exact text, which clients match on
		return nil, fmt.Errorf("No matching Message with name '' found in the schema")
	}
	return m, nil
}

// findField finds the field at the end of ids; a oneof's name may stand
// before the field's (its fields are the message's own).
func findTagField(top []*descriptorpb.DescriptorProto, ids []string) (*descriptorpb.FieldDescriptorProto, error) {
	name := ids[len(ids)-1]
	msgPath := ids[:len(ids)-1]
	if len(msgPath) == 0 {
		//lint:ignore ST1005 Confluent's exact text, which clients match on
		return nil, fmt.Errorf("No matching Field with name '%s' found in the schema", name)
	}
	m, err := findTagMessage(top, msgPath)
	if err != nil && len(msgPath) > 1 {
		// The last step may name a oneof of the message before it.
		if parent, perr := findTagMessage(top, msgPath[:len(msgPath)-1]); perr == nil &&
			slices.ContainsFunc(parent.OneofDecl, func(o *descriptorpb.OneofDescriptorProto) bool { return o.GetName() == msgPath[len(msgPath)-1] }) {
			m, err = parent, nil
		}
	}
	if err != nil {
		return nil, err
	}
	for _, fd := range m.Field {
		if fd.GetName() == name {
			return fd, nil
		}
	}
	//lint:ignore ST1005 Confluent's exact text, which clients match on
	return nil, fmt.Errorf("No matching Field with name '%s' found in the schema", name)
}

// editMeta applies an entity's tag edit to the Confluent meta option (field
// 1088) of opts, keeping its other members and every other option.
func editMeta(opts proto.Message, edit *compat.TagEdit) error {
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(opts)
	if err != nil {
		return err
	}
	var others, metaRest []byte
	var tags []string
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		m := protowire.ConsumeFieldValue(num, typ, b[n:])
		if m < 0 {
			return protowire.ParseError(m)
		}
		field := b[:n+m]
		if num == metaField && typ == protowire.BytesType {
			v, _ := protowire.ConsumeBytes(b[n : n+m])
			for len(v) > 0 {
				inum, ityp, in := protowire.ConsumeTag(v)
				if in < 0 {
					return protowire.ParseError(in)
				}
				im := protowire.ConsumeFieldValue(inum, ityp, v[in:])
				if im < 0 {
					return protowire.ParseError(im)
				}
				if inum == tagsField && ityp == protowire.BytesType {
					t, _ := protowire.ConsumeBytes(v[in : in+im])
					tags = append(tags, string(t))
				} else {
					metaRest = append(metaRest, v[:in+im]...)
				}
				v = v[in+im:]
			}
		} else {
			others = append(others, field...)
		}
		b = b[n+m:]
	}
	meta := metaRest
	for _, t := range edit.Apply(tags) {
		meta = protowire.AppendTag(meta, tagsField, protowire.BytesType)
		meta = protowire.AppendString(meta, t)
	}
	if len(meta) > 0 {
		others = protowire.AppendTag(others, metaField, protowire.BytesType)
		others = protowire.AppendBytes(others, meta)
	}
	proto.Reset(opts)
	return proto.Unmarshal(others, opts)
}
