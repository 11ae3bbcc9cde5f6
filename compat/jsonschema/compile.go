package jsonschema

import (
	"errors"
	"fmt"
	gourl "net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/charter-registry/charter/internal/jsontext"
	js "github.com/santhosh-tekuri/jsonschema/v6"
)

// Where documents live for the validator. Confluent resolves a schema
// without "$id" against mem://input, so a reference named "address.json"
// is mem://input/address.json here too.
const (
	defaultBase = "mem://input/"
	mainURL     = defaultBase + "__root__.json"
)

// document is one parsed JSON text: the schema being registered or one of
// its dependencies.
type document struct {
	name string // dependency name; "" for the main schema
	text string
	root *value
	main bool

	linesOnce sync.Once
	lines     *jsontext.Lines
}

// lineCol is the line and column of byte offset off of the text, from an
// index built on first use (an outline asks once per property, and
// jsontext.LineCol scans from the start each time).
func (d *document) lineCol(off int) (line, col int) {
	d.linesOnce.Do(func() { d.lines = jsontext.NewLines(d.text) })
	return d.lines.LineCol(off)
}

// refusingLoader is the validator's URL loader: nothing outside the schema,
// its dependencies and the bundled metaschemas may be read. Left on, the
// library would read file:// URLs from the registry's disk.
type refusingLoader struct{}

func (refusingLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("loading %s is disabled: only the schema's registered references can be used", url)
}

// unsupportedPattern stands in for an ECMA-262 pattern that Go's RE2 engine
// cannot compile (lookaround, backreferences). Confluent accepts such
// schemas, so parsing must too; validation then does not enforce the
// pattern.
type unsupportedPattern string

func (p unsupportedPattern) String() string          { return string(p) }
func (p unsupportedPattern) MatchString(string) bool { return true }

func lenientRegexp(s string) (js.Regexp, error) {
	re, err := regexp.Compile(s)
	if err != nil {
		return unsupportedPattern(s), nil
	}
	return re, nil
}

func strictRegexp(s string) (js.Regexp, error) { return regexp.Compile(s) }

// compiled is what the validator tells the model builder: the draft of
// every compiled schema location and where each "$ref" lands.
type compiled struct {
	schema *js.Schema
	docs   map[string]*document // by the URL registered with the validator
	refs   map[string]string    // schema location -> referenced location
	drafts map[string]int       // schema location -> draft (4, 6, 7, 2019, 2020)
}

// compile validates main and its dependencies against their metaschemas
// and resolves every reference.
func (f *Format) compile(main *document, deps []*document) (*compiled, error) {
	c := js.NewCompiler()
	c.DefaultDraft(js.Draft7)
	c.UseLoader(refusingLoader{})
	c.AssertFormat()
	if f.cfg.strictPatterns {
		c.UseRegexpEngine(strictRegexp)
	} else {
		c.UseRegexpEngine(lenientRegexp)
	}

	out := &compiled{docs: map[string]*document{}}
	add := func(url string, d *document) {
		if _, dup := out.docs[url]; dup || url == "" {
			return
		}
		if err := c.AddResource(url, d.root.Any()); err == nil {
			out.docs[url] = d
		}
	}
	add(mainURL, main)

	// A reference is found by its name resolved against the default base
	// and against every "$id" in play, so that "address.json" works from a
	// schema whose "$id" is https://example.com/customer.json as well as
	// from one without any "$id".
	bases := []string{defaultBase}
	if b := idBase(main.root, mainURL); b != "" {
		bases = append(bases, b)
	}
	for _, d := range deps {
		if b := idBase(d.root, resolveURL(defaultBase, d.name)); b != "" {
			bases = append(bases, b)
		}
	}
	for _, d := range deps {
		for _, b := range bases {
			add(resolveURL(b, d.name), d)
		}
	}

	sch, err := c.Compile(mainURL)
	if err != nil {
		return nil, compileError(err, out.docs)
	}
	out.schema = sch
	out.refs = map[string]string{}
	out.drafts = map[string]int{}
	walkCompiled(sch, out)
	return out, nil
}

// idBase returns the absolute URL a document's root "$id" (or draft-04
// "id") names, without fragment, or "".
func idBase(root *value, retrieval string) string {
	key := "$id"
	if s, _ := root.Get("$schema").Text(); strings.Contains(s, "draft-04") {
		key = "id"
	}
	id, ok := root.Get(key).Text()
	if !ok || id == "" || strings.HasPrefix(id, "#") {
		return ""
	}
	return resolveURL(retrieval, id)
}

// resolveURL resolves ref against base and drops any fragment; "" when
// either does not parse.
func resolveURL(base, ref string) string {
	b, err := gourl.Parse(base)
	if err != nil {
		return ""
	}
	r, err := gourl.Parse(ref)
	if err != nil {
		return ""
	}
	u := b.ResolveReference(r)
	u.Fragment = ""
	u.RawFragment = ""
	if !u.IsAbs() {
		return ""
	}
	return u.String()
}

// walkCompiled records the draft and reference target of every schema
// reachable from s.
func walkCompiled(root *js.Schema, out *compiled) {
	seen := map[*js.Schema]bool{}
	stack := []*js.Schema{root}
	push := func(s *js.Schema) {
		if s != nil && !seen[s] {
			stack = append(stack, s)
		}
	}
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[s] {
			continue
		}
		seen[s] = true
		out.drafts[s.Location] = s.DraftVersion
		if s.Ref != nil {
			out.refs[s.Location] = s.Ref.Location
		}
		push(s.Ref)
		push(s.RecursiveRef)
		if s.DynamicRef != nil {
			push(s.DynamicRef.Ref)
		}
		push(s.Not)
		for _, l := range [][]*js.Schema{s.AllOf, s.AnyOf, s.OneOf, s.PrefixItems} {
			for _, x := range l {
				push(x)
			}
		}
		push(s.If)
		push(s.Then)
		push(s.Else)
		push(s.PropertyNames)
		for _, x := range s.Properties {
			push(x)
		}
		for _, x := range s.PatternProperties {
			push(x)
		}
		if x, ok := s.AdditionalProperties.(*js.Schema); ok {
			push(x)
		}
		for _, d := range s.Dependencies {
			if x, ok := d.(*js.Schema); ok {
				push(x)
			}
		}
		for _, x := range s.DependentSchemas {
			push(x)
		}
		push(s.UnevaluatedProperties)
		push(s.Contains)
		switch items := s.Items.(type) {
		case *js.Schema:
			push(items)
		case []*js.Schema:
			for _, x := range items {
				push(x)
			}
		}
		if x, ok := s.AdditionalItems.(*js.Schema); ok {
			push(x)
		}
		push(s.Items2020)
		push(s.UnevaluatedItems)
		push(s.ContentSchema)
	}
}

// located is a compile error with what is known of its place: the
// document and JSON pointer it concerns, or the URL that could not be
// loaded.
type located struct {
	doc     *document
	pointer []string
	msg     string
	refURL  string // set when a reference could not be loaded
}

// compileError turns a validator error into a located one.
func compileError(err error, docs map[string]*document) *located {
	var sve *js.SchemaValidationError
	if errors.As(err, &sve) {
		docURL, _, _ := strings.Cut(sve.URL, "#")
		l := &located{doc: docs[docURL]}
		var ve *js.ValidationError
		if errors.As(sve.Err, &ve) {
			if unit := firstLeaf(ve.BasicOutput()); unit != nil {
				l.pointer = splitPointer(unit.InstanceLocation)
				where := unit.InstanceLocation
				if where == "" {
					where = "/"
				}
				l.msg = fmt.Sprintf("schema is not valid against its metaschema at %s: %s", where, unit.Error.String())
				return l
			}
		}
		l.msg = "schema is not valid against its metaschema: " + oneLine(sve.Err.Error())
		return l
	}
	var lue *js.LoadURLError
	if errors.As(err, &lue) {
		return &located{
			msg:    fmt.Sprintf("cannot resolve %s: it is neither in the schema nor one of its references, and loading schemas from URLs is disabled", lue.URL),
			refURL: lue.URL,
		}
	}
	return &located{msg: oneLine(err.Error())}
}

// oneLine keeps a validator message on one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func (l *located) Error() string { return l.msg }

// firstLeaf is the first unit of a flat output that carries an error.
func firstLeaf(u *js.OutputUnit) *js.OutputUnit {
	for i := range u.Errors {
		if u.Errors[i].Error != nil {
			return &u.Errors[i]
		}
	}
	return nil
}

// splitPointer splits a JSON pointer into unescaped tokens.
func splitPointer(p string) []string {
	if p == "" || p == "/" {
		return nil
	}
	toks := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for i, t := range toks {
		toks[i] = unescapeToken(t)
	}
	return toks
}

func unescapeToken(t string) string {
	if !strings.Contains(t, "~") {
		return t
	}
	return strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
}

func escapeToken(t string) string {
	if strings.ContainsAny(t, "~/") {
		t = strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1")
	}
	return t
}

// childLoc is the validator's location string for a child of loc: its
// tokens are JSON-pointer escaped, then path escaped.
func childLoc(loc, tok string) string {
	return loc + "/" + gourl.PathEscape(escapeToken(tok))
}

// splitLoc splits a validator location into document URL and pointer
// tokens.
func splitLoc(loc string) (string, []string, bool) {
	url, frag, _ := strings.Cut(loc, "#")
	if frag == "" {
		return url, nil, true
	}
	if !strings.HasPrefix(frag, "/") {
		return url, nil, false
	}
	toks := strings.Split(frag[1:], "/")
	for i, t := range toks {
		u, err := gourl.PathUnescape(t)
		if err != nil {
			return url, nil, false
		}
		toks[i] = unescapeToken(u)
	}
	return url, toks, true
}

// findRef returns the pointer to the first "$ref" in v whose value
// resolves (against mainURL) to url, for placing an unresolvable-ref error.
func findRef(v *value, url string, path []string) ([]string, bool) {
	switch v.Kind {
	case jsontext.Object:
		for _, m := range v.Members {
			if m.Key == "$ref" {
				if s, ok := m.Value.Text(); ok && (s == url || resolveURL(mainURL, s) == url || strings.HasPrefix(s, url)) {
					return append(path, "$ref"), true
				}
			}
			if p, ok := findRef(m.Value, url, append(path, m.Key)); ok {
				return p, true
			}
		}
	case jsontext.Array:
		for i, el := range v.Elems {
			if p, ok := findRef(el, url, append(path, fmt.Sprint(i))); ok {
				return p, true
			}
		}
	}
	return nil, false
}
