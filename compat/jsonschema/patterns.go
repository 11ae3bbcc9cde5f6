package jsonschema

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/internal/jsontext"
)

// Keywords whose value is a schema, an array of schemas, or an object whose
// member values are schemas, in any draft charter reads. The walk for
// patterns follows them, so it sees every subschema of the text, also
// those nothing references.
var (
	schemaKeywords = []string{
		"additionalProperties", "additionalItems", "items", "not", "if", "then", "else",
		"contains", "propertyNames", "unevaluatedItems", "unevaluatedProperties", "contentSchema",
	}
	schemaArrayKeywords = []string{"allOf", "anyOf", "oneOf", "prefixItems", "items"}
	schemaMapKeywords   = []string{"properties", "patternProperties", "definitions", "$defs", "dependentSchemas", "dependencies"}
)

// badPattern is a regular expression of a schema that Go's RE2 engine,
// which validates instances here, cannot compile.
type badPattern struct {
	pointer string // JSON pointer (as a URI fragment) of the keyword
	pattern string
	off     int // byte offset of the keyword or the property name
	err     error
}

// badPatterns lists, in document order, the "pattern" values and
// "patternProperties" names of every subschema of root that RE2 cannot
// compile: lookaround, backreferences, or no regular expression at all.
func badPatterns(root *value) []badPattern {
	var out []badPattern
	var walk func(v *value, ptr string)
	walk = func(v *value, ptr string) {
		if v == nil || v.Kind != jsontext.Object {
			return
		}
		if p, ok := v.Get("pattern").Text(); ok {
			if _, err := regexp.Compile(p); err != nil {
				off, _ := v.Offset([]string{"pattern"})
				out = append(out, badPattern{pointer: ptr + "/pattern", pattern: p, off: off, err: err})
			}
		}
		if pp := v.Get("patternProperties"); pp != nil && pp.Kind == jsontext.Object {
			for _, m := range pp.Members {
				if _, err := regexp.Compile(m.Key); err != nil {
					out = append(out, badPattern{pointer: ptr + "/patternProperties/" + escapePointer(m.Key), pattern: m.Key, off: m.Off, err: err})
				}
			}
		}
		for _, m := range v.Members {
			switch {
			case contains(schemaKeywords, m.Key) && m.Value.Kind == jsontext.Object:
				walk(m.Value, ptr+"/"+escapePointer(m.Key))
			case contains(schemaArrayKeywords, m.Key) && m.Value.Kind == jsontext.Array:
				for i, x := range m.Value.Elems {
					walk(x, ptr+"/"+escapePointer(m.Key)+"/"+strconv.Itoa(i))
				}
			case contains(schemaMapKeywords, m.Key) && m.Value.Kind == jsontext.Object:
				for _, x := range m.Value.Members {
					walk(x.Value, ptr+"/"+escapePointer(m.Key)+"/"+escapePointer(x.Key))
				}
			}
		}
	}
	walk(root, "#")
	slices.SortFunc(out, func(a, b badPattern) int { return a.off - b.off })
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// CheckNew refuses a schema being registered whose "pattern" or
// "patternProperties" regular expressions RE2 cannot compile (see
// compat.NewSchemaChecker): charter's own validation would ignore such a
// pattern and other clients' validators may fail on it. The error names
// the first one by its JSON pointer and position, and counts the rest.
// With LenientPatterns it accepts everything, as Confluent does.
func (f *Format) CheckNew(s compat.Schema) error {
	sch, ok := s.(*Schema)
	if !ok || f.cfg.lenientPatterns {
		return nil
	}
	bad := badPatterns(sch.main.root)
	if len(bad) == 0 {
		return nil
	}
	b := bad[0]
	msg := fmt.Sprintf("%s: the regular expression %q cannot be compiled by RE2 (%v), so validators may fail on it; JSON Schema patterns must avoid lookaround and backreferences", b.pointer, b.pattern, reason(b.err))
	if len(bad) > 1 {
		msg += fmt.Sprintf(" (and %d more: %s)", len(bad)-1, pointers(bad[1:]))
	}
	line, col := jsontext.LineCol(sch.main.text, b.off)
	return &compat.ParseError{Line: line, Column: col, Message: msg}
}

// reason is RE2's complaint without its "error parsing regexp: " prefix.
func reason(err error) string {
	return strings.TrimPrefix(err.Error(), "error parsing regexp: ")
}

func pointers(bad []badPattern) string {
	ps := make([]string, 0, min(len(bad), 5))
	for i, b := range bad {
		if i == 5 {
			ps = append(ps, "…")
			break
		}
		ps = append(ps, b.pointer)
	}
	return strings.Join(ps, ", ")
}
