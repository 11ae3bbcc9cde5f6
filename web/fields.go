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
	// MoreRecords and MoreEnums count the tables left off past
	// maxTables; MoreFields and MoreSymbols the rows those hold.
	MoreRecords, MoreFields int
	MoreEnums, MoreSymbols  int
}

// A page shows at most this much of a schema's field table, so that a
// schema of tens of thousands of fields or symbols (well under the size
// limit) still gives a page that renders quickly and stays readable; each
// table says how many rows it leaves off, and the whole text is in the
// API. Rows are counted over all tables of one kind, so many small records
// are bounded as one large one is.
const (
	maxTables     = 100
	maxFieldRows  = 1000
	maxSymbolRows = 1000
)

type recordRows struct {
	Name string
	Doc  string
	Top  bool
	Rows []fieldRow
	// More is how many of the record's fields are not in Rows.
	More int
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
	// More is how many of the enum's symbols are not in Symbols.
	More int
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
	symbols := maxSymbolRows
	for i, e := range o.Enums {
		enums[e.FullName] = true
		if i >= maxTables {
			t.MoreEnums++
			t.MoreSymbols += len(e.Symbols)
			continue
		}
		er := enumRows{Name: e.FullName, Anchor: anchor(e.FullName), Doc: e.Doc.Text, Default: e.Default, Fallback: e.HasDefaultNotion}
		shown := min(len(e.Symbols), symbols)
		symbols -= shown
		er.More = len(e.Symbols) - shown
		er.Symbols = make([]symbolRow, 0, shown)
		for _, s := range e.Symbols[:shown] {
			er.Symbols = append(er.Symbols, symbolRow{Name: s.Name, Doc: s.Doc.Text})
		}
		t.Enums = append(t.Enums, er)
	}
	// FieldTags walks the same outline in the same order, one entry per
	// field.
	tagged := governance.FieldTags(parsed, md)
	n := 0
	rows := maxFieldRows
	for i, r := range o.Records {
		if i >= maxTables {
			t.MoreRecords++
			t.MoreFields += len(r.Fields)
			continue
		}
		rr := recordRows{Name: r.FullName, Doc: r.Doc.Text, Top: r.Top}
		shown := min(len(r.Fields), rows)
		rows -= shown
		rr.More = len(r.Fields) - shown
		rr.Rows = make([]fieldRow, 0, shown)
		for j, f := range r.Fields {
			if j >= shown {
				// The tag list has an entry for each field left off.
				n += len(r.Fields) - j
				break
			}
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
