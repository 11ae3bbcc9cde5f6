package avro

import (
	"slices"
	"strings"

	"github.com/charter-registry/charter/internal/jsontext"
)

// The canonical form is what Confluent's AvroSchema.canonicalString()
// returns: Avro's Java Schema.toString() of the parsed schema, with types
// from references written as names. It keeps docs, defaults, aliases and
// custom properties, in this key order:
//
//	record: type, name, namespace, doc, fields, custom properties, aliases
//	field:  name, type, doc, default, order, aliases, custom properties
//	enum:   type, name, namespace, doc, symbols, default, custom properties, aliases
//	fixed:  type, name, namespace, doc, size, custom properties, aliases
//	array:  type, items, custom properties  (map: type, values, ...)
//
// A namespace is written only where it differs from the enclosing one, a
// reference as the simple name when it lives in the enclosing namespace,
// "order":"ascending" is left out, and a primitive without custom
// properties is a bare string. Keys Avro reserves but the type does not use
// (a "name" on an array, a "doc" on an int) are dropped, as Java drops them.
//
// The normalized form is the same walk with what does not change meaning
// put in a fixed order: custom properties sorted by key (logicalType,
// precision and scale first), keys inside property and default values
// sorted, aliases sorted and de-duplicated, and an empty doc on a named
// type dropped. That mirrors what Confluent's normalize() produces once its
// output is printed canonically again.

var (
	schemaReserved = map[string]bool{
		"doc": true, "fields": true, "items": true, "name": true, "namespace": true,
		"size": true, "symbols": true, "values": true, "type": true, "aliases": true,
	}
	enumReserved = map[string]bool{
		"doc": true, "fields": true, "items": true, "name": true, "namespace": true,
		"size": true, "symbols": true, "values": true, "type": true, "aliases": true,
		"default": true,
	}
	fieldReserved = map[string]bool{
		"default": true, "doc": true, "name": true, "order": true, "type": true, "aliases": true,
	}
)

// canonicalWriter prints a scanned schema tree.
type canonicalWriter struct {
	b    []byte
	norm bool
	vo   valueOpts
	// inline, when set, holds the definitions of the types that references
	// bring in, by full name: each is written out in full where it is first
	// used, as Avro's Java Schema.toString() prints a schema whose
	// references are resolved. written records the named types printed so far.
	inline  map[string]*node
	written map[string]bool
}

func writeCanonical(root *node, normalize bool) string {
	w := &canonicalWriter{norm: normalize, vo: valueOpts{sortKeys: normalize}}
	w.typ(root, "")
	return string(w.b)
}

// writeResolved prints root in canonical form with every type from defs
// (the definitions of the schema's references) written in full at its first
// use: Confluent's format=resolved.
func writeResolved(root *node, defs map[string]*node) string {
	w := &canonicalWriter{inline: defs, written: map[string]bool{}}
	w.typ(root, "")
	return string(w.b)
}

// reference writes a use of the named type full from inside namespace ns:
// its definition the first time when resolving references, else its name.
func (w *canonicalWriter) reference(full, ns string) {
	if def := w.inline[full]; def != nil && !w.written[full] {
		space, _ := splitName(full)
		w.definition(def, space, ns)
		return
	}
	w.str(qualify(full, ns))
}

func (w *canonicalWriter) str(s string) { w.b = appendString(w.b, s) }

func (w *canonicalWriter) key(k string) {
	w.b = append(w.b, ',')
	w.b = appendString(w.b, k)
	w.b = append(w.b, ':')
}

func (w *canonicalWriter) typ(n *node, ns string) {
	switch n.Kind {
	case jsontext.String:
		if primitives[n.Str] {
			w.str(n.Str)
			return
		}
		w.reference(fullName(ns, n.Str), ns)
	case jsontext.Array:
		w.b = append(w.b, '[')
		for i, e := range n.Elems {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.typ(e, ns)
		}
		w.b = append(w.b, ']')
	case jsontext.Object:
		w.object(n, ns)
	default:
		// The scan refuses these; print the value rather than fail.
		w.b = appendValue(w.b, n, &w.vo)
	}
}

func (w *canonicalWriter) object(n *node, ns string) { w.definition(n, ns, ns) }

// definition writes the type object n, whose names resolve inside namespace
// defNS, at a place of the output whose enclosing namespace is outNS. The
// two differ only for a referenced type written in full (writeResolved).
func (w *canonicalWriter) definition(n *node, defNS, outNS string) {
	t, _ := n.Get("type").Text()
	switch t {
	case "record", "error":
		full, space, _ := definedName(n, defNS)
		w.define(full)
		w.named(n, t, full, space, outNS)
		if fields := n.Get("fields"); fields != nil && fields.Kind == jsontext.Array {
			w.b = append(w.b, `,"fields":[`...)
			for i, f := range fields.Elems {
				if i > 0 {
					w.b = append(w.b, ',')
				}
				w.field(f, space)
			}
			w.b = append(w.b, ']')
		}
		w.props(n, schemaReserved)
		w.aliases(n, space)
		w.b = append(w.b, '}')
	case "enum":
		full, space, _ := definedName(n, defNS)
		w.define(full)
		w.named(n, t, full, space, outNS)
		w.b = append(w.b, `,"symbols":`...)
		if s := n.Get("symbols"); s != nil {
			w.b = appendValue(w.b, s, &w.vo)
		} else {
			w.b = append(w.b, "[]"...)
		}
		if d, ok := n.Get("default").Text(); ok {
			w.key("default")
			w.str(d)
		}
		w.props(n, enumReserved)
		w.aliases(n, space)
		w.b = append(w.b, '}')
	case "fixed":
		full, space, _ := definedName(n, defNS)
		w.define(full)
		w.named(n, t, full, space, outNS)
		if s := n.Get("size"); s != nil {
			w.key("size")
			w.b = appendValue(w.b, s, &w.vo)
		}
		w.props(n, schemaReserved)
		w.aliases(n, space)
		w.b = append(w.b, '}')
	case "array", "map":
		child := "items"
		if t == "map" {
			child = "values"
		}
		w.b = append(w.b, `{"type":`...)
		w.str(t)
		w.key(child)
		if c := n.Get(child); c != nil {
			w.typ(c, defNS)
		} else {
			w.b = append(w.b, "null"...)
		}
		w.props(n, schemaReserved)
		w.b = append(w.b, '}')
	default:
		if !primitives[t] {
			// A reference written as an object; Java ignores the rest.
			w.reference(fullName(defNS, t), outNS)
			return
		}
		if !w.hasProps(n, schemaReserved) {
			w.str(t)
			return
		}
		w.b = append(w.b, `{"type":`...)
		w.str(t)
		w.props(n, schemaReserved)
		w.b = append(w.b, '}')
	}
}

// define records that the named type full is being written in full.
func (w *canonicalWriter) define(full string) {
	if w.written != nil {
		w.written[full] = true
	}
}

// named opens a named type: type, name, namespace and doc.
func (w *canonicalWriter) named(n *node, t, full, space, enclosing string) {
	_, name := splitName(full)
	w.b = append(w.b, `{"type":`...)
	w.str(t)
	w.key("name")
	w.str(name)
	switch {
	case space != "" && space != enclosing:
		w.key("namespace")
		w.str(space)
	case space == "" && enclosing != "":
		w.key("namespace")
		w.str("")
	}
	if doc, ok := n.Get("doc").Text(); ok && !(w.norm && doc == "") {
		w.key("doc")
		w.str(doc)
	}
}

func (w *canonicalWriter) field(f *node, space string) {
	if f.Kind != jsontext.Object {
		w.b = appendValue(w.b, f, &w.vo)
		return
	}
	name, _ := f.Get("name").Text()
	w.b = append(w.b, `{"name":`...)
	w.str(name)
	w.key("type")
	if t := f.Get("type"); t != nil {
		w.typ(t, space)
	} else {
		w.b = append(w.b, "null"...)
	}
	if doc, ok := f.Get("doc").Text(); ok {
		w.key("doc")
		w.str(doc)
	}
	if d := f.Get("default"); d != nil {
		w.key("default")
		w.b = appendValue(w.b, d, &w.vo)
	}
	if o, ok := f.Get("order").Text(); ok && o != "ascending" {
		w.key("order")
		w.str(o)
	}
	if a := stringList(f.Get("aliases")); len(a) > 0 {
		if w.norm {
			slices.Sort(a)
		}
		w.key("aliases")
		w.list(a)
	}
	w.props(f, fieldReserved)
	w.b = append(w.b, '}')
}

// aliases writes a named type's aliases relative to its own namespace.
func (w *canonicalWriter) aliases(n *node, space string) {
	raw := stringList(n.Get("aliases"))
	if len(raw) == 0 {
		return
	}
	full := make([]string, 0, len(raw))
	seen := make(map[string]bool, len(raw))
	for _, a := range raw {
		f := fullName(space, a)
		if !seen[f] {
			seen[f] = true
			full = append(full, f)
		}
	}
	if w.norm {
		slices.Sort(full)
	}
	for i, f := range full {
		full[i] = qualify(f, space)
	}
	w.key("aliases")
	w.list(full)
}

func (w *canonicalWriter) list(items []string) {
	w.b = append(w.b, '[')
	for i, s := range items {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.str(s)
	}
	w.b = append(w.b, ']')
}

// stringList returns the distinct strings of a JSON array, in order.
func stringList(n *node) []string {
	if n == nil || n.Kind != jsontext.Array {
		return nil
	}
	out := make([]string, 0, len(n.Elems))
	var seen map[string]bool // once the list is long enough to need it
	for _, e := range n.Elems {
		if e.Kind != jsontext.String {
			continue
		}
		if seen == nil && len(out) >= 16 {
			seen = make(map[string]bool, len(n.Elems))
			for _, s := range out {
				seen[s] = true
			}
		}
		if seen != nil {
			if !seen[e.Str] {
				seen[e.Str] = true
				out = append(out, e.Str)
			}
		} else if !slices.Contains(out, e.Str) {
			out = append(out, e.Str)
		}
	}
	return out
}

func (w *canonicalWriter) hasProps(n *node, reserved map[string]bool) bool {
	for _, m := range n.Members {
		if !reserved[m.Key] {
			return true
		}
	}
	return false
}

// props writes the custom properties of n: every key the type does not
// reserve.
func (w *canonicalWriter) props(n *node, reserved map[string]bool) {
	idx := make([]int, 0, len(n.Members))
	for i, m := range n.Members {
		if !reserved[m.Key] {
			idx = append(idx, i)
		}
	}
	if w.norm {
		slices.SortFunc(idx, func(a, b int) int { return comparePropKeys(n.Members[a].Key, n.Members[b].Key) })
	}
	for _, i := range idx {
		w.key(n.Members[i].Key)
		w.b = appendValue(w.b, n.Members[i].Value, &w.vo)
	}
}

// comparePropKeys orders property keys for the normalized form: the logical
// type keys first, as Confluent writes them, then the rest by key.
func comparePropKeys(a, b string) int {
	ra, rb := logicalRank(a), logicalRank(b)
	if ra != rb {
		return ra - rb
	}
	return strings.Compare(a, b)
}

func logicalRank(k string) int {
	switch k {
	case "logicalType":
		return 0
	case "precision":
		return 1
	case "scale":
		return 2
	}
	return 3
}
