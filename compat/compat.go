package compat

import (
	"errors"
	"strings"
)

// Type names a schema format the way Confluent's schemaType field does.
type Type string

// The schema types charter knows. An empty schemaType means AVRO.
const (
	Avro     Type = "AVRO"
	Protobuf Type = "PROTOBUF"
	JSON     Type = "JSON"
)

// Dependency is one resolved reference: the name it is imported or referred to
// by, and the text of the schema it resolves to. The registry passes every
// transitive dependency of a schema, dependencies before their dependents.
type Dependency struct {
	Name   string
	Schema string
}

// Format parses schemas of one Type. Implementations hold no mutable state
// shared between calls: two Parse calls never see each other's names.
type Format interface {
	Type() Type
	// Parse validates text with its dependencies. A syntax or semantic error
	// is returned as a *ParseError, with a position where the parser has one.
	Parse(text string, deps []Dependency) (Schema, error)
	// Diff lists the semantic changes from original to update. A change is
	// Compatible when a reader using update can still read every datum
	// written with original (Confluent's BACKWARD direction). Diff never
	// fails: both schemas were parsed by this Format.
	Diff(original, update Schema, opts Options) []Change
}

// Schema is a parsed schema.
type Schema interface {
	// Canonical is the form the registry stores and serves. Registering two
	// texts with the same Canonical form yields one id.
	Canonical() string
	// Normalized is the stronger form used when a client asks for
	// normalize=true: equivalent schemas (different field declaration
	// order, whitespace, comments) normalise to one string.
	Normalized() string
}

// Options tune a Diff.
type Options struct {
	// Lenient selects Confluent's LENIENT compatibilityPolicy for JSON
	// Schema. Other formats ignore it.
	Lenient bool
	// IncompatibleOnly says that the caller keeps only the incompatible
	// changes, as Check does: a Format may then leave the compatible ones
	// out. Between compatible versions they are most of a diff, and a
	// transitive check diffs every version.
	IncompatibleOnly bool
}

// Change is one semantic difference between two schemas.
type Change struct {
	// Kind is Confluent's name for the change: an Avro
	// SchemaIncompatibilityType (READER_FIELD_MISSING_DEFAULT_VALUE), a
	// Protobuf or JSON Schema Difference.Type (FIELD_KIND_CHANGED).
	Kind string `json:"kind"`
	// Rule is a buf-style rule id (FIELD_NO_DELETE) where one applies;
	// otherwise it equals Kind.
	Rule string `json:"rule"`
	// Path locates the change: /fields/3/type for Avro, #/Msg/3 for
	// Protobuf, #/properties/foo for JSON Schema.
	Path string `json:"path"`
	// Message says in words what changed and why it matters.
	Message string `json:"message"`
	// Line and Column locate the change in the update schema's text, 1-based;
	// zero when unknown.
	Line   int `json:"line,omitempty"`
	Column int `json:"column,omitempty"`
	// Compatible reports whether this change keeps BACKWARD compatibility.
	Compatible bool `json:"compatible"`
}

// ParseError is a schema that could not be parsed. Line and Column are
// 1-based and zero when the parser gave no position.
type ParseError struct {
	Line    int
	Column  int
	Message string
}

func (e *ParseError) Error() string { return e.Message }

// AsParseError returns err as a *ParseError, wrapping a plain error when
// needed so callers always have a message.
func AsParseError(err error) *ParseError {
	var pe *ParseError
	if errors.As(err, &pe) {
		return pe
	}
	return &ParseError{Message: err.Error()}
}

// Stricter is a Format that checks more of a schema when it is first
// registered than when it is read back, such as Avro field defaults under
// Confluent's validateNewSchemas. The registry parses new schemas with
// Strict() unless the subject's config turns validateNewSchemas off.
type Stricter interface {
	Strict() Format
}

// ForNew returns the Format that parses a schema being registered for the
// first time: f's Strict() when f is a Stricter, else f itself. The
// registry parses new schemas with it under validateNewSchemas, and
// charter check parses working-tree files with it, so that a file passes
// the check only if the registry would take it.
func ForNew(f Format) Format {
	if sf, ok := f.(Stricter); ok {
		return sf.Strict()
	}
	return f
}

// NewSchemaChecker is a Format that refuses, when a schema is registered,
// things it can parse but that clients may fail on, such as JSON Schema
// patterns Go's RE2 cannot compile. Unlike Stricter it applies to every
// registration; the registry never runs it on schemas it reads back from
// the log, so schemas stored before (or by Confluent) still load. The error
// is a *ParseError.
type NewSchemaChecker interface {
	CheckNew(Schema) error
}

// Renderer is a Schema with renderings other than its canonical form,
// chosen by name through the format query parameter of Confluent's API:
// Protobuf's "serialized" (a base64 FileDescriptorProto) and
// "ignore_extensions", Avro's "resolved".
type Renderer interface {
	// Render returns the schema in the named rendering; name is lower case.
	// ok is false when the format has no rendering of that name.
	Render(name string) (text string, ok bool, err error)
}

// Render returns s in the rendering that Confluent's format query parameter
// names. The name is matched ignoring case and surrounding space, as
// Confluent matches it. ok is false when the name is empty or unknown to the
// schema's format: Confluent then serves the schema as stored, so that a
// client asking for a newer rendering still gets an answer.
func Render(s Schema, name string) (text string, ok bool, err error) {
	name = strings.ToLower(strings.TrimSpace(name))
	if name == "" {
		return "", false, nil
	}
	r, isRenderer := s.(Renderer)
	if !isRenderer {
		return "", false, nil
	}
	return r.Render(name)
}

// Syntaxer is a Format that names the language its schema texts are
// written in, as syntax highlighters name it ("json", "protobuf"), so
// that tools can show a text without knowing the format: the web
// catalogue highlights it with that language's lexer and indents JSON.
type Syntaxer interface {
	Syntax() string
}

// SyntaxOf returns the language the texts of f are written in, or ""
// when f does not say or is nil.
func SyntaxOf(f Format) string {
	if s, ok := f.(Syntaxer); ok {
		return s.Syntax()
	}
	return ""
}

// Filer is a Format whose schemas are kept as files in a repository. It
// says how to recognise its files and what a text refers to, so that tools
// can gather the files a schema needs without knowing the format
// (cli/project).
type Filer interface {
	Files() Files
	// FileRefs lists what text refers to in other files, read from the
	// text alone; a text that does not parse refers to nothing.
	FileRefs(text string) FileRefs
}

// Files describes how a format's schema files are named and found.
type Files struct {
	// Extensions are the endings of the format's file names, lower case
	// with the dot (".avsc"); a name whose extension is one of them is a
	// file of the format.
	Extensions []string
	// Inner are endings before the extension that belong to the format's
	// way of naming files rather than to the schema's name (".schema" in
	// customer.schema.json, whose schema is customer).
	Inner []string
	// Aliases are names beside its Type a configuration or flag may give
	// the format, upper case (PROTO).
	Aliases []string
	// ByName reports that schemas refer to one another by type name
	// rather than by path (Avro), so that the files defining the names
	// are found by reading the format's files beside a project's and
	// under its import paths.
	ByName bool
}

// FileRefs is what a schema text refers to in other files, in one of three
// ways; a format uses one of them.
type FileRefs struct {
	// Imports are paths, looked for under the import paths, then the root,
	// then beside the importing file (Protobuf's import). A dependency is
	// named by the path as written.
	Imports []string
	// Relative are paths relative to the referring file, or to the root
	// when they begin with a slash (JSON Schema's $ref, fragment cut off).
	// A dependency is named by its path relative to the schema parsed.
	Relative []string
	// Names are the type names the text uses without defining, each with
	// the full names it may stand for, most likely first (Avro). A
	// dependency is named by the full name.
	Names [][]string
	// Defines are the full names of the types the text defines, sorted.
	Defines []string
}

// Locator is a Schema that can say where a path of its format lands in
// its own text, so that tools can annotate a line without knowing the
// format: cli/check places a change that the FORWARD diff described in an
// earlier version's terms.
type Locator interface {
	// Locate returns the 1-based line and column in this schema's text of
	// the place that path names in from, a schema of the same format:
	// this schema itself or an earlier version of it, whose indexes may
	// differ (a path through Avro fields is followed by field name). It
	// stops at the deepest part of the path that still exists here, so a
	// removed field lands on its record; ok is false when nothing fits.
	Locate(from Schema, path string) (line, col int, ok bool)
}

// PointerTokens splits a JSON pointer (with or without a leading #) into
// its unescaped tokens, as Locate implementations read paths.
func PointerTokens(p string) []string {
	p = strings.TrimPrefix(p, "#")
	p = strings.TrimPrefix(p, "/")
	if p == "" {
		return nil
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = strings.NewReplacer("~1", "/", "~0", "~").Replace(s)
	}
	return segs
}

// EntityTags names one entity of a schema and tags for it: Confluent's
// SchemaTags. Path is Confluent's entityPath (for Avro the record's full
// name, then the field's name: "com.acme.Order.ssn"); Type is "sr_record"
// or "sr_field".
type EntityTags struct {
	Path string
	Type string
	Tags []string
}

// The entity types of EntityTags.
const (
	EntityRecord = "sr_record"
	EntityField  = "sr_field"
)

// Tagger is a Format that can add tags to and remove tags from a schema's
// inline tags (Avro's and JSON Schema's "confluent:tags"), as Confluent's
// schemaTagsToAdd and schemaTagsToRemove do. For each entity, tags are
// added first, then removed; an entity left without tags loses the key.
type Tagger interface {
	Tag(text string, add, remove []EntityTags) (string, error)
}
