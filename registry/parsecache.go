package registry

import (
	"container/list"
	"sync"

	"github.com/charter-registry/charter/compat"
)

// DefaultParsedCacheEntries is how many parsed schemas a Service keeps by
// default.
const DefaultParsedCacheEntries = 1024

// parseCache keeps the parsed forms of the schemas used most recently, at
// most max of them. A parsed form is many times the size of its text (an
// Avro schema's tree and hamba's model are about 30 times), so keeping
// every parsed form made memory grow with every schema ever checked
// against. One entry serves every subject that holds the schema: entries
// are per stored schema (per id), never per subject version. A schema
// evicted is parsed again on its next use, which costs a parse and nothing
// else: its text is always kept.
type parseCache struct {
	max int

	mu      sync.Mutex
	entries map[parseKey]*list.Element
	lru     list.List // of *parseEntry, most recent first
}

// parseEntry parses once; entries evicted while a parse runs finish it for
// whoever waits.
type parseEntry struct {
	key    parseKey
	once   sync.Once
	parsed compat.Schema
	err    error
}

func newParseCache(max int) *parseCache {
	return &parseCache{max: max, entries: map[parseKey]*list.Element{}}
}

// entry returns sc's entry, creating it and evicting the least recently
// used beyond max.
func (c *parseCache) entry(sc *storedSchema) *parseEntry {
	k := parseKey{ctx: sc.ctx(), id: sc.id(), typ: sc.typ(), identity: sc.identity}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[k]; ok {
		c.lru.MoveToFront(el)
		return el.Value.(*parseEntry)
	}
	e := &parseEntry{key: k}
	c.entries[k] = c.lru.PushFront(e)
	for c.lru.Len() > c.max {
		old := c.lru.Back()
		c.lru.Remove(old)
		delete(c.entries, old.Value.(*parseEntry).key)
	}
	return e
}

// parseKey names a stored schema by its content, not its address: the
// copy a write group's speculation made and the one the applied record
// made share one entry.
type parseKey struct {
	ctx      string
	id       int
	typ      compat.Type
	identity Identity
}

// get returns sc's parsed form, calling parse at most once per entry.
func (c *parseCache) get(sc *storedSchema, parse func() (compat.Schema, error)) (compat.Schema, error) {
	e := c.entry(sc)
	e.once.Do(func() { e.parsed, e.err = parse() })
	return e.parsed, e.err
}

// len returns the number of entries.
func (c *parseCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}

// A textCache keeps two generations of at most textCacheEntries texts and
// textCacheBytes bytes (texts and stored forms counted) each, and leaves
// out a text and stored form over textCacheMaxBytes: what a request can
// make the server hold is bounded by bytes, not only by entries (a request
// body may be megabytes long), and a large schema is worth parsing anyway.
const (
	textCacheEntries  = 2048
	textCacheBytes    = 8 << 20
	textCacheMaxBytes = 64 << 10
)

// textCache remembers the stored form (canonical or normalised text) of
// schema texts without references that parsed recently, so that a schema
// sent again, as a serializer sends its schema on every start to register
// it or look it up, is recognised by a map lookup instead of a parse. The
// stored form is a function of the text, the format and the parse options
// (normalize, validateNewSchemas), which the key holds. It keeps two
// generations of at most textCacheEntries texts each: a text found in the
// older one moves to the newer, and when the newer is full the older is
// dropped. The zero value is ready to use.
type textCache struct {
	mu       sync.Mutex
	cur, old map[textKey]string
	// curBytes and oldBytes count each generation's texts and stored forms.
	curBytes, oldBytes int
}

type textKey struct {
	typ               compat.Type
	normalize, strict bool
	text              string
}

// get returns the stored form of k's text, if it parsed recently.
func (c *textCache) get(k textKey) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.cur[k]; ok {
		return v, true
	}
	v, ok := c.old[k]
	if ok {
		c.putLocked(k, v)
	}
	return v, ok
}

// put notes the stored form of k's text.
func (c *textCache) put(k textKey, stored string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.putLocked(k, stored)
}

func (c *textCache) putLocked(k textKey, stored string) {
	size := len(k.text) + len(stored)
	if size > textCacheMaxBytes {
		return
	}
	if _, ok := c.cur[k]; ok {
		return
	}
	if len(c.cur) >= textCacheEntries || c.curBytes+size > textCacheBytes {
		c.old, c.cur = c.cur, nil
		c.oldBytes, c.curBytes = c.curBytes, 0
	}
	if c.cur == nil {
		c.cur = make(map[textKey]string, textCacheEntries)
	}
	c.cur[k] = stored
	c.curBytes += size
}

// bytes returns how many bytes of texts and stored forms c holds.
func (c *textCache) bytes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.curBytes + c.oldBytes
}
