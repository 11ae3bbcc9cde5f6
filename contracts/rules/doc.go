// Package rules runs the domain rules of a schema's ruleSet, Confluent's
// data-contract rules, on values before they are written and after they are
// read.
//
// A rule of type CEL evaluates one CEL expression (cel.dev/cel-go) with the
// whole value bound to "message"; a rule of type CEL_FIELD evaluates its
// expression once per primitive field, selected by the rule's tags, with
// "value", "name", "fullName", "typeName", "tags" and the containing
// "message" bound. Both accept Confluent's "guard ; expr" form. CONDITION
// rules must yield true; TRANSFORM rules replace the value or field with
// their result. Rules run in WRITE, READ or WRITEREAD mode, in ruleSet order
// on write and reverse order on read, and a failure takes the rule's
// onFailure action: NONE goes on, ERROR fails, DLQ fails with an *Error
// naming the dead-letter topic, which the caller (contracts/kafka) produces
// to.
//
// Migration rules (Engine.Migrate) of type JSONATA
// (github.com/xiatechs/jsonata-go) or CEL turn a JSON-shaped value written
// with one version of a subject into another version: UPGRADE rules in
// ruleSet order, DOWNGRADE rules in reverse, UPDOWN in both. JSONATA is also
// accepted as a domain rule type on the whole value.
//
// The serializers in contracts/serde compile a Program per schema and run
// it; the field walkers for Avro, Protobuf and JSON values live here so that
// every format sees fields the same way.
package rules
