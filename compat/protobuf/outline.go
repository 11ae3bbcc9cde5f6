package protobuf

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/charter-registry/charter/compat"
)

// metaField is the number of Confluent's field_meta, message_meta, ...
// options (confluent/meta.proto); tagsField is Meta.tags.
const (
	metaField protowire.Number = 1088
	tagsField protowire.Number = 3
)

// Schema describes itself for design checks.
var _ compat.Outliner = (*Schema)(nil)

// idiom words design findings in the format's terms.
var idiom = &compat.Idiom{
	Record:          "message",
	RootPath:        "#/",
	Doc:             "a comment above it",
	Time:            map[string]string{"": "use google.protobuf.Timestamp (or google.type.Date for a day)"},
	Decimal:         "use confluent.type.Decimal, or an integer of minor units (amount_cents)",
	PII:             `add [(confluent.field_meta).tags = "PII"] (import "confluent/meta.proto")`,
	SnakeCaseFields: true,
	ZeroDefault:     true,
}

// Outline describes the messages and enums the file declares, with their
// comments, (confluent.field_meta).tags and positions, for design checks.
// Paths are #/ and the full name, with the field number for a field
// (#/acme.Order/3). Top-level messages are Top unless another message of
// the file uses them as a field type (then they are parts of an event, not
// events); map entries are left out.
func (s *Schema) Outline() *compat.Outline {
	o := &pbOutliner{locs: s.file.SourceLocations(), out: &compat.Outline{Idiom: idiom}}
	msgs := s.file.Messages()
	if msgs.Len() > 0 {
		o.out.Root = compat.TypeRef{Kind: "record", Name: string(msgs.Get(0).FullName())}
		p := o.pos(msgs.Get(0), "")
		o.out.RootLine, o.out.RootColumn = p.Line, p.Column
	}
	o.messages(msgs, true)
	o.enums(s.file.Enums())
	// A top-level message that another message of the file uses as a
	// field type is a part, not an event of its own.
	used := map[string]bool{}
	for _, r := range o.out.Records {
		for _, f := range r.Fields {
			if f.Type.Kind == "record" {
				used[f.Type.Name] = true
			}
		}
	}
	tops := 0
	for _, r := range o.out.Records {
		if r.Top && used[r.FullName] {
			r.Top = false
		}
		if r.Top {
			tops++
		}
	}
	if tops == 0 && len(o.out.Records) > 0 && msgs.Len() > 0 {
		for _, r := range o.out.Records {
			if r.FullName == string(msgs.Get(0).FullName()) {
				r.Top = true
			}
		}
	}
	return o.out
}

type pbOutliner struct {
	locs protoreflect.SourceLocations
	out  *compat.Outline
}

func (o *pbOutliner) pos(d protoreflect.Descriptor, path string) compat.Pos {
	if path == "" {
		path = "#/" + string(d.FullName())
	}
	loc := o.locs.ByDescriptor(d)
	if loc.StartLine == 0 && loc.StartColumn == 0 && loc.EndLine == 0 {
		// protocompile always records a span; a zero one is unknown.
		return compat.Pos{Path: path}
	}
	return compat.Pos{Path: path, Line: loc.StartLine + 1, Column: loc.StartColumn + 1}
}

func (o *pbOutliner) doc(d protoreflect.Descriptor) compat.Doc {
	loc := o.locs.ByDescriptor(d)
	text := strings.TrimSpace(loc.LeadingComments)
	if text == "" {
		text = strings.TrimSpace(loc.TrailingComments)
	}
	var notes []string
	for _, c := range append([]string{loc.LeadingComments, loc.TrailingComments}, loc.LeadingDetachedComments...) {
		if c = strings.TrimSpace(c); c != "" {
			notes = append(notes, c)
		}
	}
	return compat.Doc{Text: text, Notes: notes}
}

func (o *pbOutliner) messages(msgs protoreflect.MessageDescriptors, top bool) {
	for i := 0; i < msgs.Len(); i++ {
		md := msgs.Get(i)
		if md.IsMapEntry() {
			continue
		}
		r := &compat.Record{Name: string(md.Name()), FullName: string(md.FullName()), Top: top, Named: true, Pos: o.pos(md, ""), Doc: o.doc(md)}
		fields := md.Fields()
		for j := 0; j < fields.Len(); j++ {
			fd := fields.Get(j)
			r.Fields = append(r.Fields, &compat.Field{
				Name:    string(fd.Name()),
				Pos:     o.pos(fd, "#/"+string(md.FullName())+"/"+strconv.Itoa(int(fd.Number()))),
				Doc:     o.doc(fd),
				Type:    outlineType(fd),
				Tags:    metaTags(fd.Options()),
				Default: defaultOf(fd),
			})
		}
		o.out.Records = append(o.out.Records, r)
		o.messages(md.Messages(), false)
		o.enums(md.Enums())
	}
}

func (o *pbOutliner) enums(enums protoreflect.EnumDescriptors) {
	for i := 0; i < enums.Len(); i++ {
		ed := enums.Get(i)
		e := &compat.Enum{Name: string(ed.Name()), FullName: string(ed.FullName()), Pos: o.pos(ed, ""), Doc: o.doc(ed), HasDefaultNotion: true}
		vals := ed.Values()
		for j := 0; j < vals.Len(); j++ {
			v := vals.Get(j)
			e.Symbols = append(e.Symbols, compat.Symbol{Name: string(v.Name()), Pos: o.pos(v, "#/"+string(ed.FullName())+"/"+string(v.Name())), Doc: o.doc(v)})
			if v.Number() == 0 && e.Default == "" {
				e.Default = string(v.Name())
			}
		}
		o.out.Enums = append(o.out.Enums, e)
	}
}

// defaultOf is a proto2 field's explicit [default = ...] as JSON: a
// number or boolean as written, a string or bytes (base64, as protobuf's
// JSON mapping writes them) or an enum value's name quoted. Empty for a
// field without one, which includes every proto3 field.
func defaultOf(fd protoreflect.FieldDescriptor) string {
	if !fd.HasDefault() {
		return ""
	}
	v := fd.Default()
	switch fd.Kind() {
	case protoreflect.EnumKind:
		if ev := fd.DefaultEnumValue(); ev != nil {
			return strconv.Quote(string(ev.Name()))
		}
		return strconv.Itoa(int(v.Enum()))
	case protoreflect.StringKind:
		b, _ := json.Marshal(v.String())
		return string(b)
	case protoreflect.BytesKind:
		b, _ := json.Marshal(v.Bytes())
		return string(b)
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		// JSON has no literal for these; the JSON mapping quotes them.
		switch f := v.Float(); {
		case math.IsNaN(f):
			return `"NaN"`
		case math.IsInf(f, 1):
			return `"Infinity"`
		case math.IsInf(f, -1):
			return `"-Infinity"`
		default:
			return strconv.FormatFloat(f, 'g', -1, 64)
		}
	}
	return v.String()
}

// wrappers are the well-known types that make a scalar nullable.
var wrappers = map[string]string{
	"google.protobuf.StringValue": "string", "google.protobuf.BytesValue": "bytes",
	"google.protobuf.BoolValue": "boolean", "google.protobuf.Int32Value": "int",
	"google.protobuf.Int64Value": "long", "google.protobuf.UInt32Value": "int",
	"google.protobuf.UInt64Value": "long", "google.protobuf.FloatValue": "float",
	"google.protobuf.DoubleValue": "double",
}

func outlineType(fd protoreflect.FieldDescriptor) compat.TypeRef {
	var t compat.TypeRef
	switch {
	case fd.IsMap():
		return compat.TypeRef{Kind: "map"}
	case fd.IsList():
		return compat.TypeRef{Kind: "array"}
	}
	switch fd.Kind() {
	case protoreflect.BoolKind:
		t.Kind = "boolean"
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind, protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		t.Kind = "int"
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		t.Kind = "long"
	case protoreflect.FloatKind:
		t.Kind = "float"
	case protoreflect.DoubleKind:
		t.Kind = "double"
	case protoreflect.StringKind:
		t.Kind = "string"
	case protoreflect.BytesKind:
		t.Kind = "bytes"
	case protoreflect.EnumKind:
		t = compat.TypeRef{Kind: "enum", Name: string(fd.Enum().FullName())}
	case protoreflect.MessageKind, protoreflect.GroupKind:
		name := string(fd.Message().FullName())
		t = compat.TypeRef{Kind: "record", Name: name}
		if strings.HasPrefix(name, "google.") {
			t = compat.TypeRef{Kind: "message", Name: name, Logical: name}
		}
		if k, ok := wrappers[name]; ok {
			t = compat.TypeRef{Kind: k, Name: name, Nullable: true}
		}
		if name == "confluent.type.Decimal" {
			t = compat.TypeRef{Kind: "decimal", Name: name, Logical: "decimal"}
		}
	}
	if fd.HasPresence() && fd.ContainingOneof() != nil && fd.ContainingOneof().IsSynthetic() {
		t.Nullable = true // proto3 optional
	}
	return t
}

// metaTags reads (confluent.field_meta).tags from a field's options,
// whether the compiler kept the extension as a known field or as unknown
// bytes.
func metaTags(opts proto.Message) []string {
	if opts == nil {
		return nil
	}
	m := opts.ProtoReflect()
	var tags []string
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.IsExtension() && fd.Number() == metaField && fd.Kind() == protoreflect.MessageKind {
			if b, err := proto.Marshal(v.Message().Interface()); err == nil {
				tags = append(tags, readTags(b)...)
			}
		}
		return true
	})
	for b := []byte(m.GetUnknown()); len(b) > 0; {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			break
		}
		b = b[n:]
		n = protowire.ConsumeFieldValue(num, typ, b)
		if n < 0 {
			break
		}
		if num == metaField && typ == protowire.BytesType {
			v, _ := protowire.ConsumeBytes(b[:n])
			tags = append(tags, readTags(v)...)
		}
		b = b[n:]
	}
	return tags
}

func readTags(b []byte) []string {
	var out []string
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return out
		}
		b = b[n:]
		n = protowire.ConsumeFieldValue(num, typ, b)
		if n < 0 {
			return out
		}
		if num == tagsField && typ == protowire.BytesType {
			v, _ := protowire.ConsumeBytes(b[:n])
			out = append(out, string(v))
		}
		b = b[n:]
	}
	return out
}
