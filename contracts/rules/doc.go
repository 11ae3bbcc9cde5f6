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
// The serializers in contracts/serde compile a Program per schema and run
// it; the field walkers for Avro, Protobuf and JSON values live here so that
// every format sees fields the same way.
package rules
