package web

import (
	"container/list"
	"html/template"
	"strings"
	"sync"

	"github.com/charter-registry/charter/registry"
)

// maxCodeLines is how many lines of a schema's text a page shows; the
// rest is counted, not highlighted (the diff page highlights a text in
// full when it is asked for).
const maxCodeLines = 2000

// rendered is a schema prepared for display: its indented text split into
// lines, the highlighted HTML of its first maxCodeLines lines (head, with
// more the number of lines left off), and, built when the diff page first
// asks, the highlighted HTML of every line.
type rendered struct {
	text   []string
	head   []template.HTML
	more   int
	syntax string

	linesOnce sync.Once
	lines     []template.HTML
	// fields is the schema's field table, built on first use.
	fieldsOnce sync.Once
	fields     *fieldTable
}

// renderCache keeps the most recently shown schemas highlighted, by schema
// context and id (ids are per context). An id's text never changes, so
// entries never go stale; the cache is bounded so that browsing a large
// registry cannot grow it without limit.
type renderCache struct {
	mu    sync.Mutex
	max   int
	order *list.List
	byID  map[schemaKey]*list.Element
}

// schemaKey names a stored schema: its id within its context.
type schemaKey struct {
	ctx string
	id  int
}

// keyOf is the key of s, a schema read through its subject.
func keyOf(s registry.Schema) schemaKey {
	return schemaKey{ctx: registry.SubjectContext(s.Subject), id: s.ID}
}

type cacheEntry struct {
	id schemaKey
	r  *rendered
}

func newRenderCache(max int) *renderCache {
	return &renderCache{max: max, order: list.New(), byID: map[schemaKey]*list.Element{}}
}

// get returns schema id rendered, highlighting it on a miss as a text in
// syntax (compat.SyntaxOf).
func (c *renderCache) get(id schemaKey, syntax, text string) *rendered {
	c.mu.Lock()
	if el, ok := c.byID[id]; ok {
		c.order.MoveToFront(el)
		r := el.Value.(*cacheEntry).r
		c.mu.Unlock()
		return r
	}
	c.mu.Unlock()
	shown := displayText(syntax, text)
	r := &rendered{text: splitLines(shown), syntax: syntax}
	if len(r.text) > maxCodeLines {
		// Lexing a prefix of the text gives the same tokens for its
		// lines (only a block comment running past the cut could be
		// coloured differently on the last lines shown).
		r.head = highlightLines(syntax, strings.Join(r.text[:maxCodeLines], "\n"))
		r.more = len(r.text) - maxCodeLines
	} else {
		r.head = highlightLines(syntax, shown)
		r.lines = r.head
		r.linesOnce.Do(func() {})
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byID[id]; ok {
		return el.Value.(*cacheEntry).r
	}
	c.byID[id] = c.order.PushFront(&cacheEntry{id: id, r: r})
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.byID, last.Value.(*cacheEntry).id)
	}
	return r
}

// all is the highlighted HTML of every line of the text.
func (r *rendered) all() []template.HTML {
	r.linesOnce.Do(func() { r.lines = highlightLines(r.syntax, strings.Join(r.text, "\n")) })
	return r.lines
}

func splitLines(s string) []string {
	out := []string{}
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}
