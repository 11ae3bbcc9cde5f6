package web

import (
	"strings"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/governance"
	"github.com/charter-registry/charter/registry"
)

// fieldTable is what one schema version declares, laid out for reading:
// every record with its fields and every enum with its symbols, from the
// format's compat.Outline, so the three formats look alike.
type fieldTable struct {
	Records []recordRows
	Enums   []enumRows
}

type recordRows struct {
	Name string
	Doc  string
	Top  bool
	Rows []fieldRow
}

type fieldRow struct {
	Name    string
	Type    string
	Default string
	Doc     string
	Tags    []string
	// Enum is the full name of the field's enum type, which the table
	// links to its symbols.
	Enum string
}

type enumRows struct {
	Name     string
	Anchor   string
	Doc      string
	Default  string
	Symbols  []symbolRow
	Fallback bool
}

type symbolRow struct {
	Name string
	Doc  string
}

// Empty reports whether the schema declares nothing to tabulate (a key
// schema that is a bare "string", say).
func (t *fieldTable) Empty() bool { return t == nil || len(t.Records)+len(t.Enums) == 0 }

// fieldsView is a field table placed on a page: Prefix starts its enum
// anchors, so that each version's tables on one page have ids of their
// own while the table itself is cached once per schema id.
type fieldsView struct {
	Prefix string
	*fieldTable
}

// buildFieldTable lays out parsed's outline. Tags are what the API's
// GET /v1/catalog/topics/{topic}/fields gives (governance.FieldTags): the
// field's inline tags plus those the version's metadata assigns to its
// path (Record.field, with Confluent's * and ** wildcards).
func buildFieldTable(parsed compat.Schema, md *registry.Metadata) *fieldTable {
	ol, ok := parsed.(compat.Outliner)
	if !ok {
		return nil
	}
	o := ol.Outline()
	t := &fieldTable{}
	enums := map[string]bool{}
	for _, e := range o.Enums {
		enums[e.FullName] = true
		er := enumRows{Name: e.FullName, Anchor: anchor(e.FullName), Doc: e.Doc.Text, Default: e.Default, Fallback: e.HasDefaultNotion}
		for _, s := range e.Symbols {
			er.Symbols = append(er.Symbols, symbolRow{Name: s.Name, Doc: s.Doc.Text})
		}
		t.Enums = append(t.Enums, er)
	}
	// FieldTags walks the same outline in the same order, one entry per
	// field.
	tagged := governance.FieldTags(parsed, md)
	n := 0
	for _, r := range o.Records {
		rr := recordRows{Name: r.FullName, Doc: r.Doc.Text, Top: r.Top}
		for _, f := range r.Fields {
			row := fieldRow{Name: f.Name, Type: typeLabel(f.Type), Default: f.Default, Doc: f.Doc.Text, Tags: f.Tags}
			if n < len(tagged) && tagged[n].Record == r.FullName && tagged[n].Name == f.Name {
				row.Tags = tagged[n].Tags
			}
			n++
			if f.Type.Kind == "enum" && enums[f.Type.Name] {
				row.Enum = anchor(f.Type.Name)
			}
			rr.Rows = append(rr.Rows, row)
		}
		t.Records = append(t.Records, rr)
	}
	return t
}

// anchor is a fragment id for an enum's table; names are dotted
// identifiers in Avro and Protobuf, anything in JSON Schema.
func anchor(name string) string {
	var b strings.Builder
	b.WriteString("enum-")
	for _, r := range name {
		if r == '.' || r == '-' || r == '_' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// typeLabel writes a field's type the way a reader of any format follows
// it: the named type or the kind, its logical meaning, and whether it may
// be null.
func typeLabel(t compat.TypeRef) string {
	var s string
	switch {
	case t.Kind == "union":
		parts := make([]string, len(t.Branches))
		for i, b := range t.Branches {
			parts[i] = typeLabel(b)
		}
		s = strings.Join(parts, " | ")
	case t.Name != "" && t.Kind != "decimal":
		s = t.Name
		if t.Kind == "enum" {
			s = "enum " + s
		}
	default:
		s = t.Kind
	}
	if t.Logical != "" && t.Logical != t.Name {
		s += " (" + t.Logical + ")"
	}
	if t.Nullable {
		s += ", nullable"
	}
	return s
}

// fields returns the field table of stored schema s, from the render cache
// when it has it: a schema id's text and metadata never change, and
// parsing a schema the registry's parse cache no longer holds is most of
// the table's cost. It is nil when the schema does not parse.
func (c *Catalogue) fields(s registry.Schema, typ compat.Type, prefix string) fieldsView {
	r := c.cache.get(keyOf(s), c.syntax(typ), s.Schema)
	r.fieldsOnce.Do(func() {
		if parsed, _, err := c.svc.SchemaOfIDIn(registry.SubjectContext(s.Subject), s.ID); err == nil {
			r.fields = buildFieldTable(parsed, s.Metadata)
		}
	})
	return fieldsView{Prefix: prefix, fieldTable: r.fields}
}
