// Package compat defines what every schema format plugs into: parsing with
// resolved references, a canonical form for de-duplication and normalize=true,
// and a semantic diff whose entries name the rule that broke and where.
//
// The registry calls a Format without knowing its internals. Compatibility
// levels (BACKWARD, FORWARD, FULL and their _TRANSITIVE variants) are computed
// here from a format's Diff, so every format gets the same level semantics.
// Optional capabilities are small interfaces a format's Schema may
// implement (Outliner, Locator, Renderer, Tagger) and a Format may
// (Syntaxer, Stricter), asked for by type assertion; an Outline carries
// the format's Idiom for design checks. Subpackages avro, protobuf and jsonschema implement the
// formats; compattest is the conformance suite each of them passes.
package compat
