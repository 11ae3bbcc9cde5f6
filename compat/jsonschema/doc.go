// Package jsonschema is charter's JSON Schema format: it parses schemas of
// drafts 4, 6, 7, 2019-09 and 2020-12 (draft-07 when "$schema" is absent, as
// Confluent does), resolves "$ref" within a schema and across the registry's
// references, gives the stored and normalized text forms, and diffs two
// schemas with Confluent's JSON Schema rules (its Difference.Type names and
// "#/properties/foo" paths, STRICT or LENIENT policy).
//
// Validation and reference resolution use github.com/santhosh-tekuri/jsonschema/v6
// with every URL loader turned off: a schema can reach only itself, the
// dependencies the registry passes and the bundled metaschemas. The diff
// works on a model of its own, built from the raw documents the way
// Confluent's loaders build theirs, because Confluent's paths and rules depend
// on that shape (a "type" next to an "enum" is an allOf of two schemas, for
// instance).
//
// The registry reaches this package only through compat.Format; the
// serializers in contracts use Schema.Validate.
package jsonschema
