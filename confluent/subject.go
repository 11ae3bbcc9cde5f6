package confluent

import (
	"strings"
	"unicode"
)

// Schema contexts, as Confluent Schema Registry defines them. A subject
// name may carry its context in front of it, ":.staging:orders-value",
// and each context is a registry of its own: its own ids, versions,
// configs and modes. A name without that prefix is in the default context
// ".". ".__GLOBAL" is not a context subjects live in: its config and mode
// (":.__GLOBAL:") apply to every context that sets none of its own.
const (
	// DefaultContext is the context of every unqualified subject.
	DefaultContext = "."
	// GlobalContext holds the config and mode every context falls back to.
	GlobalContext = ".__GLOBAL"
	// Wildcard stands for every context in a subject prefix: ":*:orders"
	// matches "orders-value" and ":.staging:orders-value".
	Wildcard = ":*:"
)

// Subject is a subject name split into its context and its name within
// the context. The zero value is not valid; use ParseSubject or
// QualifiedSubject.
type Subject struct {
	// Context is ".", a context name starting with "." (".staging"), or
	// "*" for the wildcard prefix ":*:".
	Context string
	// Name is the subject's name within its context. It is empty when the
	// string names a context only (":.staging:").
	Name string
}

// ParseSubject splits s the way Confluent's QualifiedSubject does, without
// tenants:
//   - ":.ctx:name" is name in context ".ctx", and ":.ctx" or ":.ctx:" is the
//     context itself (an empty name);
//   - ":*:name" is name under the wildcard context "*";
//   - anything else is a name in the default context, including names
//     that merely start with a colon ("::x", ":x").
//
// ":.:name" is name in the default context, so it normalises to "name".
// Parsing never fails: every string is some subject.
func ParseSubject(s string) Subject {
	switch {
	case strings.HasPrefix(s, ":."):
		rest := s[1:]
		i := strings.IndexByte(rest[1:], ':')
		if i < 0 {
			return Subject{Context: rest}
		}
		return Subject{Context: rest[:i+1], Name: rest[i+2:]}
	case strings.HasPrefix(s, Wildcard):
		return Subject{Context: "*", Name: s[len(Wildcard):]}
	}
	return Subject{Context: DefaultContext, Name: s}
}

// QualifiedSubject returns name qualified with context (as "." or
// ".staging"). A name that is already qualified keeps its own context.
func QualifiedSubject(context, name string) Subject {
	if q := ParseSubject(name); q.Context != DefaultContext {
		return q
	}
	if context == "" {
		context = DefaultContext
	}
	return Subject{Context: context, Name: name}
}

// NormalizeSubject returns s in its canonical spelling: the default
// context's prefix dropped (":.:orders" is "orders"), a context without
// its closing colon given one (":.staging" is ":.staging:").
func NormalizeSubject(s string) string { return ParseSubject(s).String() }

// String returns the qualified spelling: the name alone in the default
// context, ":ctx:name" in any other.
func (q Subject) String() string { return q.Prefix() + q.Name }

// Prefix returns the context's part of the qualified spelling:
// "" for the default context, ":.staging:" for ".staging", ":*:" for the
// wildcard.
func (q Subject) Prefix() string {
	if q.Context == DefaultContext || q.Context == "" {
		return ""
	}
	return ":" + q.Context + ":"
}

// IsContext reports whether q names a context rather than a subject in it
// (":.staging:", or the empty string for the default context).
func (q Subject) IsContext() bool { return q.Name == "" }

// IsDefault reports whether q is in the default context.
func (q Subject) IsDefault() bool { return q.Context == DefaultContext }

// IsGlobal reports whether q is in the ".__GLOBAL" context.
func (q Subject) IsGlobal() bool { return q.Context == GlobalContext }

// IsWildcard reports whether q is under the wildcard prefix ":*:".
func (q Subject) IsWildcard() bool { return q.Context == "*" }

// ContextOf returns the context of subject s: "." for an unqualified one.
func ContextOf(s string) string { return ParseSubject(s).Context }

// ContextPrefix returns the prefix that qualifies a subject in context
// ctx ("" for the default context, ":.staging:" for ".staging").
func ContextPrefix(ctx string) string { return Subject{Context: ctx}.Prefix() }

// InContext qualifies subject with context ctx unless it already names a
// context of its own: a reference "customer" from a schema in ".staging"
// means ":.staging:customer", while ":.shared:customer" and a reference
// from the default context stay as they are. This is how Confluent
// resolves a reference against the subject that holds it.
func InContext(ctx, subject string) string {
	q := ParseSubject(subject)
	if q.Context != DefaultContext || ctx == "" || ctx == DefaultContext {
		return q.String()
	}
	// Confluent keeps the reference's own spelling as the name here, so a
	// ":.:x" reference from ".staging" is ":.staging::.:x", not
	// ":.staging:x"; the same spelling resolves the same way in both.
	return ":" + ctx + ":" + subject
}

// ParseContext validates and normalises a context name given on its own,
// as DELETE /contexts/{context} and the /contexts/{context}/... routes take
// it: the colons around it are optional, and so is its leading dot
// ("staging", ".staging" and ":.staging:" all name ".staging"). A context
// name may not contain a colon; the error says so in Confluent's words.
func ParseContext(s string) (string, error) {
	c := strings.TrimPrefix(s, ":")
	c = strings.TrimSuffix(c, ":")
	if strings.Contains(c, ":") {
		return "", &ContextNameError{Name: c}
	}
	if !strings.HasPrefix(c, ".") {
		c = "." + c
	}
	return c, nil
}

// ContextNameError is a context name that cannot be one: it contains a
// colon. Name is the name with its surrounding colons removed.
type ContextNameError struct{ Name string }

// Error returns Confluent's message for the name.
func (e *ContextNameError) Error() string {
	return "Context name '" + e.Name + "' cannot contain a colon"
}

// Reserved subject names Confluent refuses as subjects: "__GLOBAL" holds
// global permissions in Confluent Platform, and "__EMPTY" stands for the
// empty name.
const (
	globalSubjectName = "__GLOBAL"
	emptySubjectName  = "__EMPTY"
)

// ValidSubject reports whether s may name a subject, by Confluent's rule
// (QualifiedSubject.isValidSubject): no control characters, not one of
// the reserved names "__GLOBAL" and "__EMPTY" in any context, and not in
// the ".__GLOBAL" context unless configOrMode (":.__GLOBAL:" is a config
// and mode, never a subject that holds schemas).
func ValidSubject(s string, configOrMode bool) bool {
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	q := ParseSubject(s)
	if q.Name == globalSubjectName || q.Name == emptySubjectName {
		return false
	}
	return configOrMode || !q.IsGlobal()
}

// MatchPrefix reports whether subject s is listed under the subjectPrefix
// prefix, as Confluent's listings read it:
//   - a prefix under the wildcard (":*:", ":*:orders") matches names that
//     start with the rest in every context;
//   - any other prefix is read in its own context (the default one when
//     unqualified) and matches names in that context that start with its
//     name, so "" and "orders" match the default context only;
//   - a prefix that is a context without its closing colon (":.stag")
//     matches every subject whose context starts with it, since Confluent
//     compares the context before the name.
func MatchPrefix(prefix, s string) bool {
	p, q := ParseSubject(prefix), ParseSubject(s)
	if p.IsWildcard() {
		return strings.HasPrefix(q.Name, p.Name)
	}
	if p.Name == "" && !strings.HasSuffix(prefix, ":") && !p.IsDefault() {
		return strings.HasPrefix(q.Context, p.Context)
	}
	return q.Context == p.Context && strings.HasPrefix(q.Name, p.Name)
}
