package avro

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	havro "github.com/hamba/avro/v2"
)

// Rule ids of the changes that keep a reader able to read what the writer
// wrote. Avro's resolution rules name only what breaks; these name the
// rest, so that a diff lists every change. A change compatible in this
// direction may still break the other one (an added enum symbol breaks old
// readers), which the diff in that direction reports by Avro's own names.
const (
	FieldAddedWithDefault = "FIELD_ADDED_WITH_DEFAULT"
	FieldRemoved          = "FIELD_REMOVED"
	FieldRenamedWithAlias = "FIELD_RENAMED_WITH_ALIAS"
	FieldAliasAdded       = "FIELD_ALIAS_ADDED"
	FieldDocChanged       = "FIELD_DOC_CHANGED"
	FieldDefaultChanged   = "FIELD_DEFAULT_CHANGED"
	DocChanged            = "DOC_CHANGED"
	AliasAdded            = "ALIAS_ADDED"
	EnumSymbolAdded       = "ENUM_SYMBOL_ADDED"
	EnumSymbolRemoved     = "ENUM_SYMBOL_REMOVED"
	TypePromoted          = "TYPE_PROMOTED"
	UnionBranchAdded      = "UNION_BRANCH_ADDED"
	TypeWidenedToUnion    = "TYPE_WIDENED_TO_UNION"
)

// note is one compatible change, located in the reader.
type note struct {
	rule string
	loc  []string
	msg  string
}

// notes lists the compatible changes from writer w to reader r at loc.
// Pairs of records already visited are skipped, which ends recursion
// through self-referencing types.
func (c *checker) notes(r, w havro.Schema, loc []string, seen map[pair]bool) []note {
	r, w = deref(r), deref(w)
	rt, wt := javaType(r), javaType(w)
	at := func(toks ...string) []string { return append(slices.Clone(loc), toks...) }
	if rt != wt {
		if _, ok := w.(*havro.UnionSchema); ok {
			return nil
		}
		if ru, ok := r.(*havro.UnionSchema); ok {
			for i, b := range ru.Types() {
				if len(c.compat(b, w)) == 0 {
					out := []note{{TypeWidenedToUnion, loc, fmt.Sprintf("the %s at '%s' became the union %s; the old values are read as its branch %d", typeName(w), pointer(loc), unionNames(ru), i)}}
					return append(out, c.notes(b, w, at(strconv.Itoa(i)), seen)...)
				}
			}
			return nil
		}
		if promotes(wt, rt) {
			return []note{{TypePromoted, loc, fmt.Sprintf("the type at '%s' was promoted from %s to %s; old values are converted when read", pointer(loc), strings.ToLower(wt), strings.ToLower(rt))}}
		}
		return nil
	}
	switch rt {
	case "RECORD":
		rr, wr := r.(*havro.RecordSchema), w.(*havro.RecordSchema)
		if seen[pair{rr, wr}] {
			return nil
		}
		seen[pair{rr, wr}] = true
		return c.recordNotes(rr, wr, loc, seen)
	case "ENUM":
		re, we := r.(*havro.EnumSchema), w.(*havro.EnumSchema)
		out := namedNotes(re, we, re.Doc(), we.Doc(), loc)
		inWriter := memberOf(we.Symbols())
		for _, s := range re.Symbols() {
			if !inWriter(s) {
				out = append(out, note{EnumSymbolAdded, at("symbols"), fmt.Sprintf("the enum %s at '%s' gained the symbol '%s'", re.FullName(), pointer(loc), s)})
			}
		}
		if re.HasDefault() {
			inReader := memberOf(re.Symbols())
			for _, s := range we.Symbols() {
				if !inReader(s) {
					out = append(out, note{EnumSymbolRemoved, at("symbols"), fmt.Sprintf("the enum %s at '%s' lost the symbol '%s'; old values of it are read as the default '%s'", re.FullName(), pointer(loc), s, re.Default())})
				}
			}
		}
		return out
	case "FIXED":
		rf, wf := r.(*havro.FixedSchema), w.(*havro.FixedSchema)
		return namedNotes(rf, wf, "", "", loc)
	case "ARRAY":
		return c.notes(r.(*havro.ArraySchema).Items(), w.(*havro.ArraySchema).Items(), at("items"), seen)
	case "MAP":
		return c.notes(r.(*havro.MapSchema).Values(), w.(*havro.MapSchema).Values(), at("values"), seen)
	case "UNION":
		ru, wu := r.(*havro.UnionSchema), w.(*havro.UnionSchema)
		var out []note
		for i, rb := range ru.Types() {
			j := sameBranch(wu, rb)
			if j < 0 {
				out = append(out, note{UnionBranchAdded, at(strconv.Itoa(i)), fmt.Sprintf("the union at '%s' gained the branch %s", pointer(loc), typeName(rb))})
				continue
			}
			out = append(out, c.notes(rb, wu.Types()[j], at(strconv.Itoa(i)), seen)...)
		}
		return out
	}
	return nil
}

func (c *checker) recordNotes(r, w *havro.RecordSchema, loc []string, seen map[pair]bool) []note {
	out := namedNotes(r, w, r.Doc(), w.Doc(), loc)
	matched := map[string]bool{}
	for i, rf := range r.Fields() {
		floc := append(slices.Clone(loc), "fields", strconv.Itoa(i))
		p := pointer(floc)
		wf, ambiguous := c.writerField(w, i, rf)
		switch {
		case ambiguous != nil:
			// An incompatibility, which the checker reports; the writer
			// fields it names were not removed.
			for _, n := range ambiguous {
				matched[n] = true
			}
			continue
		case wf == nil:
			if c.reader.hasDefault(r, rf) {
				out = append(out, note{FieldAddedWithDefault, floc, fmt.Sprintf("the field '%s' at '%s' was added with a default; old data reads it as %s", rf.Name(), p, defaultText(rf))})
			}
			continue
		}
		matched[wf.Name()] = true
		if wf.Name() != rf.Name() {
			out = append(out, note{FieldRenamedWithAlias, floc, fmt.Sprintf("the field '%s' was renamed to '%s' at '%s'; its alias reads the old name", wf.Name(), rf.Name(), p)})
		}
		// The alias that reads the old name is the rename, not news.
		if added := missing(rf.Aliases(), append(slices.Clone(wf.Aliases()), wf.Name())); len(added) > 0 {
			out = append(out, note{FieldAliasAdded, floc, fmt.Sprintf("the field '%s' at '%s' gained the aliases %s", rf.Name(), p, strings.Join(added, ", "))})
		}
		if rf.Doc() != wf.Doc() {
			out = append(out, note{FieldDocChanged, floc, fmt.Sprintf("the doc of the field '%s' at '%s' changed", rf.Name(), p)})
		}
		if rf.HasDefault() && wf.HasDefault() && defaultText(rf) != defaultText(wf) {
			out = append(out, note{FieldDefaultChanged, floc, fmt.Sprintf("the default of the field '%s' at '%s' changed from %s to %s", rf.Name(), p, defaultText(wf), defaultText(rf))})
		}
		out = append(out, c.notes(rf.Type(), wf.Type(), append(floc, "type"), seen)...)
	}
	for i, wf := range w.Fields() {
		if !matched[wf.Name()] {
			out = append(out, note{FieldRemoved, loc, fmt.Sprintf("the field '%s' (at /fields/%d of the old record %s) was removed; new readers skip it", wf.Name(), i, w.FullName())})
		}
	}
	return out
}

// namedNotes reports a changed doc and added aliases of a named type.
func namedNotes(r, w havro.NamedSchema, rdoc, wdoc string, loc []string) []note {
	var out []note
	if rdoc != wdoc {
		out = append(out, note{DocChanged, loc, fmt.Sprintf("the doc of %s at '%s' changed", r.FullName(), pointer(loc))})
	}
	if added := missing(r.Aliases(), w.Aliases()); len(added) > 0 {
		out = append(out, note{AliasAdded, loc, fmt.Sprintf("%s at '%s' gained the aliases %s", r.FullName(), pointer(loc), strings.Join(added, ", "))})
	}
	return out
}

// missing lists the entries of have that old lacks.
func missing(have, old []string) []string {
	var out []string
	inOld := memberOf(old)
	for _, a := range have {
		if !inOld(a) {
			out = append(out, a)
		}
	}
	return out
}

// promotes reports whether Avro reads writer type w as reader type r by
// promotion.
func promotes(w, r string) bool {
	switch r {
	case "LONG":
		return w == "INT"
	case "FLOAT":
		return w == "INT" || w == "LONG"
	case "DOUBLE":
		return w == "INT" || w == "LONG" || w == "FLOAT"
	case "BYTES":
		return w == "STRING"
	case "STRING":
		return w == "BYTES"
	}
	return false
}

// sameBranch finds the branch of u with the type (and, for named types,
// the name) of b, or -1.
func sameBranch(u *havro.UnionSchema, b havro.Schema) int {
	b = deref(b)
	for i, x := range u.Types() {
		x = deref(x)
		if javaType(x) != javaType(b) {
			continue
		}
		xn, ok1 := x.(havro.NamedSchema)
		bn, ok2 := b.(havro.NamedSchema)
		if !ok1 || !ok2 || xn.Name() == bn.Name() {
			return i
		}
	}
	return -1
}

func typeName(s havro.Schema) string {
	s = deref(s)
	if n, ok := s.(havro.NamedSchema); ok {
		return strings.ToLower(javaType(s)) + " " + n.FullName()
	}
	return strings.ToLower(javaType(s))
}

func unionNames(u *havro.UnionSchema) string {
	names := make([]string, 0, len(u.Types()))
	for _, t := range u.Types() {
		names = append(names, typeName(t))
	}
	return "[" + strings.Join(names, ", ") + "]"
}

// defaultText renders a field's default as JSON.
func defaultText(f *havro.Field) string {
	d := f.Default()
	if d == nil {
		return "null"
	}
	b, err := json.Marshal(d)
	if err != nil {
		return fmt.Sprint(d)
	}
	return string(b)
}
