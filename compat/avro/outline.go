package avro

import (
	"strconv"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/internal/jsontext"
)

// Schema describes itself for design checks.
var _ compat.Outliner = (*Schema)(nil)

// idiom words design findings in the format's terms.
var idiom = &compat.Idiom{
	Record:   "record",
	RootPath: "/",
	Doc:      `a "doc"`,
	Time: map[string]string{
		"int": `give it "logicalType": "date" (or a long with "timestamp-millis")`,
		"":    `make it a long with "logicalType": "timestamp-millis" (or "timestamp-micros", or an int with "date")`,
	},
	Decimal: `use bytes with "logicalType": "decimal" and a precision and scale, or a long of minor units`,
	PII:     `add "confluent:tags": ["PII"] to the field`,
}

// Outline describes the records and enums this text declares, with their
// docs, "confluent:tags" and positions, for design checks. Paths are JSON
// pointers into the text (/fields/2/type). Names defined in a dependency
// appear as types of fields but are not outlined.
func (s *Schema) Outline() *compat.Outline {
	o := &outliner{s: s, out: &compat.Outline{Idiom: idiom}, seen: map[*node]bool{}}
	o.out.Root = o.typ(s.tree, "", "", true)
	o.out.RootLine, o.out.RootColumn = s.lineCol(s.tree.Off)
	return o.out
}

type outliner struct {
	s    *Schema
	out  *compat.Outline
	seen map[*node]bool
}

func (o *outliner) pos(n *node, path string) compat.Pos {
	line, col := o.s.lineCol(n.Off)
	if path == "" {
		path = "/"
	}
	return compat.Pos{Path: path, Line: line, Column: col}
}

func docOf(n *node) compat.Doc {
	d, _ := n.Get("doc").Text()
	var notes []string
	if d != "" {
		notes = []string{d}
	}
	return compat.Doc{Text: d, Notes: notes}
}

func (o *outliner) typ(n *node, ns, path string, top bool) compat.TypeRef {
	switch n.Kind {
	case jsontext.String:
		return o.named(n.Str, ns)
	case jsontext.Array:
		t := compat.TypeRef{Kind: "union"}
		for i, e := range n.Elems {
			b := o.typ(e, ns, path+"/"+strconv.Itoa(i), top)
			if b.Kind == "null" {
				t.Nullable = true
				continue
			}
			t.Branches = append(t.Branches, b)
		}
		if len(t.Branches) == 1 && t.Nullable {
			b := t.Branches[0]
			b.Nullable = true
			return b
		}
		return t
	case jsontext.Object:
	default:
		return compat.TypeRef{Kind: "any"}
	}
	t, _ := n.Get("type").Text()
	logical, _ := n.Get("logicalType").Text()
	switch t {
	case "record", "error":
		return o.record(n, ns, path, top)
	case "enum":
		return o.enum(n, ns, path)
	case "fixed":
		full, _, _ := definedName(n, ns)
		if logical == "decimal" {
			return compat.TypeRef{Kind: "decimal", Name: full, Logical: logical}
		}
		return compat.TypeRef{Kind: "fixed", Name: full, Logical: logical}
	case "array":
		if items := n.Get("items"); items != nil {
			o.typ(items, ns, path+"/items", false)
		}
		return compat.TypeRef{Kind: "array"}
	case "map":
		if values := n.Get("values"); values != nil {
			o.typ(values, ns, path+"/values", false)
		}
		return compat.TypeRef{Kind: "map"}
	}
	if primitives[t] {
		if t == "bytes" && logical == "decimal" {
			return compat.TypeRef{Kind: "decimal", Logical: logical}
		}
		return compat.TypeRef{Kind: t, Logical: logical}
	}
	return o.named(t, ns)
}

// named is a reference by name: a primitive, or a type defined earlier in
// this text or in a dependency.
func (o *outliner) named(name, ns string) compat.TypeRef {
	if primitives[name] {
		return compat.TypeRef{Kind: name}
	}
	full := fullName(ns, name)
	def := o.s.defs[full]
	if def == nil {
		return compat.TypeRef{Kind: "record", Name: full}
	}
	t, _ := def.Get("type").Text()
	switch t {
	case "enum":
		return compat.TypeRef{Kind: "enum", Name: full}
	case "fixed":
		if l, _ := def.Get("logicalType").Text(); l == "decimal" {
			return compat.TypeRef{Kind: "decimal", Name: full, Logical: l}
		}
		return compat.TypeRef{Kind: "fixed", Name: full}
	}
	return compat.TypeRef{Kind: "record", Name: full}
}

func (o *outliner) record(n *node, ns, path string, top bool) compat.TypeRef {
	full, space, err := definedName(n, ns)
	if err != nil || o.seen[n] {
		return compat.TypeRef{Kind: "record", Name: full}
	}
	o.seen[n] = true
	_, simple := splitName(full)
	r := &compat.Record{Name: simple, FullName: full, Top: top, Named: true, Pos: o.pos(nameNode(n), path), Doc: docOf(n)}
	o.out.Records = append(o.out.Records, r)
	if fields := n.Get("fields"); fields != nil {
		for i, f := range fields.Elems {
			name, _ := f.Get("name").Text()
			fp := path + "/fields/" + strconv.Itoa(i)
			field := &compat.Field{Name: name, Pos: o.pos(f, fp), Doc: docOf(f), Tags: stringList(f.Get("confluent:tags"))}
			if d := f.Get("default"); d != nil {
				// The literal as written: 0.0 stays 0.0.
				field.Default = string(appendValue(nil, d, &valueOpts{rawNumbers: true}))
			}
			if ft := f.Get("type"); ft != nil {
				field.Type = o.typ(ft, space, fp+"/type", false)
			}
			r.Fields = append(r.Fields, field)
		}
	}
	return compat.TypeRef{Kind: "record", Name: full}
}

func (o *outliner) enum(n *node, ns, path string) compat.TypeRef {
	full, _, err := definedName(n, ns)
	if err != nil || o.seen[n] {
		return compat.TypeRef{Kind: "enum", Name: full}
	}
	o.seen[n] = true
	_, simple := splitName(full)
	e := &compat.Enum{Name: simple, FullName: full, Pos: o.pos(nameNode(n), path), Doc: docOf(n), HasDefaultNotion: true}
	e.Default, _ = n.Get("default").Text()
	if syms := n.Get("symbols"); syms != nil {
		for i, sym := range syms.Elems {
			e.Symbols = append(e.Symbols, compat.Symbol{Name: sym.Str, Pos: o.pos(sym, path+"/symbols/"+strconv.Itoa(i))})
		}
	}
	o.out.Enums = append(o.out.Enums, e)
	return compat.TypeRef{Kind: "enum", Name: full}
}

// nameNode is where a named type is best pointed at: its "name".
func nameNode(n *node) *node {
	if v := n.Get("name"); v != nil {
		return v
	}
	return n
}
