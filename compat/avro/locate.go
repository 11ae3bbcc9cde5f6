package avro

import (
	"strings"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/internal/jsontext"
)

var _ compat.Locator = (*Schema)(nil)

// maxLocateDepth bounds the search for a named type's definition.
const maxLocateDepth = 512

// Locate follows path (/fields/2/type/fields/0) through from's text and the
// same place through this one: fields by name rather than by index, and a
// type given by name to its definition in the same text, so that a path
// computed against an earlier version lands on the same field here.
func (s *Schema) Locate(from compat.Schema, path string) (line, col int, ok bool) {
	old, isAvro := from.(*Schema)
	if !isAvro {
		return 0, 0, false
	}
	oldRoot, newRoot := old.tree, s.tree
	o, n := locDeref(oldRoot, oldRoot), locDeref(newRoot, newRoot)
	at := n
	prevKey := ""
	for _, seg := range compat.PointerTokens(path) {
		var on, nn *node
		switch o.Kind {
		case jsontext.Object:
			on, nn = o.Get(seg), n.Get(seg)
		case jsontext.Array:
			on = o.Index(seg)
			if prevKey == "fields" {
				nn = fieldByName(n, on)
			} else {
				nn = n.Index(seg)
			}
		}
		if on == nil || nn == nil {
			break
		}
		on, nn = locDeref(oldRoot, on), locDeref(newRoot, nn)
		o, n, at, prevKey = on, nn, nn, seg
	}
	line, col = s.lineCol(at.Off)
	return line, col, true
}

// fieldByName finds, in the new record's field list, the field with the
// old field's name.
func fieldByName(fields, old *node) *node {
	name := old.Get("name")
	if fields == nil || fields.Kind != jsontext.Array || name == nil {
		return nil
	}
	for _, f := range fields.Elems {
		if nm := f.Get("name"); nm != nil && nm.Str == name.Str {
			return f
		}
	}
	return nil
}

// locDeref follows a type given by name to the definition of that name in
// the same text, so that paths through named types can be walked.
func locDeref(root, n *node) *node {
	if n == nil || n.Kind != jsontext.String || primitives[n.Str] {
		return n
	}
	if def := findNamed(root, n.Str, 0); def != nil {
		return def
	}
	return n
}

// findNamed looks for a record, enum or fixed whose name (or full name)
// is name, comparing the last dotted part when namespaces differ in form.
func findNamed(n *node, name string, depth int) *node {
	if n == nil || depth > maxLocateDepth {
		return nil
	}
	switch n.Kind {
	case jsontext.Object:
		if nm := n.Get("name"); nm != nil && nm.Kind == jsontext.String {
			if t := n.Get("type"); t != nil && t.Kind == jsontext.String && (t.Str == "record" || t.Str == "error" || t.Str == "enum" || t.Str == "fixed") {
				full := nm.Str
				if ns := n.Get("namespace"); ns != nil && ns.Str != "" && !strings.Contains(full, ".") {
					full = ns.Str + "." + full
				}
				if full == name || lastDot(full) == lastDot(name) && !strings.Contains(name, ".") {
					return n
				}
			}
		}
		for _, m := range n.Members {
			if d := findNamed(m.Value, name, depth+1); d != nil {
				return d
			}
		}
	case jsontext.Array:
		for _, e := range n.Elems {
			if d := findNamed(e, name, depth+1); d != nil {
				return d
			}
		}
	}
	return nil
}

func lastDot(s string) string {
	if i := strings.LastIndexByte(s, '.'); i >= 0 {
		return s[i+1:]
	}
	return s
}
