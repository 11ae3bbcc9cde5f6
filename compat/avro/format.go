package avro

import (
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/internal/jsontext"
	havro "github.com/hamba/avro/v2"
)

// DefaultMaxDepth is the default limit on how deeply types nest.
const DefaultMaxDepth = 64

// Format parses and compares Avro schemas. The zero value is ready to use
// with the defaults; New applies options. A Format holds no state between
// calls and is safe for concurrent use.
type Format struct {
	maxDepth         int
	validateDefaults bool
}

// Opt configures a Format.
type Opt interface{ apply(*Format) }

type optFunc func(*Format)

func (o optFunc) apply(f *Format) { o(f) }

// MaxDepth limits how deeply types may nest: each record, array, map, union
// or other JSON-object type inside another counts one level. Deeper schemas
// are refused with a *compat.ParseError before any recursive parsing, so
// hostile input cannot exhaust the stack. The default is DefaultMaxDepth; a
// value below 1 keeps the default.
func MaxDepth(n int) Opt {
	return optFunc(func(f *Format) { f.maxDepth = n })
}

// ValidateDefaults refuses schemas whose field defaults do not match the
// field's type, such as "default": null on a string field. Confluent
// validates defaults only when a subject sets validateNewSchemas (its
// isNew=true parse); without this option an invalid default is accepted,
// counts as a default in compatibility checks, and is left out of the
// schema returned by Schema.Avro. Use a Format with this option to parse new
// registrations under validateNewSchemas, and one without it for everything
// else, as Confluent does.
func ValidateDefaults() Opt {
	return optFunc(func(f *Format) { f.validateDefaults = true })
}

// New returns a Format with the options applied.
func New(opts ...Opt) *Format {
	f := &Format{}
	for _, o := range opts {
		o.apply(f)
	}
	return f
}

// Type returns compat.Avro.
func (f *Format) Type() compat.Type { return compat.Avro }

// Syntax says that schema texts are written in JSON (compat.Syntaxer).
func (f *Format) Syntax() string { return "json" }

func (f *Format) depth() int {
	if f == nil || f.maxDepth < 1 {
		return DefaultMaxDepth
	}
	return f.maxDepth
}

// jsonLimit bounds raw JSON nesting. A type level costs at most four JSON
// levels (record, "fields" array, field object, union array), so any
// schema within the type limit passes; the margin leaves room for defaults
// and custom properties.
func (f *Format) jsonLimit() int { return 4*f.depth() + 8 }

// Parse parses text after its dependencies. Every dependency is parsed in
// order into a fresh name table that holds only those dependencies, so a
// name resolves only when this call's dependencies or text define it. A
// dependency listed twice with the same name and text is parsed once; a
// type defined twice is refused, as Avro refuses it. The error is a
// *compat.ParseError; its Line and Column point into text when the problem
// is there, and a problem in a dependency names it in the message.
func (f *Format) Parse(text string, deps []compat.Dependency) (compat.Schema, error) {
	s, err := f.parse(text, deps)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// parseState is shared by the texts of one Parse call.
type parseState struct {
	cache   *havro.SchemaCache
	known   map[string]bool
	invalid map[string]bool // defaultKey of fields whose default hamba refused
}

func (f *Format) parse(text string, deps []compat.Dependency) (*Schema, error) {
	st := &parseState{cache: &havro.SchemaCache{}, known: map[string]bool{}}
	seen := make(map[compat.Dependency]bool, len(deps))
	var refDefs map[string]*node
	for _, d := range deps {
		if seen[d] {
			continue // the same reference reached twice through the graph
		}
		seen[d] = true
		du, err := f.compile(st, d.Schema)
		if err != nil {
			return nil, &compat.ParseError{Message: fmt.Sprintf("reference %q: %s", d.Name, describe(d.Schema, err))}
		}
		if refDefs == nil {
			refDefs = map[string]*node{}
		}
		maps.Copy(refDefs, du.defs)
	}
	u, err := f.compile(st, text)
	if err != nil {
		line, col := 0, 0
		var pe *posError
		if errors.As(err, &pe) {
			line, col = jsontext.LineCol(text, pe.off)
		}
		return nil, &compat.ParseError{Line: line, Column: col, Message: describe(text, err)}
	}
	return &Schema{
		avro:      u.avro,
		tree:      u.tree,
		text:      text,
		defs:      u.defs,
		refDefs:   refDefs,
		canonical: writeCanonical(u.tree, false),
		invalid:   st.invalid,
	}, nil
}

// describe turns an error into the message of a ParseError, with the
// position when there is one.
func describe(text string, err error) string {
	var pe *posError
	if errors.As(err, &pe) && pe.off >= 0 {
		line, col := jsontext.LineCol(text, pe.off)
		return fmt.Sprintf("%s (line %d, column %d)", pe.msg, line, col)
	}
	return err.Error()
}

// unit is one parsed text.
type unit struct {
	tree *node
	avro havro.Schema
	defs map[string]*node
}

// compile parses one text into st: JSON, then the scan, then hamba's
// schema, made by build or, for a text build cannot take, by hamba's
// parser.
func (f *Format) compile(st *parseState, text string) (*unit, error) {
	tree, err := decodeTree(text, f.jsonLimit())
	if err != nil {
		return nil, err
	}
	sc := &scanner{known: st.known, maxDepth: f.depth(), defs: map[string]*node{}, objects: map[*node]bool{}}
	if err := sc.typ(tree, "", 0); err != nil {
		return nil, err
	}
	s, err := build(tree, sc.objects, st.cache)
	if err == errSlow {
		s, err = hambaParse(appendValue(nil, tree, &valueOpts{rawNumbers: true, schema: sc.objects}), st.cache)
	}
	if err != nil && len(sc.defaults) > 0 {
		s, err = f.retryDefaults(st, tree, sc, err)
	}
	if err != nil {
		return nil, err
	}
	return &unit{tree: tree, avro: s, defs: sc.defs}, nil
}

// retryDefaults handles a text hamba refused when the text declares field
// defaults. It parses the text without them to learn the field types,
// checks each default on its own, and then either reports the first invalid
// one with its position (ValidateDefaults) or parses again without the
// invalid ones, remembering that those fields do declare a default.
//
// A record-typed default that leans on the defaults of the nested record's
// fields can look invalid in the stripped parse; it is then dropped from
// the hamba schema too. It still counts as a default in Diff.
func (f *Format) retryDefaults(st *parseState, tree *node, sc *scanner, cause error) (havro.Schema, error) {
	defaults := sc.defaults
	all := make(map[*node]bool, len(defaults))
	for _, d := range defaults {
		all[d.node] = true
	}
	scratch := &havro.SchemaCache{}
	scratch.AddAll(st.cache)
	stripped, err := hambaParse(appendValue(nil, tree, &valueOpts{rawNumbers: true, dropDefault: all, schema: sc.objects}), scratch)
	if err != nil {
		return nil, cause
	}
	records := recordsByName(stripped)
	bad := map[*node]bool{}
	var first *posError
	for _, d := range defaults {
		rec := records[d.record]
		if rec == nil {
			continue
		}
		for _, hf := range rec.Fields() {
			if hf.Name() != d.field {
				continue
			}
			if msg := checkDefault(hf, d.node.Get("default")); msg != "" {
				bad[d.node] = true
				if first == nil {
					first = &posError{off: d.node.Get("default").Off, msg: fmt.Sprintf("invalid default for field %q of record %q: %s", d.field, d.record, msg)}
				}
			}
		}
	}
	if first == nil {
		return nil, cause
	}
	if f != nil && f.validateDefaults {
		return nil, first
	}
	s, err := hambaParse(appendValue(nil, tree, &valueOpts{rawNumbers: true, dropDefault: bad, schema: sc.objects}), st.cache)
	if err != nil {
		return nil, err
	}
	if st.invalid == nil {
		st.invalid = map[string]bool{}
	}
	for _, d := range defaults {
		if bad[d.node] {
			st.invalid[defaultKey(d.record, d.field)] = true
		}
	}
	return s, nil
}

// checkDefault reports why hamba refuses def for field hf, or "".
func checkDefault(hf *havro.Field, def *node) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	if u, ok := deref(hf.Type()).(*havro.UnionSchema); ok && len(u.Types()) == 0 {
		return "an empty union has no values, so no default fits it"
	}
	if _, err := havro.NewField(hf.Name(), hf.Type(), havro.WithDefault(goValue(def))); err != nil {
		return fmt.Sprintf("%s is not a valid %s", appendValue(nil, def, &valueOpts{}), typeLabel(hf.Type()))
	}
	return ""
}

func typeLabel(s havro.Schema) string {
	s = deref(s)
	if n, ok := s.(havro.NamedSchema); ok {
		return string(s.Type()) + " " + n.FullName()
	}
	if u, ok := s.(*havro.UnionSchema); ok && len(u.Types()) > 0 {
		return "union whose first type is " + typeLabel(u.Types()[0]) + " (a union's default must match its first type)"
	}
	return string(s.Type())
}

// value converts n to the Go value encoding/json-like decoders produce,
// which is what hamba expects for defaults.
func goValue(n *node) any {
	switch n.Kind {
	case jsontext.Bool:
		return n.Str == "true"
	case jsontext.Number:
		f, _ := strconv.ParseFloat(n.Str, 64)
		return f
	case jsontext.String:
		return n.Str
	case jsontext.Array:
		out := make([]any, len(n.Elems))
		for i, e := range n.Elems {
			out[i] = goValue(e)
		}
		return out
	case jsontext.Object:
		out := make(map[string]any, len(n.Members))
		for _, m := range n.Members {
			out[m.Key] = goValue(m.Value)
		}
		return out
	default:
		return nil
	}
}

// hambaParse parses JSON produced from a scanned tree with hamba, into the
// given cache. hamba leaves the cache untouched when it fails.
func hambaParse(b []byte, cache *havro.SchemaCache) (s havro.Schema, err error) {
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("invalid Avro schema: the Avro library failed on it: %v", r)
		}
	}()
	s, err = havro.ParseBytesWithCache(b, "", cache)
	if err != nil {
		return nil, fmt.Errorf("invalid Avro schema: %s", strings.TrimPrefix(err.Error(), "avro: "))
	}
	return s, nil
}

// deref follows hamba's reference wrappers to the named type.
func deref(s havro.Schema) havro.Schema {
	if r, ok := s.(*havro.RefSchema); ok {
		return r.Schema()
	}
	return s
}

// recordsByName lists every record reachable from s by full name.
func recordsByName(s havro.Schema) map[string]*havro.RecordSchema {
	out := map[string]*havro.RecordSchema{}
	var walk func(havro.Schema)
	walk = func(s havro.Schema) {
		switch t := deref(s).(type) {
		case *havro.RecordSchema:
			if _, ok := out[t.FullName()]; ok {
				return
			}
			out[t.FullName()] = t
			for _, f := range t.Fields() {
				walk(f.Type())
			}
		case *havro.ArraySchema:
			walk(t.Items())
		case *havro.MapSchema:
			walk(t.Values())
		case *havro.UnionSchema:
			for _, b := range t.Types() {
				walk(b)
			}
		}
	}
	walk(s)
	return out
}
