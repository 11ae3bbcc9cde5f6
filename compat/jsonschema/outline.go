package jsonschema

import (
	"strconv"
	"strings"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/internal/jsontext"
)

// Schema describes itself for design checks.
var _ compat.Outliner = (*Schema)(nil)

// idiom words design findings in the format's terms.
var idiom = &compat.Idiom{
	Record:   "object",
	RootPath: "#",
	Doc:      `a "description"`,
	Time:     map[string]string{"": `give it "type": "string" with "format": "date-time" (or "date")`},
	Decimal:  "use a string with a decimal pattern, or an integer of minor units (amountCents)",
	PII:      `add "confluent:tags": ["PII"] to the field`,
}

// Outline describes the objects and enums the schema text declares, with
// their descriptions, "$comment"s, "confluent:tags" and positions, for
// design checks. An object is named by its "title", else by the property
// or definition that holds it; paths are JSON pointers (#/properties/id).
// A "$ref" within the text is followed by name, not outlined twice.
func (s *Schema) Outline() *compat.Outline {
	o := &jsOutliner{doc: s.main, out: &compat.Outline{Idiom: idiom}, seen: map[*value]bool{}}
	root := s.main.root
	o.out.Root = o.typ(root, "#", "", true)
	p := o.pos(root, "#")
	o.out.RootLine, o.out.RootColumn = p.Line, p.Column
	for _, kw := range []string{"definitions", "$defs"} {
		if defs := root.Get(kw); defs != nil && defs.Kind == jsontext.Object {
			for _, m := range defs.Members {
				o.typ(m.Value, "#/"+kw+"/"+escapePointer(m.Key), m.Key, false)
			}
		}
	}
	return o.out
}

type jsOutliner struct {
	doc  *document
	out  *compat.Outline
	seen map[*value]bool
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func (o *jsOutliner) pos(v *value, path string) compat.Pos {
	line, col := o.doc.lineCol(v.Off)
	return compat.Pos{Path: path, Line: line, Column: col}
}

func jsDoc(v *value) compat.Doc {
	d, _ := v.Get("description").Text()
	if d == "" {
		d, _ = v.Get("title").Text()
	}
	var notes []string
	if c, ok := v.Get("$comment").Text(); ok && c != "" {
		notes = append(notes, c)
	}
	return compat.Doc{Text: d, Notes: notes}
}

func jsStrings(v *value) []string {
	if v == nil {
		return nil
	}
	if s, ok := v.Text(); ok {
		return []string{s}
	}
	var out []string
	for _, e := range v.Elems {
		if s, ok := e.Text(); ok {
			out = append(out, s)
		}
	}
	return out
}

// typ describes the schema v at path; name is what holds it (a property
// or definition name) for naming an untitled object or enum.
func (o *jsOutliner) typ(v *value, path, name string, top bool) compat.TypeRef {
	if v == nil || v.Kind != jsontext.Object {
		return compat.TypeRef{Kind: "any"}
	}
	if ref, ok := v.Get("$ref").Text(); ok {
		target := ref[strings.LastIndexByte(ref, '/')+1:]
		return compat.TypeRef{Kind: "record", Name: target}
	}
	for _, kw := range []string{"oneOf", "anyOf"} {
		if alts := v.Get(kw); alts != nil && alts.Kind == jsontext.Array && !v.Has("properties") && allConst(alts) {
			o.constEnum(v, alts, path+"/"+kw, name)
			return compat.TypeRef{Kind: "enum", Name: enumName(v, name)}
		}
		if alts := v.Get(kw); alts != nil && alts.Kind == jsontext.Array && !v.Has("properties") {
			t := compat.TypeRef{Kind: "union"}
			for i, a := range alts.Elems {
				b := o.typ(a, path+"/"+kw+"/"+strconv.Itoa(i), name, top)
				if b.Kind == "null" {
					t.Nullable = true
					continue
				}
				t.Branches = append(t.Branches, b)
			}
			if len(t.Branches) == 1 {
				b := t.Branches[0]
				b.Nullable = b.Nullable || t.Nullable
				return b
			}
			return t
		}
	}
	types := jsStrings(v.Get("type"))
	t := compat.TypeRef{}
	for _, ty := range types {
		if ty == "null" {
			t.Nullable = true
			continue
		}
		if t.Kind == "" {
			t.Kind = ty
		}
	}
	t.Logical, _ = v.Get("format").Text()
	switch t.Kind {
	case "integer":
		t.Kind = "long"
	case "number":
		t.Kind = "double"
	}
	if v.Has("enum") {
		o.enum(v, path, name)
		return compat.TypeRef{Kind: "enum", Name: name, Nullable: t.Nullable}
	}
	if t.Kind == "object" || (t.Kind == "" && v.Has("properties")) {
		o.record(v, path, name, top)
		nameOf := name
		if title, ok := v.Get("title").Text(); ok && title != "" {
			nameOf = title
		}
		return compat.TypeRef{Kind: "record", Name: nameOf, Nullable: t.Nullable}
	}
	if t.Kind == "array" {
		if items := v.Get("items"); items != nil {
			o.typ(items, path+"/items", name, false)
		}
	}
	if t.Kind == "" {
		t.Kind = "any"
	}
	return t
}

func (o *jsOutliner) record(v *value, path, name string, top bool) {
	if o.seen[v] {
		return
	}
	o.seen[v] = true
	r := &compat.Record{Name: name, FullName: name, Top: top, Pos: o.pos(titleNode(v), path), Doc: jsDoc(v)}
	if title, ok := v.Get("title").Text(); ok && title != "" {
		r.Name, r.FullName, r.Named = title, title, true
	}
	o.out.Records = append(o.out.Records, r)
	props := v.Get("properties")
	if props == nil || props.Kind != jsontext.Object {
		return
	}
	for _, m := range props.Members {
		fp := path + "/properties/" + escapePointer(m.Key)
		line, col := o.doc.lineCol(m.Off)
		f := &compat.Field{Name: m.Key, Pos: compat.Pos{Path: fp, Line: line, Column: col}, Tags: jsStrings(m.Value.Get("confluent:tags"))}
		if m.Value.Kind == jsontext.Object {
			f.Doc = jsDoc(m.Value)
			if d := m.Value.Get("default"); d != nil {
				f.Default = compactString(d, false)
			}
		}
		f.Type = o.typ(m.Value, fp, m.Key, false)
		r.Fields = append(r.Fields, f)
	}
}

func (o *jsOutliner) enum(v *value, path, name string) {
	if o.seen[v] {
		return
	}
	o.seen[v] = true
	e := &compat.Enum{Name: name, FullName: name, Pos: o.pos(titleNode(v), path), Doc: jsDoc(v)}
	if title, ok := v.Get("title").Text(); ok && title != "" {
		e.Name, e.FullName = title, title
	}
	for i, s := range v.Get("enum").Elems {
		if str, ok := s.Text(); ok {
			e.Symbols = append(e.Symbols, compat.Symbol{Name: str, Pos: o.pos(s, path+"/enum/"+strconv.Itoa(i))})
		}
	}
	o.out.Enums = append(o.out.Enums, e)
}

// allConst reports whether every alternative of a oneOf or anyOf is a
// "const": the JSON Schema way of listing symbols that each have their
// own description.
func allConst(alts *value) bool {
	if len(alts.Elems) == 0 {
		return false
	}
	for _, a := range alts.Elems {
		if _, ok := a.Get("const").Text(); !ok {
			return false
		}
	}
	return true
}

func enumName(v *value, name string) string {
	if title, ok := v.Get("title").Text(); ok && title != "" {
		return title
	}
	return name
}

// constEnum outlines a oneOf or anyOf of string consts as an enum whose
// symbols carry each alternative's description (or title).
func (o *jsOutliner) constEnum(v, alts *value, path, name string) {
	if o.seen[v] {
		return
	}
	o.seen[v] = true
	full := enumName(v, name)
	e := &compat.Enum{Name: full, FullName: full, Pos: o.pos(titleNode(v), path), Doc: jsDoc(v)}
	for i, a := range alts.Elems {
		c := a.Get("const")
		str, _ := c.Text()
		e.Symbols = append(e.Symbols, compat.Symbol{Name: str, Pos: o.pos(c, path+"/"+strconv.Itoa(i)+"/const"), Doc: jsDoc(a)})
	}
	o.out.Enums = append(o.out.Enums, e)
}

// titleNode is where an object is best pointed at: its "title" when it
// has one.
func titleNode(v *value) *value {
	if t := v.Get("title"); t != nil {
		return t
	}
	return v
}
