package avro

import (
	"fmt"
	"strings"

	"github.com/charter-registry/charter/internal/jsontext"
)

// The scan walks a schema's JSON tree before hamba sees it. It finds the
// mistakes people make most (a missing "type", an undeclared name, a
// duplicate field) and reports them with a position, which hamba cannot. It
// also enforces the nesting limit, and collects the named types a text
// defines and the field defaults it declares.
//
// Names resolve as hamba resolves them: a dotted name is full, any other is
// qualified with the enclosing namespace, and an empty "namespace" inherits
// the enclosing one. References must name a type defined earlier in the
// same text or in a dependency; aliases are not names one can refer to.

var primitives = map[string]bool{
	"null": true, "boolean": true, "int": true, "long": true,
	"float": true, "double": true, "bytes": true, "string": true,
}

// fieldDefault is a field that declares a "default".
type fieldDefault struct {
	record string // full name of the record
	field  string
	node   *node // the field object
}

func defaultKey(record, field string) string { return record + "\x00" + field }

type scanner struct {
	// known holds the full names defined so far, by dependencies and by
	// this text. It is shared across the texts of one Parse call.
	known    map[string]bool
	maxDepth int
	// defs maps the names this text defines to their definitions.
	defs     map[string]*node
	defaults []fieldDefault
	// objects holds every schema and field object of the text.
	objects map[*node]bool
}

// fullName qualifies name with ns unless it is already dotted.
func fullName(ns, name string) string {
	if ns == "" || strings.Contains(name, ".") {
		return name
	}
	return ns + "." + name
}

// splitName splits a full name into namespace and simple name.
func splitName(full string) (ns, name string) {
	i := strings.LastIndexByte(full, '.')
	if i < 0 {
		return "", full
	}
	return full[:i], full[i+1:]
}

// qualify writes a reference to full from inside namespace ns, as Avro's
// Java implementation does: the simple name when it lives in ns or in no
// namespace, the full name otherwise. A simple name that spells a
// primitive (a type called a.string) stays full, where Java would print a
// reference that reads back as the primitive.
func qualify(full, ns string) string {
	space, name := splitName(full)
	if (space == "" || space == ns) && !primitives[name] {
		return name
	}
	return full
}

// definedName resolves the full name and namespace of a named type's
// definition inside namespace ns.
func definedName(n *node, ns string) (full, space string, err error) {
	name, ok := n.Get("name").Text()
	if !ok || name == "" {
		t, _ := n.Get("type").Text()
		return "", "", &posError{off: n.Off, msg: fmt.Sprintf("a %s needs a non-empty \"name\" string", t)}
	}
	space = ns
	if v := n.Get("namespace"); v != nil {
		switch {
		case v.Kind == jsontext.String && v.Str != "":
			space = v.Str
		case v.Kind != jsontext.String && v.Kind != jsontext.Null:
			return "", "", &posError{off: v.Off, msg: "\"namespace\" must be a string"}
		}
	}
	full = fullName(space, name)
	space, _ = splitName(full)
	return full, space, nil
}

func (s *scanner) typ(n *node, ns string, depth int) error {
	switch n.Kind {
	case jsontext.String:
		return s.ref(n, n.Str, ns)
	case jsontext.Array:
		if err := s.deeper(n, depth); err != nil {
			return err
		}
		// An empty union is valid: Avro's Java parser accepts [] (no datum
		// can be written with it), and so does Confluent.
		for _, e := range n.Elems {
			if e.Kind == jsontext.Array {
				return &posError{off: e.Off, msg: "a union cannot directly contain another union: list the types in one array"}
			}
			if err := s.typ(e, ns, depth+1); err != nil {
				return err
			}
		}
		return nil
	case jsontext.Object:
		if err := s.deeper(n, depth); err != nil {
			return err
		}
		return s.object(n, ns, depth+1)
	default:
		return &posError{off: n.Off, msg: "a type must be a type name such as \"string\", a JSON object with a \"type\", or a union array"}
	}
}

func (s *scanner) deeper(n *node, depth int) error {
	if depth+1 > s.maxDepth {
		return &posError{off: n.Off, msg: fmt.Sprintf("the schema nests types deeper than %d levels: flatten it or raise the nesting limit", s.maxDepth)}
	}
	return nil
}

func (s *scanner) ref(n *node, name, ns string) error {
	if primitives[name] {
		return nil
	}
	full := fullName(ns, name)
	if s.known[full] {
		return nil
	}
	switch name {
	case "record", "error", "enum", "fixed", "array", "map":
		return &posError{off: n.Off, msg: fmt.Sprintf("%q is a complex type: write it as an object, like {\"type\":%q,...}", name, name)}
	}
	msg := fmt.Sprintf("unknown type %q", name)
	if full != name {
		msg += fmt.Sprintf(" (looked up as %q)", full)
	}
	return &posError{off: n.Off, msg: msg + ": define it before this use, or add a reference to the schema that defines it"}
}

func (s *scanner) object(n *node, ns string, depth int) error {
	s.objects[n] = true
	tv := n.Get("type")
	if tv == nil {
		return &posError{off: n.Off, msg: "missing \"type\": every schema object needs one, like {\"type\":\"record\",...}"}
	}
	if tv.Kind != jsontext.String {
		return &posError{off: tv.Off, msg: "\"type\" must be a string naming the type; write a union as a bare JSON array, not inside \"type\""}
	}
	switch t := tv.Str; t {
	case "null", "boolean", "int", "long", "float", "double", "bytes", "string":
		return nil
	case "record", "error":
		full, space, err := s.define(n, ns)
		if err != nil {
			return err
		}
		return s.fields(n, full, space, depth)
	case "enum":
		if _, _, err := s.define(n, ns); err != nil {
			return err
		}
		if syms := n.Get("symbols"); syms != nil && syms.Kind == jsontext.Array {
			for _, sym := range syms.Elems {
				if sym.Kind == jsontext.String && !validName(sym.Str) {
					return &posError{off: sym.Off, msg: fmt.Sprintf("enum symbol %q is not a valid Avro name: start with a letter or _ and use only letters, digits and _", sym.Str)}
				}
			}
		}
		return nil
	case "fixed":
		_, _, err := s.define(n, ns)
		return err
	case "array":
		items := n.Get("items")
		if items == nil {
			return &posError{off: n.Off, msg: "an array needs \"items\", like {\"type\":\"array\",\"items\":\"string\"}"}
		}
		return s.typ(items, ns, depth)
	case "map":
		values := n.Get("values")
		if values == nil {
			return &posError{off: n.Off, msg: "a map needs \"values\", like {\"type\":\"map\",\"values\":\"string\"}"}
		}
		return s.typ(values, ns, depth)
	default:
		return s.ref(tv, t, ns)
	}
}

// define registers the named type defined by n and returns its full name
// and namespace.
func (s *scanner) define(n *node, ns string) (full, space string, err error) {
	full, space, err = definedName(n, ns)
	if err != nil {
		return "", "", err
	}
	for part := range strings.SplitSeq(full, ".") {
		if !validName(part) {
			return "", "", &posError{off: n.Get("name").Off, msg: fmt.Sprintf("%q is not a valid Avro name: each dot-separated part must start with a letter or _ and hold only letters, digits and _", full)}
		}
	}
	if primitives[full] {
		return "", "", &posError{off: n.Off, msg: fmt.Sprintf("a named type cannot be called %q: that is a primitive type", full)}
	}
	if s.known[full] {
		return "", "", &posError{off: n.Off, msg: fmt.Sprintf("type %q is defined twice: define it once, then refer to it by name", full)}
	}
	s.known[full] = true
	s.defs[full] = n
	return full, space, nil
}

func (s *scanner) fields(n *node, full, space string, depth int) error {
	fields := n.Get("fields")
	if fields == nil || fields.Kind != jsontext.Array {
		return &posError{off: n.Off, msg: fmt.Sprintf("record %q needs a \"fields\" array (it may be empty)", full)}
	}
	seen := make(map[string]bool, len(fields.Elems))
	for _, f := range fields.Elems {
		if f.Kind != jsontext.Object {
			return &posError{off: f.Off, msg: "each field must be a JSON object with a \"name\" and a \"type\""}
		}
		name, ok := f.Get("name").Text()
		if !ok {
			return &posError{off: f.Off, msg: "a field needs a \"name\" string"}
		}
		if !validName(name) {
			return &posError{off: f.Get("name").Off, msg: fmt.Sprintf("field name %q is not a valid Avro name: start with a letter or _ and use only letters, digits and _", name)}
		}
		if seen[name] {
			return &posError{off: f.Off, msg: fmt.Sprintf("field %q appears twice in record %q", name, full)}
		}
		seen[name] = true
		s.objects[f] = true
		ft := f.Get("type")
		if ft == nil {
			return &posError{off: f.Off, msg: fmt.Sprintf("field %q needs a \"type\"", name)}
		}
		if err := s.typ(ft, space, depth); err != nil {
			return err
		}
		if f.Get("default") != nil {
			s.defaults = append(s.defaults, fieldDefault{record: full, field: name, node: f})
		}
	}
	return nil
}

// validName reports whether s is a valid Avro name (one part of a full
// name): [A-Za-z_][A-Za-z0-9_]*, the rule hamba enforces.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
