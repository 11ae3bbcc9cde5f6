package jsonschema

import (
	"math/big"
	"regexp"
	"strconv"

	"github.com/charter-registry/charter/internal/jsontext"
)

// The diff model mirrors the schema classes Confluent's diff works on
// (StringSchema, ObjectSchema, CombinedSchema, ...). Confluent's paths and
// rules depend on how its loaders shape a document, so the builder follows
// them: for drafts 4 to 7 the keyword-sniffing loader (a "type" next to an
// "enum" becomes an allOf of two schemas), for 2019-09 and 2020-12 the
// keyword-by-keyword translation that merges partial schemas of one class.

type nodeKind uint8

const (
	kEmpty nodeKind = iota // {}: accepts anything
	kTrue                  // true: accepts anything, a kind of its own
	kFalse
	kString
	kNumber
	kBoolean
	kNull
	kObject
	kArray
	kEnum
	kConst
	kCombined
	kNot
	kRef
	kConditional
)

// isEmpty reports whether n accepts anything (Confluent's EmptySchema,
// which TrueSchema extends).
func (n *node) isEmpty() bool { return n.kind == kEmpty || n.kind == kTrue }

type prop struct {
	name   string
	schema *node
}

type patternProp struct {
	pattern string
	re      *regexp.Regexp // nil when Go cannot compile the pattern
	schema  *node
}

type propDep struct {
	name     string
	requires []string
}

type schemaDep struct {
	name   string
	schema *node
}

// node is one schema of the diff model.
type node struct {
	kind nodeKind
	raw  *value    // the JSON object or boolean this node was built from
	doc  *document // the document raw is in
	part bool      // a piece of a synthetic allOf, sharing raw with its parent

	// Annotations every kind carries.
	id, title, description *string
	def                    *value
	connectType            string

	// String.
	minLength, maxLength *big.Rat
	pattern              *string

	// Number.
	maximum, minimum, exclMaximum, exclMinimum, multipleOf *big.Rat
	requiresInteger                                        bool

	// Object.
	props             []prop
	propIndex         map[string]*node
	required          []string
	noAdditionalProps bool  // additionalProperties: false
	additionalProps   *node // additionalProperties as a schema
	patternProps      []patternProp
	propDeps          []propDep
	schemaDeps        []schemaDep
	minProps          *big.Rat
	maxProps          *big.Rat
	unevalProps       *node

	// Array.
	allItems          *node   // items as one schema
	itemSchemas       []*node // items as a tuple (prefixItems in 2020-12)
	noAdditionalItems bool
	additionalItems   *node
	minItems          *big.Rat
	maxItems          *big.Rat
	uniqueItems       bool
	unevalItems       *node
	minContains       *big.Rat
	maxContains       *big.Rat

	// Enum and const.
	values []*value

	// Combined (allOf, anyOf, oneOf; synthetic when built from sibling
	// keywords rather than written).
	criterion string
	subs      []*node
	synthetic bool

	// Not.
	not *node

	// Reference.
	refLoc string
	target *node

	// Conditional: if, then, else, kept for traversal only.
	cond []*node

	// canonical is the key combined schemas de-duplicate their
	// subschemas by: the sorted compact JSON of raw. Empty for parts.
	canonical string

	// draft is the draft raw was read under, which the diff's shortcut
	// for unchanged subschemas needs (see sameSchema).
	draft int
}

const (
	critAll = "allOf"
	critAny = "anyOf"
	critOne = "oneOf"
)

var combinators = [...]string{critAll, critAny, critOne}

// Keyword lists of the drafts-4-to-7 loader.
var (
	numberKeywords   = [...]string{"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}
	stringKeywords   = [...]string{"minLength", "maxLength", "pattern", "format"}
	v4ArrayKeywords  = []string{"items", "additionalItems", "minItems", "maxItems", "uniqueItems"}
	v6ArrayKeywords  = []string{"items", "additionalItems", "minItems", "maxItems", "uniqueItems", "contains"}
	v4ObjectKeywords = []string{"properties", "required", "minProperties", "maxProperties", "dependencies", "patternProperties", "additionalProperties"}
	v6ObjectKeywords = []string{"properties", "required", "minProperties", "maxProperties", "dependencies", "patternProperties", "additionalProperties", "propertyNames"}
)

type builder struct {
	c       *compiled
	memo    map[string]*node // by validator location
	pending []*node          // references still to link
}

// buildModel builds the model of the main document; references are linked
// to the nodes of their targets, so recursive schemas become cycles.
func buildModel(c *compiled) *node {
	b := &builder{c: c, memo: map[string]*node{}}
	mainDoc := c.docs[mainURL]
	root := b.build(mainDoc.root, mainURL+"#", mainDoc, draftOr(c.drafts[mainURL+"#"], 7))
	for len(b.pending) > 0 {
		n := b.pending[len(b.pending)-1]
		b.pending = b.pending[:len(b.pending)-1]
		n.target = b.resolve(n.refLoc)
	}
	// Subschemas of combined schemas get their de-duplication key now, so
	// that a built model is never written to again (Diff runs
	// concurrently).
	walk(root, func(n *node) {
		for _, s := range n.subs {
			if !s.part && s.raw != nil && s.canonical == "" {
				s.canonical = compactString(s.raw, true)
			}
		}
	})
	return root
}

// walk calls fn once for every node reachable from root.
func walk(root *node, fn func(*node)) {
	seen := map[*node]bool{}
	stack := []*node{root}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n == nil || seen[n] {
			continue
		}
		seen[n] = true
		fn(n)
		for _, p := range n.props {
			stack = append(stack, p.schema)
		}
		for _, p := range n.patternProps {
			stack = append(stack, p.schema)
		}
		for _, d := range n.schemaDeps {
			stack = append(stack, d.schema)
		}
		stack = append(stack, n.subs...)
		stack = append(stack, n.itemSchemas...)
		stack = append(stack, n.cond...)
		stack = append(stack, n.additionalProps, n.unevalProps, n.allItems,
			n.additionalItems, n.unevalItems, n.not, n.target)
	}
}

func draftOr(d, def int) int {
	if d == 0 {
		return def
	}
	return d
}

// resolve returns the node at a validator location, or nil when it lies
// outside the registered documents (a metaschema, say).
func (b *builder) resolve(loc string) *node {
	if loc == "" {
		return nil
	}
	if n, ok := b.memo[loc]; ok {
		return n
	}
	url, toks, ok := splitLoc(loc)
	d := b.c.docs[url]
	if !ok || d == nil {
		return nil
	}
	v := d.root.Lookup(toks)
	if v == nil {
		return nil
	}
	return b.build(v, loc, d, draftOr(b.c.drafts[loc], 7))
}

func (b *builder) build(v *value, loc string, doc *document, draft int) *node {
	if n, ok := b.memo[loc]; ok {
		return n
	}
	n := &node{raw: v, doc: doc}
	b.memo[loc] = n
	draft = draftOr(b.c.drafts[loc], draft)
	n.draft = draft
	switch v.Kind {
	case jsontext.Bool:
		if v.True() {
			n.kind = kTrue
		} else {
			n.kind = kFalse
		}
		return n
	case jsontext.Object:
	default:
		n.kind = kEmpty // not a schema; the metaschema check rejects these
		return n
	}
	if draft >= 2019 {
		b.modern(n, v, loc, doc, draft)
	} else {
		b.legacy(n, v, loc, doc, draft)
	}
	annotate(n, v, draft)
	return n
}

func annotate(n *node, v *value, draft int) {
	if draft < 2019 { // the 2019+ translation drops "$id"
		idKey := "$id"
		if draft == 4 {
			idKey = "id"
		}
		if s, ok := v.Get(idKey).Text(); ok {
			n.id = &s
		}
	}
	if s, ok := v.Get("title").Text(); ok {
		n.title = &s
	}
	if s, ok := v.Get("description").Text(); ok {
		n.description = &s
	}
	n.def = v.Get("default")
	if s, ok := v.Get("connect.type").Text(); ok {
		n.connectType = s
	}
}

// setParts makes n the one extracted schema, or a synthetic allOf of
// several, or an empty schema when nothing was extracted.
func setParts(n *node, parts []*node) {
	switch len(parts) {
	case 0:
		n.kind = kEmpty
	case 1:
		raw, doc := n.raw, n.doc
		*n = *parts[0]
		n.raw, n.doc, n.part = raw, doc, false
	default:
		n.kind = kCombined
		n.criterion = critAll
		n.synthetic = true
		n.subs = parts
	}
}

func newPart(k nodeKind, v *value, doc *document) *node {
	return &node{kind: k, raw: v, doc: doc, part: true}
}

const (
	usedString = 1 << iota
	usedNumber
	usedArray
	usedObject
)

// legacy builds n the way the drafts-4-to-7 loader does: "$ref" hides its
// siblings; otherwise enum, combinators, not, const and the type each give
// a schema, and keywords no type consumed give schemas of their own.
func (b *builder) legacy(n *node, v *value, loc string, doc *document, draft int) {
	if v.Has("$ref") {
		n.kind = kRef
		n.refLoc = b.c.refs[loc]
		b.pending = append(b.pending, n)
		return
	}
	var parts []*node
	used := 0
	if e := v.Get("enum"); e != nil && e.Kind == jsontext.Array {
		p := newPart(kEnum, v, doc)
		p.values = e.Elems
		parts = append(parts, p)
	}
	for _, kw := range combinators {
		if a := v.Get(kw); a != nil && a.Kind == jsontext.Array {
			p := newPart(kCombined, v, doc)
			p.criterion = kw
			p.subs = b.buildList(a, childLoc(loc, kw), doc, draft)
			parts = append(parts, p)
		}
	}
	if x := v.Get("not"); x != nil {
		p := newPart(kNot, v, doc)
		p.not = b.build(x, childLoc(loc, "not"), doc, draft)
		parts = append(parts, p)
	}
	if x := v.Get("const"); x != nil && draft != 4 {
		p := newPart(kConst, v, doc)
		p.values = []*value{x}
		parts = append(parts, p)
	}
	if t := v.Get("type"); t != nil {
		switch t.Kind {
		case jsontext.String:
			if p := b.typed(t.Str, v, loc, doc, draft, &used); p != nil {
				parts = append(parts, p)
			}
		case jsontext.Array:
			p := newPart(kCombined, v, doc)
			p.criterion = critAny
			for _, el := range t.Elems {
				if s, ok := el.Text(); ok {
					if q := b.typed(s, v, loc, doc, draft, &used); q != nil {
						p.subs = append(p.subs, q)
					}
				}
			}
			parts = append(parts, p)
		}
	}
	arrayKw, objectKw := v6ArrayKeywords, v6ObjectKeywords
	if draft == 4 {
		arrayKw, objectKw = v4ArrayKeywords, v4ObjectKeywords
	}
	if used&usedArray == 0 && hasAny(v, arrayKw) {
		parts = append(parts, b.legacyArray(v, loc, doc, draft))
	}
	if used&usedObject == 0 && hasAny(v, objectKw) {
		parts = append(parts, b.legacyObject(v, loc, doc, draft))
	}
	if used&usedNumber == 0 && hasAny(v, numberKeywords[:]) {
		parts = append(parts, numberPart(v, doc))
	}
	if used&usedString == 0 && hasAny(v, stringKeywords[:]) {
		parts = append(parts, stringPart(v, doc))
	}
	if draft >= 7 && hasAny(v, []string{"if", "then", "else"}) {
		parts = append(parts, b.conditional(v, loc, doc, draft))
	}
	setParts(n, parts)
}

func hasAny(v *value, keys []string) bool {
	for _, k := range keys {
		if v.Has(k) {
			return true
		}
	}
	return false
}

func (b *builder) buildList(a *value, loc string, doc *document, draft int) []*node {
	out := make([]*node, 0, len(a.Elems))
	for i, el := range a.Elems {
		out = append(out, b.build(el, childLoc(loc, strconv.Itoa(i)), doc, draft))
	}
	return out
}

// typed is the schema an explicit type names, built from the keywords of
// that type (drafts 4 to 7).
func (b *builder) typed(t string, v *value, loc string, doc *document, draft int, used *int) *node {
	switch t {
	case "string":
		*used |= usedString
		return stringPart(v, doc)
	case "integer", "number":
		*used |= usedNumber
		p := numberPart(v, doc)
		p.requiresInteger = t == "integer"
		return p
	case "boolean":
		return newPart(kBoolean, v, doc)
	case "null":
		return newPart(kNull, v, doc)
	case "array":
		*used |= usedArray
		return b.legacyArray(v, loc, doc, draft)
	case "object":
		*used |= usedObject
		return b.legacyObject(v, loc, doc, draft)
	}
	return nil
}

func ratOf(v *value) *big.Rat {
	if v == nil || v.Kind != jsontext.Number {
		return nil
	}
	r, ok := new(big.Rat).SetString(v.Str)
	if !ok {
		return nil
	}
	return r
}

func stringPart(v *value, doc *document) *node {
	p := newPart(kString, v, doc)
	p.minLength = ratOf(v.Get("minLength"))
	p.maxLength = ratOf(v.Get("maxLength"))
	if s, ok := v.Get("pattern").Text(); ok {
		p.pattern = &s
	}
	return p
}

// numberPart reads the numeric keywords. Draft-04's boolean
// exclusiveMaximum/exclusiveMinimum only qualify maximum/minimum, and
// Confluent's diff does not look at them.
func numberPart(v *value, doc *document) *node {
	p := newPart(kNumber, v, doc)
	p.minimum = ratOf(v.Get("minimum"))
	p.maximum = ratOf(v.Get("maximum"))
	p.exclMinimum = ratOf(v.Get("exclusiveMinimum"))
	p.exclMaximum = ratOf(v.Get("exclusiveMaximum"))
	p.multipleOf = ratOf(v.Get("multipleOf"))
	return p
}

func (b *builder) legacyArray(v *value, loc string, doc *document, draft int) *node {
	p := newPart(kArray, v, doc)
	p.minItems = ratOf(v.Get("minItems"))
	p.maxItems = ratOf(v.Get("maxItems"))
	if u := v.Get("uniqueItems"); u != nil && u.Kind == jsontext.Bool {
		p.uniqueItems = u.True()
	}
	if a := v.Get("additionalItems"); a != nil {
		if a.Kind == jsontext.Bool {
			p.noAdditionalItems = !a.True()
		} else {
			p.additionalItems = b.build(a, childLoc(loc, "additionalItems"), doc, draft)
		}
	}
	if it := v.Get("items"); it != nil {
		if it.Kind == jsontext.Array {
			p.itemSchemas = b.buildList(it, childLoc(loc, "items"), doc, draft)
		} else {
			p.allItems = b.build(it, childLoc(loc, "items"), doc, draft)
		}
	}
	return p
}

func (b *builder) legacyObject(v *value, loc string, doc *document, draft int) *node {
	p := newPart(kObject, v, doc)
	p.minProps = ratOf(v.Get("minProperties"))
	p.maxProps = ratOf(v.Get("maxProperties"))
	if ps := v.Get("properties"); ps != nil && ps.Kind == jsontext.Object {
		pl := childLoc(loc, "properties")
		for _, m := range ps.Members {
			p.addProp(m.Key, b.build(m.Value, childLoc(pl, m.Key), doc, draft))
		}
	}
	if a := v.Get("additionalProperties"); a != nil {
		if a.Kind == jsontext.Bool {
			p.noAdditionalProps = !a.True()
		} else {
			p.additionalProps = b.build(a, childLoc(loc, "additionalProperties"), doc, draft)
		}
	}
	p.required = stringList(v.Get("required"))
	b.patternProps(p, v, loc, doc, draft)
	if ds := v.Get("dependencies"); ds != nil && ds.Kind == jsontext.Object {
		dl := childLoc(loc, "dependencies")
		for _, m := range ds.Members {
			if m.Value.Kind == jsontext.Array {
				if req := stringList(m.Value); len(req) > 0 {
					p.propDeps = append(p.propDeps, propDep{m.Key, req})
				}
			} else {
				p.schemaDeps = append(p.schemaDeps, schemaDep{m.Key, b.build(m.Value, childLoc(dl, m.Key), doc, draft)})
			}
		}
	}
	return p
}

func (b *builder) patternProps(p *node, v *value, loc string, doc *document, draft int) {
	pp := v.Get("patternProperties")
	if pp == nil || pp.Kind != jsontext.Object {
		return
	}
	pl := childLoc(loc, "patternProperties")
	for _, m := range pp.Members {
		re, err := regexp.Compile(m.Key)
		if err != nil {
			re = nil
		}
		p.patternProps = append(p.patternProps, patternProp{m.Key, re, b.build(m.Value, childLoc(pl, m.Key), doc, draft)})
	}
}

func (b *builder) conditional(v *value, loc string, doc *document, draft int) *node {
	p := newPart(kConditional, v, doc)
	for _, kw := range []string{"if", "then", "else"} {
		if x := v.Get(kw); x != nil {
			p.cond = append(p.cond, b.build(x, childLoc(loc, kw), doc, draft))
		}
	}
	return p
}

func (p *node) addProp(name string, s *node) {
	if p.propIndex == nil {
		p.propIndex = map[string]*node{}
	}
	if _, dup := p.propIndex[name]; !dup {
		p.props = append(p.props, prop{name, s})
	} else {
		for i := range p.props {
			if p.props[i].name == name {
				p.props[i].schema = s
			}
		}
	}
	p.propIndex[name] = s
}

func stringList(v *value) []string {
	if v == nil || v.Kind != jsontext.Array {
		return nil
	}
	out := make([]string, 0, len(v.Elems))
	for _, el := range v.Elems {
		if s, ok := el.Text(); ok {
			out = append(out, s)
		}
	}
	return out
}

func (n *node) isRequired(name string) bool {
	for _, r := range n.required {
		if r == name {
			return true
		}
	}
	return false
}
