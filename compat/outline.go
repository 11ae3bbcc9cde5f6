package compat

// An Outline is a format-neutral description of what a schema declares: its
// records (Avro records, Protobuf messages, JSON Schema objects), their
// fields and its enums, each with its documentation, tags and position in
// the text. It is what design checks (package lint) read, so that one rule
// serves every format. A format offers it by implementing Outliner on its
// Schema; the outline covers the schema's own text, not its dependencies.
type Outline struct {
	// Root is the type of the schema as a whole: a record for most event
	// schemas, a primitive for many key schemas, a union for an Avro
	// schema that lists several event types.
	Root TypeRef
	// RootLine and RootColumn locate the root in the text.
	RootLine, RootColumn int
	// Records and Enums are every declaration in the text, outer ones
	// first, in declaration order.
	Records []*Record
	Enums   []*Enum
	// Idiom is how the format words what the outline describes and the
	// fixes a design check suggests; nil when the format gives none.
	Idiom *Idiom
}

// Idiom is a format's own words for what an Outline describes and for the
// fixes design checks suggest, so that package lint can word a finding in
// the schema's terms without knowing its format.
type Idiom struct {
	// Record is the word for a record: record, message, object.
	Record string
	// RootPath is the path of the schema as a whole ("/", "#/", "#").
	RootPath string
	// Doc is what documents a declaration, as in "add Doc that says
	// what it is": a "doc", a comment above it.
	Doc string
	// Time says how to give a field that holds a time a type that says
	// so, by the field's Kind; the entry "" serves every other kind.
	Time map[string]string
	// Decimal says how to hold money exactly.
	Decimal string
	// PII says how to tag a field as personal data.
	PII string
	// SnakeCaseFields reports that field names are lower_snake_case by
	// the format's convention (Protobuf, as buf requires) rather than in
	// whichever convention most fields of a schema use.
	SnakeCaseFields bool
	// ZeroDefault reports that an enum's fallback is its zero value,
	// which every enum has (Protobuf), rather than a declared "default".
	ZeroDefault bool
}

// Outliner is a Schema that can describe itself as an Outline.
type Outliner interface {
	Outline() *Outline
}

// Record is a type with named fields.
type Record struct {
	// Name is the simple name (OrderShipped); FullName adds the namespace
	// or package. A JSON Schema object is named by its "title", else by
	// the property or definition that holds it.
	Name, FullName string
	// Top reports a type a record of the stream is an instance of: the
	// Avro schema itself (or a branch of its top-level union), a
	// top-level Protobuf message, the root JSON Schema object.
	Top bool
	// Named reports that Name was written in the schema (false for a JSON
	// Schema object named after its property).
	Named bool
	Pos
	Doc
	Fields []*Field
}

// Field is one field of a record.
type Field struct {
	Name string
	Pos
	Doc
	Type TypeRef
	// Tags are the data-contract tags on the field (Confluent's
	// "confluent:tags", or the Protobuf option (confluent.field_meta).tags).
	Tags []string
	// Default is the field's default value as compact JSON (Avro and
	// JSON Schema "default"; a proto2 [default = ...] in the text form
	// protobuf's JSON mapping gives it), empty when the schema gives
	// none. A proto3 field's implicit zero value is not a default here.
	Default string
}

// Enum is an enumeration.
type Enum struct {
	Name, FullName string
	Pos
	Doc
	Symbols []Symbol
	// Default is the symbol a reader falls back to for a symbol it does
	// not know: Avro's enum "default", the zero value of a Protobuf enum.
	// Empty when there is none (JSON Schema has no such notion).
	Default string
	// HasDefaultNotion is false for formats without a fallback symbol.
	HasDefaultNotion bool
}

// Symbol is one enum symbol with its position and documentation: the
// comment of a Protobuf enum value, the "description" (or "title") of a
// JSON Schema "const" alternative. Avro has no place for a symbol's doc,
// so its symbols have none.
type Symbol struct {
	Name string
	Pos
	Doc
}

// Pos locates a declaration: a path in the format's own terms and a
// 1-based line and column (zero when unknown).
type Pos struct {
	Path         string
	Line, Column int
}

// Doc is a declaration's documentation and the notes addressed to tools.
type Doc struct {
	// Text is the documentation a reader sees: Avro "doc", the Protobuf
	// leading or trailing comment, JSON Schema "description" or "title".
	Text string
	// Notes are texts addressed to maintainers and tools, where inline
	// lint suppressions are read: the Avro doc, the Protobuf comments,
	// JSON Schema "$comment".
	Notes []string
}

// TypeRef describes the type of a field or of the schema's root.
type TypeRef struct {
	// Kind is a neutral name: null, boolean, int, long, float, double,
	// bytes, string, decimal, record, enum, array, map, union, message
	// (a Protobuf well-known or imported message), any.
	Kind string
	// Name is the full name of a record, enum or message type.
	Name string
	// Logical is a type's finer meaning where the schema gives one: an
	// Avro logicalType (timestamp-millis), a Protobuf well-known type
	// (google.protobuf.Timestamp), a JSON Schema "format" (date-time).
	Logical string
	// Nullable reports that the value may be absent or null: an Avro
	// union with null, a JSON Schema type list with "null", a Protobuf
	// proto3 optional field or wrapper type.
	Nullable bool
	// Branches are the non-null members of a union.
	Branches []TypeRef
}
