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
// field's type, such as "default": null on a string field, by the rule of
// Avro's Java parser (a union default may fit any branch; an enum or fixed
// default is any string; an int or long default is a whole number in
// range). Confluent validates the defaults of new schemas (its isNew=true
// parse, under validateNewSchemas, on by default); without this option an
// invalid default is accepted, counts as a default in compatibility
// checks, and is left out of the schema returned by Schema.Avro. Use a
// Format with this option to parse new registrations, and one without it
// for schemas read back, as Confluent does.
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
	// defaults judges field defaults under ValidateDefaults; its defs
	// gather the named types of every text parsed.
	defaults *defaultChecker
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
		var pe *posError
		if errors.As(err, &pe) && pe.off >= 0 {
			line, col := jsontext.LineCol(text, pe.off)
			return nil, &compat.ParseError{Line: line, Column: col, Message: pe.msg}
		}
		return nil, &compat.ParseError{Message: describe(text, err)}
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
	if f != nil && f.validateDefaults {
		if st.defaults == nil {
			st.defaults = &defaultChecker{defs: map[string]*node{}}
		}
		maps.Copy(st.defaults.defs, sc.defs)
		if err := st.defaults.check(sc.defaults); err != nil {
			return nil, err
		}
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
// checks each default on its own, and parses again without the ones hamba
// refuses, remembering that those fields do declare a default. Under
// ValidateDefaults, Java's rule has passed them all already (compile), and
// those left are defaults Java takes and hamba cannot hold, such as a
// union default that fits a branch other than the first.
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
	for _, d := range defaults {
		rec := records[d.record]
		if rec == nil {
			continue
		}
		for _, hf := range rec.Fields() {
			if hf.Name() != d.field {
				continue
			}
			if hambaRefuses(hf, d.node.Get("default")) {
				bad[d.node] = true
			}
		}
	}
	if len(bad) == 0 {
		return nil, cause
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

// hambaRefuses reports whether hamba refuses def as the default of field
// hf.
func hambaRefuses(hf *havro.Field, def *node) (refused bool) {
	defer func() {
		if r := recover(); r != nil {
			refused = true
		}
	}()
	if u, ok := deref(hf.Type()).(*havro.UnionSchema); ok && len(u.Types()) == 0 {
		return true
	}
	_, err := havro.NewField(hf.Name(), hf.Type(), havro.WithDefault(goValue(def)))
	return err != nil
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
