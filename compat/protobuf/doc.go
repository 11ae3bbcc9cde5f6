// Package protobuf is charter's compat.Format for Protocol Buffers schemas.
//
// Parse compiles a .proto text (or a base64 FileDescriptorProto, as
// Confluent accepts) together with its resolved references, entirely in
// memory, with bufbuild/protocompile. The well-known google/protobuf files,
// the common google/type files and Confluent's confluent/meta.proto and
// confluent/type/decimal.proto resolve without being registered.
//
// Diff follows Confluent's Protobuf SchemaDiff rules and names (for
// example FIELD_KIND_CHANGED at #/Msg/3), annotated with buf-style rule ids,
// messages and positions in the updated text. The message-index helpers
// (MessageIndexes, AppendIndexes, ReadIndexes) implement the part of
// Confluent's wire format that selects a message inside a schema; the
// serializers in contracts/ use them.
package protobuf
