// Package memory is an in-memory storage.Log for unit tests.
//
// It behaves like the durable backends where the registry can observe it:
// offsets are consecutive from 0, Tail blocks for new records and honours its
// context, End reports the next offset, and Compact keeps the latest record
// per logical key. It persists nothing: when the process exits the records are
// gone. Use storage/file for an embedded log that survives restarts.
package memory
