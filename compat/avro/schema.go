package avro

import (
	"strconv"
	"sync"

	havro "github.com/hamba/avro/v2"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/internal/jsontext"
)

var _ compat.Renderer = (*Schema)(nil)

// Schema is a parsed Avro schema. It is immutable and safe for concurrent
// use.
type Schema struct {
	avro havro.Schema
	tree *node
	text string
	defs map[string]*node
	// refDefs are the named types the schema's references define.
	refDefs   map[string]*node
	canonical string
	// invalid holds the fields, of this text or its dependencies, whose
	// default hamba refused; they still count as having a default.
	invalid map[string]bool

	normOnce   sync.Once
	normalized string

	linesOnce sync.Once
	lines     *jsontext.Lines
}

// lineCol is the line and column of byte offset off of the text, from an
// index built on first use (outlines and lint findings ask once per
// field, and jsontext.LineCol scans from the start each time).
func (s *Schema) lineCol(off int) (line, col int) {
	s.linesOnce.Do(func() { s.lines = jsontext.NewLines(s.text) })
	return s.lines.LineCol(off)
}

// Canonical returns Confluent's canonical form (AvroSchema.canonicalString):
// compact JSON in Avro's key order that keeps docs, defaults, aliases and
// custom properties. Two texts are the same Confluent AvroSchema exactly
// when their canonical forms are equal. The rules are listed at the top of
// canonical.go.
func (s *Schema) Canonical() string { return s.canonical }

// Normalized returns the form used for normalize=true: the canonical form
// with custom properties sorted by key (logicalType, precision and scale
// first), object keys inside property and default values sorted, aliases
// sorted and de-duplicated, and empty docs on named types dropped. Field
// order, symbol order and union order are kept: they change the encoding.
func (s *Schema) Normalized() string {
	s.normOnce.Do(func() { s.normalized = writeCanonical(s.tree, true) })
	return s.normalized
}

// Render serves Confluent's Avro rendering "resolved": the canonical form
// with the types that references bring in written out in full where each
// is first used, so the text stands alone without its references (what
// Confluent's AvroSchema returns from Avro's Java Schema.toString()).
func (s *Schema) Render(name string) (string, bool, error) {
	switch name {
	case "resolved":
		if len(s.refDefs) == 0 {
			return s.canonical, true, nil
		}
		return writeResolved(s.tree, s.refDefs), true, nil
	}
	return "", false, nil
}

// Avro returns the schema as parsed by github.com/hamba/avro/v2, with
// references resolved, for encoding and decoding. Field defaults that
// hamba refuses (accepted without ValidateDefaults) are missing from it.
func (s *Schema) Avro() havro.Schema { return s.avro }

// FieldNames lists the fields of every record in the schema as dotted
// paths from the top (address.street), in declaration order. A record type
// that appears more than once is listed at its first appearance only, so
// the list stays small for recursive and heavily shared types.
func (s *Schema) FieldNames() []string {
	var out []string
	seen := map[*havro.RecordSchema]bool{}
	var walk func(havro.Schema, string)
	walk = func(t havro.Schema, prefix string) {
		switch t := deref(t).(type) {
		case *havro.RecordSchema:
			if seen[t] {
				return
			}
			seen[t] = true
			for _, f := range t.Fields() {
				p := f.Name()
				if prefix != "" {
					p = prefix + "." + p
				}
				out = append(out, p)
				walk(f.Type(), p)
			}
		case *havro.ArraySchema:
			walk(t.Items(), prefix)
		case *havro.MapSchema:
			walk(t.Values(), prefix)
		case *havro.UnionSchema:
			for _, b := range t.Types() {
				walk(b, prefix)
			}
		}
	}
	walk(s.avro, "")
	return out
}

// hasDefault reports whether field f of record rec declares a default.
func (s *Schema) hasDefault(rec *havro.RecordSchema, f *havro.Field) bool {
	return f.HasDefault() || s.invalid[defaultKey(rec.FullName(), f.Name())]
}

// position returns the 1-based line and column in the schema text of the
// node a compatibility location points at, following references to types
// defined in this text. It stops at the deepest node it can reach.
func (s *Schema) position(loc []string) (line, col int) {
	n, ns := s.resolve(s.tree, "")
	for _, tok := range loc {
		if n == nil {
			break
		}
		if t, _ := n.Get("type").Text(); t == "record" || t == "error" || t == "enum" || t == "fixed" {
			if _, space, err := definedName(n, ns); err == nil {
				ns = space
			}
		}
		var next *node
		switch n.Kind {
		case jsontext.Array:
			if i, err := strconv.Atoi(tok); err == nil && i >= 0 && i < len(n.Elems) {
				next = n.Elems[i]
			}
		case jsontext.Object:
			next = n.Get(tok)
		}
		if next == nil {
			break
		}
		switch tok {
		case "name", "symbols", "size", "fields":
			n = next
		default:
			n, ns = s.resolve(next, ns)
		}
	}
	if n == nil {
		return 0, 0
	}
	return s.lineCol(n.Off)
}

// resolve follows a reference by name to its definition in this text.
func (s *Schema) resolve(n *node, ns string) (*node, string) {
	name := ""
	switch {
	case n.Kind == jsontext.String:
		name = n.Str
	case n.Kind == jsontext.Object:
		if t, ok := n.Get("type").Text(); ok && n.Get("name") == nil && !primitives[t] {
			switch t {
			case "array", "map", "record", "error", "enum", "fixed":
			default:
				name = t
			}
		}
	}
	if name == "" || primitives[name] {
		return n, ns
	}
	full := fullName(ns, name)
	if def := s.defs[full]; def != nil {
		// Any enclosing namespace that gives the definition its full name
		// will do; the definition's own namespace always does.
		space, _ := splitName(full)
		return def, space
	}
	return n, ns
}
