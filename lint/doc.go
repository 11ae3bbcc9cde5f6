// Package lint checks the design of event schemas, where package compat
// checks only whether a change breaks readers. Each Rule is data (an id, a
// purpose, categories, the formats it applies to) plus a handler, as in
// buf's lint; a handler reads the format-neutral compat.Outline that every
// format in compat/ offers, so one rule serves Avro, Protobuf and JSON
// Schema alike.
//
// The rules follow the event-design advice of the books charter is built
// on: delta events named with a past-tense verb, state events named for
// the entity, keys that are ids, no before/after envelopes or link-only
// notifications, enums that survive new symbols and keep one meaning,
// documented fields, logical timestamp types and tagged personal data.
// Rules marked Heuristic guess from names; their messages say so.
//
// It sits beside compat in the layering (cli -> api -> registry -> lint ->
// compat): the CLI lints files, the registry applies a subject's lint
// policy at registration. It imports no format package, no registry and no
// transport.
package lint
