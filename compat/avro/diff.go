package avro

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/charter-registry/charter/compat"
	havro "github.com/hamba/avro/v2"
)

// Confluent's names for Avro incompatibilities: Avro's
// SchemaCompatibility.SchemaIncompatibilityType.
const (
	NameMismatch                   = "NAME_MISMATCH"
	FixedSizeMismatch              = "FIXED_SIZE_MISMATCH"
	MissingEnumSymbols             = "MISSING_ENUM_SYMBOLS"
	ReaderFieldMissingDefaultValue = "READER_FIELD_MISSING_DEFAULT_VALUE"
	TypeMismatch                   = "TYPE_MISMATCH"
	MissingUnionBranch             = "MISSING_UNION_BRANCH"
)

// Diff lists what stops update, as reader, from decoding data written with
// original: Avro's schema resolution rules, checked the way Avro's Java
// SchemaCompatibility checks them, which is what Confluent runs. The
// incompatible changes come first; then the compatible ones (a field added
// with a default, a field removed, a doc or alias change, an enum symbol
// added, a promotion), marked Compatible, with our own rule ids
// (FIELD_ADDED_WITH_DEFAULT, ...) since Avro names none. Kind and Rule are Confluent's
// SchemaIncompatibilityType, Path its JSON-pointer location in the reader
// (/fields/1/type, /symbols, / for the root), Message Confluent's
// description, in which "new" is update and "old" is original, and Line and
// Column point into update's text where the location can be followed there.
//
// The walk is our own over hamba's parsed types; hamba's SchemaCompatibility
// is not used because it caches results by a fingerprint that ignores
// defaults and aliases.
func (f *Format) Diff(original, update compat.Schema, opts compat.Options) []compat.Change {
	w, ok1 := original.(*Schema)
	r, ok2 := update.(*Schema)
	if !ok1 || !ok2 || w == nil || r == nil || w.avro == nil || r.avro == nil {
		return []compat.Change{{
			Kind: TypeMismatch, Rule: TypeMismatch, Path: "/",
			Message: "cannot compare: both schemas must be Avro schemas parsed by this package",
		}}
	}
	c := &checker{reader: r, memo: map[pair]*memoEntry{}, fields: map[*havro.RecordSchema]map[string]int{}}
	found := c.compat(r.avro, w.avro)
	out := make([]compat.Change, 0, len(found))
	for _, in := range found {
		path := pointer(in.loc)
		line, col := r.position(in.loc)
		out = append(out, compat.Change{
			Kind:    in.kind,
			Rule:    in.kind,
			Path:    path,
			Message: message(in, path),
			Line:    line,
			Column:  col,
		})
	}
	// Then what changed without breaking, so that a diff lists every
	// change; compat.Check keeps only the incompatible ones.
	if opts.IncompatibleOnly {
		return out
	}
	for _, n := range c.notes(r.avro, w.avro, nil, map[pair]bool{}) {
		line, col := r.position(n.loc)
		out = append(out, compat.Change{Kind: n.rule, Rule: n.rule, Path: pointer(n.loc), Message: n.msg, Line: line, Column: col, Compatible: true})
	}
	return out
}

// incompat is one incompatibility with its location relative to the pair
// of schemas being compared.
type incompat struct {
	kind string
	loc  []string
	// info is Avro's message for the incompatibility: the field name, the
	// missing symbols, "expected: ...".
	info string
	// readerType and writerType stand for info on a type mismatch
	// ("reader type: X not compatible with writer type: Y").
	readerType, writerType string
}

type pair struct{ reader, writer havro.Schema }

type memoEntry struct {
	done  bool
	found []incompat
}

// checker compares one reader with one writer. Results for record pairs
// are memoized by identity; a pair met again while it is still being
// compared counts as compatible, which ends recursion through
// self-referencing types, exactly as Avro's checker does. Memoized
// locations are relative, so a record type used in two places is reported
// at each.
type checker struct {
	reader *Schema
	memo   map[pair]*memoEntry
	fields map[*havro.RecordSchema]map[string]int
}

func (c *checker) compat(r, w havro.Schema) []incompat {
	r, w = deref(r), deref(w)
	rr, rok := r.(*havro.RecordSchema)
	wr, wok := w.(*havro.RecordSchema)
	if !rok || !wok {
		return c.calculate(r, w)
	}
	key := pair{rr, wr}
	if e, ok := c.memo[key]; ok {
		if !e.done {
			return nil
		}
		return e.found
	}
	e := &memoEntry{}
	c.memo[key] = e
	e.found = c.records(rr, wr)
	e.done = true
	return e.found
}

func (c *checker) calculate(r, w havro.Schema) []incompat {
	rt, wt := javaType(r), javaType(w)
	if rt == wt {
		switch rt {
		case "ARRAY":
			return under("items", c.compat(r.(*havro.ArraySchema).Items(), w.(*havro.ArraySchema).Items()))
		case "MAP":
			return under("values", c.compat(r.(*havro.MapSchema).Values(), w.(*havro.MapSchema).Values()))
		case "FIXED":
			rf, wf := r.(*havro.FixedSchema), w.(*havro.FixedSchema)
			out := checkName(rf, wf)
			if rf.Size() != wf.Size() {
				out = append(out, incompat{kind: FixedSizeMismatch, loc: []string{"size"},
					info: fmt.Sprintf("expected: %d, found: %d", wf.Size(), rf.Size())})
			}
			return out
		case "ENUM":
			re, we := r.(*havro.EnumSchema), w.(*havro.EnumSchema)
			return append(checkName(re, we), enumSymbols(re, we)...)
		case "UNION":
			var out []incompat
			for i, wb := range w.(*havro.UnionSchema).Types() {
				if len(c.compat(r, wb)) > 0 {
					out = append(out, incompat{kind: MissingUnionBranch, loc: []string{strconv.Itoa(i)},
						info: "reader union lacking writer type: " + javaType(deref(wb))})
				}
			}
			return out
		default: // primitives, and records handled by compat
			return nil
		}
	}
	if wu, ok := w.(*havro.UnionSchema); ok {
		// Every branch the writer may have written must be readable.
		var out []incompat
		for i, wb := range wu.Types() {
			out = append(out, under(strconv.Itoa(i), c.compat(r, wb))...)
		}
		return out
	}
	switch rt {
	case "LONG":
		if wt == "INT" {
			return nil
		}
	case "FLOAT":
		if wt == "INT" || wt == "LONG" {
			return nil
		}
	case "DOUBLE":
		if wt == "INT" || wt == "LONG" || wt == "FLOAT" {
			return nil
		}
	case "BYTES":
		if wt == "STRING" {
			return nil
		}
	case "STRING":
		if wt == "BYTES" {
			return nil
		}
	case "UNION":
		for _, rb := range r.(*havro.UnionSchema).Types() {
			if len(c.compat(rb, w)) == 0 {
				return nil
			}
		}
		return []incompat{{kind: MissingUnionBranch, info: "reader union lacking writer type: " + wt}}
	}
	// The message is made only if the mismatch is reported: a reader
	// union tries every branch, and most tries mismatch.
	return []incompat{{kind: TypeMismatch, readerType: rt, writerType: wt}}
}

func (c *checker) records(r, w *havro.RecordSchema) []incompat {
	out := checkName(r, w)
	for i, rf := range r.Fields() {
		at := func() []string { return []string{"fields", strconv.Itoa(i)} }
		wf, ambiguous := c.writerField(w, i, rf)
		switch {
		case ambiguous != nil:
			out = append(out, incompat{kind: NameMismatch, loc: at(),
				info: fmt.Sprintf("field %q matches several fields of the writer record %s by name or alias: %s",
					rf.Name(), w.FullName(), strings.Join(ambiguous, ", "))})
		case wf != nil:
			if found := c.compat(rf.Type(), wf.Type()); len(found) > 0 {
				out = append(out, under2(at(), "type", found)...)
			}
		case c.reader.hasDefault(r, rf):
		case isEnumWithDefault(rf.Type()):
			// Avro lets an enum's own default stand in for the field's,
			// and then compares the enum with the writer record, which
			// never matches.
			out = append(out, under2(at(), "type", c.compat(rf.Type(), w))...)
		default:
			out = append(out, incompat{kind: ReaderFieldMissingDefaultValue, loc: at(), info: rf.Name()})
		}
	}
	return out
}

func isEnumWithDefault(s havro.Schema) bool {
	e, ok := deref(s).(*havro.EnumSchema)
	return ok && e.HasDefault()
}

// writerField finds the writer field a reader field reads: by name, then
// by the reader field's aliases. More than one match is an error in Avro;
// the names matched are returned then.
//
// Versions of a record mostly keep their fields in order, so the writer's
// field at the reader field's own position i is tried first: names are
// unique within a record, so when it has the name and the reader field
// has no aliases it is the only match, and no index of the writer's
// fields is needed.
func (c *checker) writerField(w *havro.RecordSchema, i int, rf *havro.Field) (*havro.Field, []string) {
	if wfs := w.Fields(); len(rf.Aliases()) == 0 && i < len(wfs) && wfs[i].Name() == rf.Name() {
		return wfs[i], nil
	}
	idx, ok := c.fields[w]
	if !ok {
		idx = make(map[string]int, len(w.Fields()))
		for i, f := range w.Fields() {
			idx[f.Name()] = i
		}
		c.fields[w] = idx
	}
	var found *havro.Field
	first := ""
	var names []string
	for j := -1; j < len(rf.Aliases()); j++ {
		n := rf.Name()
		if j >= 0 {
			n = rf.Aliases()[j]
		}
		i, ok := idx[n]
		switch {
		case !ok || n == first || slices.Contains(names, n):
		case found == nil:
			found, first = w.Fields()[i], n
		default:
			if names == nil {
				names = []string{first}
			}
			names = append(names, n)
		}
	}
	return found, names
}

func checkName(r, w havro.NamedSchema) []incompat {
	if r.Name() == w.Name() || slices.Contains(r.Aliases(), w.FullName()) {
		return nil
	}
	return []incompat{{kind: NameMismatch, loc: []string{"name"}, info: "expected: " + w.FullName()}}
}

func enumSymbols(r, w *havro.EnumSchema) []incompat {
	var missing []string
	inReader := memberOf(r.Symbols())
	for _, s := range w.Symbols() {
		if !inReader(s) {
			missing = append(missing, s)
		}
	}
	if len(missing) == 0 || r.HasDefault() {
		return nil
	}
	slices.Sort(missing)
	return []incompat{{kind: MissingEnumSymbols, loc: []string{"symbols"}, info: "[" + strings.Join(missing, ", ") + "]"}}
}

// javaType names a schema's type as Avro's Java Schema.Type does: hamba's
// type names are Avro's (record, enum, array, ...), and Java's
// Schema.Type is the same name in upper case. The names are constants so
// that a comparison, done for every pair of types walked, allocates
// nothing.
func javaType(s havro.Schema) string {
	switch t := s.Type(); t {
	case havro.Record, havro.Error:
		return "RECORD"
	case havro.Ref:
		return javaType(deref(s))
	case havro.Enum:
		return "ENUM"
	case havro.Array:
		return "ARRAY"
	case havro.Map:
		return "MAP"
	case havro.Union:
		return "UNION"
	case havro.Fixed:
		return "FIXED"
	case havro.String:
		return "STRING"
	case havro.Bytes:
		return "BYTES"
	case havro.Int:
		return "INT"
	case havro.Long:
		return "LONG"
	case havro.Float:
		return "FLOAT"
	case havro.Double:
		return "DOUBLE"
	case havro.Boolean:
		return "BOOLEAN"
	case havro.Null:
		return "NULL"
	default:
		return strings.ToUpper(string(t))
	}
}

// under prefixes the locations of found with tok.
func under(tok string, found []incompat) []incompat {
	return under2(nil, tok, found)
}

// under2 prefixes the locations of found with at and then tok.
func under2(at []string, tok string, found []incompat) []incompat {
	if len(found) == 0 {
		return nil
	}
	out := make([]incompat, len(found))
	for i, in := range found {
		loc := make([]string, 0, len(at)+1+len(in.loc))
		loc = append(loc, at...)
		loc = append(loc, tok)
		in.loc = append(loc, in.loc...)
		out[i] = in
	}
	return out
}

// pointer renders a location as Avro does: a JSON pointer, "/" for the root.
func pointer(loc []string) string {
	if len(loc) == 0 {
		return "/"
	}
	var b strings.Builder
	for _, t := range loc {
		b.WriteByte('/')
		t = strings.ReplaceAll(t, "~", "~0")
		b.WriteString(strings.ReplaceAll(t, "/", "~1"))
	}
	return b.String()
}

// message is Confluent's description of an incompatibility, with "new"
// for the reader and "old" for the writer, and Avro's detail appended where
// the description does not already carry it.
func message(in incompat, path string) string {
	switch in.kind {
	case FixedSizeMismatch:
		return fmt.Sprintf("The size of FIXED type field at path '%s' in the new schema does not match with the old schema (%s)", path, in.info)
	case TypeMismatch:
		info := in.info
		if in.readerType != "" {
			info = "reader type: " + in.readerType + " not compatible with writer type: " + in.writerType
		}
		return fmt.Sprintf("The type (path '%s') of a field in the new schema does not match with the old schema (%s)", path, info)
	case NameMismatch:
		return fmt.Sprintf("The name of the schema has changed (path '%s') (%s)", path, in.info)
	case MissingEnumSymbols:
		return fmt.Sprintf("The new schema is missing enum symbols '%s' at path '%s' in the old schema", in.info, path)
	case MissingUnionBranch:
		return fmt.Sprintf("The new schema is missing a type inside a union field at path '%s' in the old schema (%s)", path, in.info)
	case ReaderFieldMissingDefaultValue:
		return fmt.Sprintf("The field '%s' at path '%s' in the new schema has no default value and is missing in the old schema", in.info, path)
	default:
		return in.info
	}
}

// memberOf returns a test of membership in list: a scan for a short list,
// a set for a long one (enum symbols, aliases), so that testing every
// entry of one long list against another costs their lengths, not their
// product.
func memberOf(list []string) func(string) bool {
	if len(list) <= 16 {
		return func(s string) bool { return slices.Contains(list, s) }
	}
	set := make(map[string]struct{}, len(list))
	for _, s := range list {
		set[s] = struct{}{}
	}
	return func(s string) bool { _, ok := set[s]; return ok }
}
