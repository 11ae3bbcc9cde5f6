package api

import (
	"sync"

	"github.com/charter-registry/charter/registry"
)

// DefaultResponseCacheBytes is the default budget of the response cache:
// some 60,000 bodies of a typical 500-byte schema.
const DefaultResponseCacheBytes = 32 << 20

// bodyCache keeps the JSON bodies of the two reads serializers make on
// every cache miss, GET /schemas/ids/{id} and GET
// /subjects/{subject}/versions/{version}, so that a repeated read writes
// bytes encoded once instead of encoding them again.
//
// A body is kept under the request it answers (bodyKey) together with
// the registry.Revision of the Schema it was encoded from, and served
// again only while the registry reports that same revision for that
// request: a revision is derived from the content a read returns (id,
// version, deleted flag, timestamp, type and the identity digest of text,
// references, metadata and rule set), so a delete, a re-registration or
// a newer latest version changes it and the body is encoded afresh. Only
// the plain form of a read is kept: a request with a format, with
// fetchMaxId=true or with a query parameter the cache does not know is
// answered as if there were no cache. The body does not depend on the
// negotiated media type, which is set per request.
//
// The cache holds at most max bytes of bodies and keys; beyond that it
// drops entries in the map's iteration order, which is random enough to
// keep hot entries on average without bookkeeping on every hit.
type bodyCache struct {
	max   int64
	mu    sync.RWMutex
	m     map[bodyKey]*cachedBody
	bytes int64
}

// bodyKey is the request a cached body answers.
type bodyKey struct {
	route   cachedRoute
	id      int
	subject string
	// version is the requested version, registry.Latest for "latest".
	version int
	deleted bool
}

type cachedRoute uint8

const (
	routeSchemaByID cachedRoute = iota + 1
	routeVersion
)

type cachedBody struct {
	rev  registry.Revision
	body []byte
}

// entryOverhead approximates the bytes a cache entry costs beyond its body
// and subject: the map slot, the entry and the slice header.
const entryOverhead = 160

func newBodyCache(max int64) *bodyCache {
	return &bodyCache{max: max, m: map[bodyKey]*cachedBody{}}
}

// get returns the body kept for k if it was encoded from revision rev.
func (c *bodyCache) get(k bodyKey, rev registry.Revision) ([]byte, bool) {
	if c.max <= 0 {
		return nil, false
	}
	c.mu.RLock()
	e := c.m[k]
	c.mu.RUnlock()
	if e == nil || e.rev != rev {
		return nil, false
	}
	return e.body, true
}

// put keeps body, encoded from revision rev, as the answer to k. The cache
// owns body from now on: the caller must not change it.
func (c *bodyCache) put(k bodyKey, rev registry.Revision, body []byte) {
	size := int64(len(body)+len(k.subject)) + entryOverhead
	if c.max <= 0 || size > c.max/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.m[k]; old != nil {
		c.bytes -= int64(len(old.body)+len(k.subject)) + entryOverhead
		delete(c.m, k)
	}
	for key, e := range c.m {
		if c.bytes+size <= c.max {
			break
		}
		c.bytes -= int64(len(e.body)+len(key.subject)) + entryOverhead
		delete(c.m, key)
	}
	c.m[k] = &cachedBody{rev: rev, body: body}
	c.bytes += size
}

// size reports the entries and bytes held, for the metrics and tests.
func (c *bodyCache) size() (entries int, bytes int64) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m), c.bytes
}
