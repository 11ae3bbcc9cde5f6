// Package jsontext reads JSON text into a tree that keeps what a map loses:
// the order of object members and the byte offset of every value and member
// name, so that formats can print a schema back in the order it was written
// and say at which line and column something is. It is the one JSON reader
// of the schema formats (compat/avro, compat/jsonschema) and of the tools
// that point into schema texts (cli/check); it enforces nesting and number
// limits before anything recursive looks at a document.
//
// It deliberately does not decode into Go values beyond Value.Any. It
// writes JSON strings only (AppendString), in a named escaping style,
// because the stored forms differ in their escaping: Jackson's for Avro's
// canonical form, log/slog's for the CLI's request log lines.
package jsontext
