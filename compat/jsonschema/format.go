package jsonschema

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/internal/jsontext"
)

// Defaults for the limits a Format enforces.
const (
	// DefaultMaxBytes bounds the size of a schema text and of each
	// dependency.
	DefaultMaxBytes = 2 << 20
	// DefaultMaxDepth bounds JSON nesting (objects and arrays). Each
	// nested property costs two levels ("properties" and the property),
	// so 128 allows schemas about 60 properties deep.
	DefaultMaxDepth = 128
	// DefaultDiffSteps bounds the schema comparisons one Diff may make;
	// combined schemas compare every pair of branches, so adversarial
	// schemas could otherwise take very long.
	DefaultDiffSteps = 250_000
)

// Format is charter's JSON Schema format. It is safe for concurrent use and
// keeps nothing between calls.
type Format struct {
	cfg config
}

type config struct {
	maxBytes        int
	maxDepth        int
	diffSteps       int
	strictPatterns  bool
	lenientPatterns bool
}

// Opt configures a Format.
type Opt interface{ apply(*config) }

type optFunc func(*config)

func (f optFunc) apply(c *config) { f(c) }

// MaxBytes sets the largest schema text (and dependency text) Parse
// accepts. Values below 1 keep the default.
func MaxBytes(n int) Opt {
	return optFunc(func(c *config) {
		if n > 0 {
			c.maxBytes = n
		}
	})
}

// MaxDepth sets the deepest JSON nesting Parse accepts. It is checked
// while reading the text, before anything recursive runs. Values below 1
// keep the default.
func MaxDepth(n int) Opt {
	return optFunc(func(c *config) {
		if n > 0 {
			c.maxDepth = n
		}
	})
}

// DiffSteps sets how many schema comparisons one Diff may make before it
// gives up and reports DIFF_TOO_COMPLEX (incompatible). Values below 1 keep
// the default.
func DiffSteps(n int) Opt {
	return optFunc(func(c *config) {
		if n > 0 {
			c.diffSteps = n
		}
	})
}

// StrictPatterns makes Parse itself reject schemas whose "pattern" or
// "patternProperties" regular expressions Go's RE2 engine cannot compile
// (lookaround, backreferences), wherever they are parsed. By default Parse
// accepts them (Validate does not enforce those patterns) and only CheckNew,
// at registration, refuses them.
func StrictPatterns() Opt {
	return optFunc(func(c *config) { c.strictPatterns = true })
}

// LenientPatterns makes CheckNew accept schemas whose patterns RE2 cannot
// compile, as Confluent does; Validate then does not enforce those
// patterns. By default the registry refuses them when they are registered
// (see CheckNew), while Parse always accepts them so that schemas stored
// before, or by Confluent, still load.
func LenientPatterns() Opt {
	return optFunc(func(c *config) { c.lenientPatterns = true })
}

// New returns a JSON Schema Format.
func New(opts ...Opt) *Format {
	f := &Format{cfg: config{
		maxBytes:  DefaultMaxBytes,
		maxDepth:  DefaultMaxDepth,
		diffSteps: DefaultDiffSteps,
	}}
	for _, o := range opts {
		o.apply(&f.cfg)
	}
	return f
}

// Type is compat.JSON.
func (f *Format) Type() compat.Type { return compat.JSON }

// Syntax says that schema texts are written in JSON (compat.Syntaxer).
func (f *Format) Syntax() string { return "json" }

// Parse validates text against its metaschema (draft-07 when it names
// none) and resolves its references: within the text, and to deps by the
// name each is referred to with. Nothing is ever loaded from a URL or a
// file. Errors are *compat.ParseError, with a line and column in text when
// the problem is in text.
func (f *Format) Parse(text string, deps []compat.Dependency) (compat.Schema, error) {
	s, err := f.parse(text, deps)
	if err != nil {
		return nil, err
	}
	return s, nil
}

func (f *Format) parse(text string, deps []compat.Dependency) (*Schema, error) {
	main, perr := f.read(text, "")
	if perr != nil {
		return nil, perr
	}
	docs := make([]*document, 0, len(deps))
	for _, d := range deps {
		doc, perr := f.read(d.Schema, d.Name)
		if perr != nil {
			return nil, perr
		}
		docs = append(docs, doc)
	}
	c, err := f.compile(main, docs)
	if err != nil {
		return nil, locate(err, main)
	}
	s := &Schema{
		main:       main,
		compiled:   c.schema,
		model:      buildModel(c),
		canonical:  compactString(main.root, false),
		normalized: compactString(main.root, true),
		draft:      draftOr(c.drafts[mainURL+"#"], 7),
	}
	s.fields = fieldNames(s.model)
	return s, nil
}

// read checks the size and parses one text.
func (f *Format) read(text, name string) (*document, *compat.ParseError) {
	prefix := ""
	if name != "" {
		prefix = fmt.Sprintf("reference %q: ", name)
	}
	if len(text) > f.cfg.maxBytes {
		return nil, &compat.ParseError{Message: fmt.Sprintf("%sschema is %d bytes, more than the limit of %d", prefix, len(text), f.cfg.maxBytes)}
	}
	root, err := parseJSON(text, f.cfg.maxDepth)
	if err != nil {
		var se *jsontext.SyntaxError
		pe := &compat.ParseError{Message: prefix + "invalid JSON: " + err.Error()}
		if errors.As(err, &se) && name == "" {
			pe.Line, pe.Column = jsontext.LineCol(text, se.Off)
		}
		if errors.As(err, &se) && name != "" {
			l, c := jsontext.LineCol(text, se.Off)
			pe.Message += fmt.Sprintf(" (line %d, column %d)", l, c)
		}
		return nil, pe
	}
	if root.Kind != jsontext.Object && root.Kind != jsontext.Bool {
		return nil, &compat.ParseError{Line: 1, Column: 1, Message: prefix + "a JSON schema must be an object or a boolean"}
	}
	return &document{name: name, text: text, root: root, main: name == ""}, nil
}

// locate turns a compile error into a *compat.ParseError, placed in the
// main text when it is about the main text.
func locate(err error, main *document) *compat.ParseError {
	var l *located
	if !errors.As(err, &l) {
		return &compat.ParseError{Message: err.Error()}
	}
	pe := &compat.ParseError{Message: l.msg}
	switch {
	case l.doc != nil && !l.doc.main:
		pe.Message = fmt.Sprintf("reference %q: %s", l.doc.name, l.msg)
	case l.doc != nil:
		if off, ok := main.root.Offset(l.pointer); ok || len(l.pointer) == 0 {
			pe.Line, pe.Column = jsontext.LineCol(main.text, off)
		}
	case l.refURL != "" && metaschemaURL(main.root) == l.refURL:
		pe.Message = fmt.Sprintf("unsupported $schema %q: use the metaschema URL of draft-04, -06, -07, 2019-09 or 2020-12", l.refURL)
		if off, ok := main.root.Offset([]string{"$schema"}); ok {
			pe.Line, pe.Column = jsontext.LineCol(main.text, off)
		}
	case l.refURL != "":
		if p, ok := findRef(main.root, l.refURL, nil); ok {
			off, _ := main.root.Offset(p)
			pe.Line, pe.Column = jsontext.LineCol(main.text, off)
		}
	}
	return pe
}

// metaschemaURL is the root's "$schema" without fragment, or "".
func metaschemaURL(root *value) string {
	s, _ := root.Get("$schema").Text()
	u, _, _ := strings.Cut(s, "#")
	return u
}

// fieldNames lists every property name the schema declares, anywhere,
// sorted and once each.
func fieldNames(root *node) []string {
	seen := map[string]bool{}
	walk(root, func(n *node) {
		for _, p := range n.props {
			seen[p.name] = true
		}
	})
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Diff lists how update differs from original under Confluent's JSON
// Schema rules. A change is Compatible when its kind is in Confluent's
// COMPATIBLE_CHANGES_STRICT set, or COMPATIBLE_CHANGES_LENIENT with
// opts.Lenient (the set also steers which branches of combined schemas
// count as matching, as in Confluent).
func (f *Format) Diff(original, update compat.Schema, opts compat.Options) []compat.Change {
	o, ok1 := original.(*Schema)
	u, ok2 := update.(*Schema)
	if !ok1 || !ok2 || o == nil || u == nil {
		return []compat.Change{{
			Kind: typeChanged, Rule: typeChanged, Path: "#/",
			Message: "one of the schemas is not a JSON Schema parsed by this format",
		}}
	}
	set := compatibleStrict
	if opts.Lenient {
		set = compatibleLenient
	}
	st := &diffState{compatible: set, steps: f.cfg.diffSteps, incompatibleOnly: opts.IncompatibleOnly}
	c := newDiffCtx(st)
	c.compare(o.model, u.model)
	out := make([]compat.Change, 0, len(c.diffs)+1)
	offs := make([]int, len(c.diffs))
	for i, d := range c.diffs {
		offs[i] = u.offset(d)
		out = append(out, compat.Change{
			Kind:       d.kind,
			Rule:       d.kind,
			Path:       d.path,
			Message:    describe(d.kind, d.path),
			Compatible: set[d.kind],
		})
	}
	for i, lc := range jsontext.Positions(u.main.text, offs) {
		out[i].Line, out[i].Column = lc[0], lc[1]
	}
	if st.exhausted {
		out = append(out, compat.Change{
			Kind: diffTooComplex, Rule: diffTooComplex, Path: "#/",
			Message: describe(diffTooComplex, "#/"),
		})
	}
	return out
}

// offset places a finding in the update's text: the string entry of the
// keyword's array it is about (a name in required), else the keyword it is
// about when the update node has it, else the update node itself; -1 when the
// finding is not in the update's own text (it is in a dependency).
func (s *Schema) offset(d difference) int {
	n := d.upd
	if n == nil || n.raw == nil || n.doc != s.main {
		return -1
	}
	if d.attr != "" && n.raw.Kind == jsontext.Object {
		for _, m := range n.raw.Members {
			if m.Key != d.attr {
				continue
			}
			if d.item != "" && m.Value != nil && m.Value.Kind == jsontext.Array {
				for _, el := range m.Value.Elems {
					if el != nil && el.Kind == jsontext.String && el.Str == d.item {
						return el.Off
					}
				}
			}
			return m.Off
		}
	}
	return n.raw.Off
}

var _ compat.Format = (*Format)(nil)
