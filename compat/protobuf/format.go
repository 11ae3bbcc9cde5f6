package protobuf

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"unicode"

	"github.com/bufbuild/protocompile"
	"github.com/bufbuild/protocompile/linker"
	"github.com/bufbuild/protocompile/reporter"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/charter-registry/charter/compat"
)

// Default limits. They are far above what real schemas need and keep a
// hostile request from costing unbounded time or memory.
const (
	// DefaultMaxSchemaBytes bounds the text of a schema and of each dependency.
	DefaultMaxSchemaBytes = 1 << 20
	// DefaultMaxDepth bounds brace nesting in the text and message nesting in
	// the compiled file.
	DefaultMaxDepth = 64
)

// Format parses and compares Protobuf schemas. It holds only configuration
// and the embedded well-known sources, so one Format may serve any number of
// goroutines.
type Format struct {
	maxBytes int
	maxDepth int
	builtins map[string]string
}

var _ compat.Format = (*Format)(nil)

// Opt configures a Format.
type Opt interface{ apply(*Format) }

type optFunc func(*Format)

func (o optFunc) apply(f *Format) { o(f) }

// MaxSchemaBytes bounds the size of a schema text and of each dependency's
// text (DefaultMaxSchemaBytes when unset). Use it when the registry's
// request size limit is raised or lowered.
func MaxSchemaBytes(n int) Opt {
	return optFunc(func(f *Format) { f.maxBytes = n })
}

// MaxDepth bounds how deeply braces and messages may nest (DefaultMaxDepth
// when unset). Deeper schemas are refused with a ParseError rather than
// being compiled.
func MaxDepth(n int) Opt {
	return optFunc(func(f *Format) { f.maxDepth = n })
}

// New returns a Protobuf Format. Options whose values are not positive
// keep their defaults.
func New(opts ...Opt) *Format {
	f := &Format{maxBytes: DefaultMaxSchemaBytes, maxDepth: DefaultMaxDepth}
	for _, o := range opts {
		o.apply(f)
	}
	if f.maxBytes <= 0 {
		f.maxBytes = DefaultMaxSchemaBytes
	}
	if f.maxDepth <= 0 {
		f.maxDepth = DefaultMaxDepth
	}
	f.builtins = builtinSources()
	return f
}

// Type reports compat.Protobuf.
func (f *Format) Type() compat.Type { return compat.Protobuf }

// Syntax says that schema texts are written in the Protobuf language (compat.Syntaxer).
func (f *Format) Syntax() string { return "protobuf" }

// Parse compiles text with its dependencies, in memory only. A dependency's
// Name is the path it is imported by. Well-known imports (google/protobuf,
// the common google/type files, confluent/meta.proto and
// confluent/type/decimal.proto) need no dependency. When text is not valid
// .proto source but is a base64 FileDescriptorProto, that is accepted too,
// as Confluent does; the text's error is reported when neither works.
func (f *Format) Parse(text string, deps []compat.Dependency) (compat.Schema, error) {
	s, err := f.parse(text, deps)
	if err != nil {
		return nil, err
	}
	return s, nil
}

func (f *Format) parse(text string, deps []compat.Dependency) (*Schema, error) {
	depSrc, err := f.dependencies(deps)
	if err != nil {
		return nil, err
	}
	if err := f.checkText(text); err != nil {
		return nil, err
	}
	main := mainFileName(depSrc)
	s, textErr := f.compile(main, text, nil, depSrc)
	if textErr == nil {
		return s, nil
	}
	if fdp, ok := decodeBase64Descriptor(text, f.maxBytes); ok {
		if s, err := f.compile(main, "", fdp, depSrc); err == nil {
			return s, nil
		}
	}
	return nil, textErr
}

// ParseSerialized builds a schema from the bytes of a FileDescriptorProto
// (Confluent's ?format=serialized form, after base64 decoding) and its
// dependencies given as .proto text.
func (f *Format) ParseSerialized(b []byte, deps []compat.Dependency) (*Schema, error) {
	if len(b) > f.maxBytes {
		return nil, &compat.ParseError{Message: fmt.Sprintf("serialized schema is %d bytes, more than the limit of %d", len(b), f.maxBytes)}
	}
	depSrc, err := f.dependencies(deps)
	if err != nil {
		return nil, err
	}
	fdp := &descriptorpb.FileDescriptorProto{}
	if err := proto.Unmarshal(b, fdp); err != nil {
		return nil, &compat.ParseError{Message: "invalid serialized FileDescriptorProto: " + err.Error()}
	}
	return f.compile(mainFileName(depSrc), "", fdp, depSrc)
}

// decodeBase64Descriptor reports whether text is a base64 encoded
// FileDescriptorProto that declares at least something.
func decodeBase64Descriptor(text string, limit int) (*descriptorpb.FileDescriptorProto, bool) {
	t := strings.TrimSpace(text)
	if t == "" || len(t) > limit*2 {
		return nil, false
	}
	b, err := base64.StdEncoding.DecodeString(t)
	if err != nil {
		return nil, false
	}
	fdp := &descriptorpb.FileDescriptorProto{}
	if err := proto.Unmarshal(b, fdp); err != nil {
		return nil, false
	}
	if len(fdp.GetMessageType()) == 0 && len(fdp.GetEnumType()) == 0 && fdp.GetPackage() == "" && len(fdp.GetService()) == 0 {
		return nil, false
	}
	return fdp, true
}

// dependencies validates deps and returns them by import path. The
// google/protobuf files always come from the compiler's own copies, so a
// registered copy of one is ignored.
func (f *Format) dependencies(deps []compat.Dependency) (map[string]string, error) {
	out := make(map[string]string, len(deps))
	for _, d := range deps {
		if d.Name == "" {
			return nil, &compat.ParseError{Message: "a dependency has an empty name"}
		}
		if len(d.Schema) > f.maxBytes {
			return nil, &compat.ParseError{Message: fmt.Sprintf("dependency %q is %d bytes, more than the limit of %d", d.Name, len(d.Schema), f.maxBytes)}
		}
		if isStandardImport(d.Name) {
			continue
		}
		if prev, ok := out[d.Name]; ok && prev != d.Schema {
			return nil, &compat.ParseError{Message: fmt.Sprintf("dependency %q is given twice with different texts", d.Name)}
		}
		if depth := maxNesting(d.Schema); depth > f.maxDepth {
			return nil, &compat.ParseError{Message: fmt.Sprintf("dependency %q nests %d levels deep, more than the limit of %d", d.Name, depth, f.maxDepth)}
		}
		out[d.Name] = d.Schema
	}
	return out, nil
}

func (f *Format) checkText(text string) error {
	if len(text) > f.maxBytes {
		return &compat.ParseError{Message: fmt.Sprintf("schema is %d bytes, more than the limit of %d", len(text), f.maxBytes)}
	}
	if depth := maxNesting(text); depth > f.maxDepth {
		return &compat.ParseError{Message: fmt.Sprintf("schema nests %d levels deep, more than the limit of %d", depth, f.maxDepth)}
	}
	return nil
}

// mainFileName picks the path of the schema being parsed: one that no
// dependency uses, so imports cannot be confused with it.
func mainFileName(deps map[string]string) string {
	name := "schema.proto"
	for i := 1; ; i++ {
		if _, taken := deps[name]; !taken {
			return name
		}
		name = fmt.Sprintf("schema_%d.proto", i)
	}
}

// compile links the main file, given as text or as a descriptor proto,
// with its dependencies.
func (f *Format) compile(main, text string, fdp *descriptorpb.FileDescriptorProto, deps map[string]string) (*Schema, error) {
	if fdp != nil {
		fdp = proto.Clone(fdp).(*descriptorpb.FileDescriptorProto)
		fdp.Name = proto.String(main)
		defaultJSONNames(fdp)
		if depth := descriptorDepth(fdp.GetMessageType(), 1); depth > f.maxDepth {
			return nil, &compat.ParseError{Message: fmt.Sprintf("schema nests messages %d levels deep, more than the limit of %d", depth, f.maxDepth)}
		}
	}
	resolve := protocompile.ResolverFunc(func(path string) (protocompile.SearchResult, error) {
		switch {
		case path == main && fdp != nil:
			return protocompile.SearchResult{Proto: fdp}, nil
		case path == main:
			return protocompile.SearchResult{Source: strings.NewReader(text)}, nil
		}
		if src, ok := deps[path]; ok {
			return protocompile.SearchResult{Source: strings.NewReader(src)}, nil
		}
		if src, ok := f.builtins[path]; ok {
			return protocompile.SearchResult{Source: strings.NewReader(src)}, nil
		}
		return protocompile.SearchResult{}, fs.ErrNotExist
	})
	var first reporter.ErrorWithPos
	c := protocompile.Compiler{
		Resolver:       protocompile.WithStandardImports(resolve),
		SourceInfoMode: protocompile.SourceInfoStandard,
		MaxParallelism: 1,
		Reporter: reporter.NewReporter(func(e reporter.ErrorWithPos) error {
			if first == nil {
				first = e
			}
			return e
		}, nil),
	}
	files, err := c.Compile(context.Background(), main)
	if err != nil {
		return nil, toParseError(main, first, err)
	}
	fd := files.FindFileByPath(main)
	if fd == nil {
		return nil, &compat.ParseError{Message: "compiler returned no file for the schema"}
	}
	if depth := messageDepth(fd.Messages(), 1); depth > f.maxDepth {
		return nil, &compat.ParseError{Message: fmt.Sprintf("schema nests messages %d levels deep, more than the limit of %d", depth, f.maxDepth)}
	}
	s := &Schema{file: fd, text: text, origins: origins(fd, main, deps, f.builtins)}
	if s.canonical, err = printFile(fd, true); err != nil {
		return nil, &compat.ParseError{Message: "print schema: " + err.Error()}
	}
	return s, nil
}

// defaultJSONNames gives every field of a descriptor proto that has no
// json_name its default one, as protoc fills it in. A descriptor written
// without them (Confluent accepts one) would otherwise have protocompile
// read each missing name as a custom "" and refuse two such fields in one
// message as conflicting.
func defaultJSONNames(fdp *descriptorpb.FileDescriptorProto) {
	fill := func(fields []*descriptorpb.FieldDescriptorProto) {
		for _, f := range fields {
			if f.JsonName == nil {
				f.JsonName = proto.String(jsonCamelCase(f.GetName()))
			}
		}
	}
	var walk func([]*descriptorpb.DescriptorProto)
	walk = func(msgs []*descriptorpb.DescriptorProto) {
		for _, m := range msgs {
			fill(m.Field)
			fill(m.Extension)
			walk(m.NestedType)
		}
	}
	fill(fdp.Extension)
	walk(fdp.MessageType)
}

// jsonCamelCase is protoc's default JSON name: underscores dropped, and the
// letter after each upper-cased.
func jsonCamelCase(name string) string {
	var b strings.Builder
	upper := false
	for _, r := range name {
		if r == '_' {
			upper = true
			continue
		}
		if upper {
			r = unicode.ToUpper(r)
			upper = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// toParseError turns a compiler error into a *compat.ParseError. Positions
// are kept only for errors inside the schema text itself: an error in a
// dependency names that file in the message instead.
func toParseError(main string, first reporter.ErrorWithPos, err error) *compat.ParseError {
	var ewp reporter.ErrorWithPos
	if !errors.As(err, &ewp) {
		ewp = first
	}
	if ewp == nil {
		msg := err.Error()
		if strings.Contains(msg, "cycle found in imports") {
			return &compat.ParseError{Message: "import cycle: " + msg}
		}
		return &compat.ParseError{Message: strings.ReplaceAll(msg, main, "schema")}
	}
	pos := ewp.GetPosition()
	msg := ewp.Unwrap().Error()
	if pos.Filename != main {
		return &compat.ParseError{Message: fmt.Sprintf("%s: %s", pos, msg)}
	}
	return &compat.ParseError{
		Line:    pos.Line,
		Column:  pos.Col,
		Message: fmt.Sprintf("%d:%d: %s", pos.Line, pos.Col, msg),
	}
}

// origins records where each file of the schema's import graph came from.
// Two types from files with the same origin are the same type, so Diff
// does not need to look inside them again (Confluent compares the
// subject and version of a reference for the same purpose).
func origins(fd protoreflect.FileDescriptor, main string, deps, builtins map[string]string) map[string]string {
	out := map[string]string{}
	var walk func(protoreflect.FileDescriptor)
	walk = func(f protoreflect.FileDescriptor) {
		path := f.Path()
		if _, seen := out[path]; seen {
			return
		}
		switch src, isDep := deps[path]; {
		case path == main:
			out[path] = "main"
		case isDep:
			sum := sha256.Sum256([]byte(src))
			out[path] = "dep:" + path + ":" + hex.EncodeToString(sum[:16])
		case builtins[path] != "":
			out[path] = "builtin:" + path
		default:
			out[path] = "standard:" + path
		}
		imps := f.Imports()
		for i := 0; i < imps.Len(); i++ {
			walk(imps.Get(i).FileDescriptor)
		}
	}
	walk(fd)
	return out
}

func isStandardImport(path string) bool {
	return strings.HasPrefix(path, "google/protobuf/")
}

// messageDepth is the deepest message nesting below msgs.
func messageDepth(msgs protoreflect.MessageDescriptors, depth int) int {
	max := 0
	if msgs.Len() > 0 {
		max = depth
	}
	for i := 0; i < msgs.Len(); i++ {
		if d := messageDepth(msgs.Get(i).Messages(), depth+1); d > max {
			max = d
		}
	}
	return max
}

func descriptorDepth(msgs []*descriptorpb.DescriptorProto, depth int) int {
	max := 0
	if len(msgs) > 0 {
		max = depth
	}
	for _, m := range msgs {
		if depth > 10*DefaultMaxDepth {
			return depth
		}
		if d := descriptorDepth(m.GetNestedType(), depth+1); d > max {
			max = d
		}
	}
	return max
}

// maxNesting is the deepest nesting of {, [ and < in a .proto text,
// ignoring strings and comments. It is computed before compiling so that
// deeply nested input never reaches the parser.
func maxNesting(s string) int {
	depth, max := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '{', '[', '<', '(':
			depth++
			if depth > max {
				max = depth
			}
		case '}', ']', '>', ')':
			if depth > 0 {
				depth--
			}
		case '"', '\'':
			for i++; i < len(s) && s[i] != c && s[i] != '\n'; i++ {
				if s[i] == '\\' {
					i++
				}
			}
		case '/':
			if i+1 < len(s) && s[i+1] == '/' {
				for i < len(s) && s[i] != '\n' {
					i++
				}
			} else if i+1 < len(s) && s[i+1] == '*' {
				end := strings.Index(s[i+2:], "*/")
				if end < 0 {
					return max
				}
				i += end + 3
			}
		}
	}
	return max
}

// compiled reports whether fd came from the compiler (and so has a
// FileDescriptorProto at hand).
func compiled(fd protoreflect.FileDescriptor) (linker.Result, bool) {
	r, ok := fd.(linker.Result)
	return r, ok
}
