// Package avro is the Avro schema format of the registry: it implements
// compat.Format for schemaType AVRO (the default).
//
// Parse reads a schema after its references into a fresh name table per
// call, so names never leak between registrations, and gives a Schema whose
// Canonical form is Confluent's AvroSchema.canonicalString() (the form the
// registry stores and de-duplicates on) and whose Normalized form serves
// normalize=true. Diff applies Avro's reader/writer resolution rules with
// our own walker over github.com/hamba/avro/v2's parsed types and reports
// each incompatibility with Confluent's type name and JSON-pointer location.
//
// Text flows JSON tree (positions, comments, nesting limit) → scan (names,
// references, clear errors) → hamba (full validation, the schema serializers
// use). The canonical forms are printed from the JSON tree, not from hamba,
// whose String() is the Parsing Canonical Form that drops docs and defaults.
//
// Known differences from Confluent: a name without a namespace cannot be
// referred to from inside a namespace (Java falls back to the empty
// namespace, hamba does not); an empty union is refused; names must be
// ASCII ([A-Za-z_][A-Za-z0-9_]*, hamba's rule, where Java allows any
// letter); and a reader field whose aliases match two writer fields is
// reported as a NAME_MISMATCH where Java throws.
package avro
