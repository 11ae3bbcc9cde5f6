package api

import (
	"sync"
	"sync/atomic"

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
//
// In front of it, the bodies of GET /schemas/ids/{id} that were last
// served from the snapshot being read are found by id alone (hot), without
// working out the revision again: see hotBodies.
type bodyCache struct {
	max   int64
	mu    sync.RWMutex
	m     map[bodyKey]*cachedBody
	bytes int64
	hot   *hotBodies
}

// hotBodies answers the plain GET /schemas/ids/{id} of the snapshot most
// recently read with one atomic load: a read of a snapshot already served
// returns the same body for the same id, whatever was checked before
// (snapshots are never changed once published), so the lookup of the
// revision and the cache's map can be skipped. Each slot holds the entry
// of one id (id modulo the slots) and the serial of the snapshot it was
// found valid in; a serial names one snapshot (cur), and a new snapshot
// gets a new serial, which leaves every slot stale until a read of the new
// snapshot has checked its revision again. A slot points only to an entry
// the cache holds (put clears the slot of an entry it drops), so the hot
// slots never keep a body beyond the cache's budget.
type hotBodies struct {
	cur     atomic.Pointer[hotSnapshot]
	serials atomic.Uint64
	slots   [hotSlots]atomic.Pointer[hotEntry]
}

// hotSlots is the number of ids answered hot at once (a power of two):
// consecutive ids take distinct slots, so up to 4,096 schemas registered
// in a row are all hot.
const hotSlots = 4096

type hotSnapshot struct {
	sn     *registry.Snapshot
	serial uint64
}

// hotEntry is one hot slot's answer: its body is e's, held here as well
// so that a hot read loads one object, not two.
type hotEntry struct {
	serial uint64
	id     int
	body   []byte
	e      *cachedBody
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
	c := &bodyCache{max: max, m: map[bodyKey]*cachedBody{}}
	if max > 0 {
		c.hot = &hotBodies{}
	}
	return c
}

// serial returns the serial of sn for the hot slots, giving sn one if
// it is newer than the snapshot that has one; false when sn is older (a
// read that took its snapshot before a write), which then takes the
// ordinary path.
func (c *bodyCache) serial(sn *registry.Snapshot) (uint64, bool) {
	if c.hot == nil {
		return 0, false
	}
	cur := c.hot.cur.Load()
	if cur != nil && cur.sn == sn {
		return cur.serial, true
	}
	if cur != nil && sn.Position() < cur.sn.Position() {
		return 0, false
	}
	next := &hotSnapshot{sn: sn, serial: c.hot.serials.Add(1)}
	if !c.hot.cur.CompareAndSwap(cur, next) {
		return 0, false
	}
	return next.serial, true
}

// hotByID returns the body of the plain GET /schemas/ids/{id} found valid
// in the snapshot of serial.
func (c *bodyCache) hotByID(serial uint64, id int) ([]byte, bool) {
	h := c.hot.slots[uint(id)%hotSlots].Load()
	if h == nil || h.serial != serial || h.id != id {
		return nil, false
	}
	return h.body, true
}

// keepHot makes e, the entry of the plain GET /schemas/ids/{id} just found
// valid in the snapshot of serial, the hot answer for id, if the cache
// still holds it.
func (c *bodyCache) keepHot(serial uint64, id int, e *cachedBody) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.m[bodyKey{route: routeSchemaByID, id: id}] != e {
		return
	}
	c.hot.slots[uint(id)%hotSlots].Store(&hotEntry{serial: serial, id: id, body: e.body, e: e})
}

// dropHot clears the hot slot of e, an entry the cache no longer holds
// under k. The caller holds c.mu for writing.
func (c *bodyCache) dropHot(k bodyKey, e *cachedBody) {
	if c.hot == nil || k.route != routeSchemaByID {
		return
	}
	slot := &c.hot.slots[uint(k.id)%hotSlots]
	if h := slot.Load(); h != nil && h.e == e {
		slot.Store(nil)
	}
}

// get returns the body kept for k if it was encoded from revision rev,
// and its entry.
func (c *bodyCache) get(k bodyKey, rev registry.Revision) (*cachedBody, bool) {
	if c.max <= 0 {
		return nil, false
	}
	c.mu.RLock()
	e := c.m[k]
	c.mu.RUnlock()
	if e == nil || e.rev != rev {
		return nil, false
	}
	return e, true
}

// put keeps body, encoded from revision rev, as the answer to k, and
// returns its entry (nil when the body is not kept). The cache owns body
// from now on: the caller must not change it.
func (c *bodyCache) put(k bodyKey, rev registry.Revision, body []byte) *cachedBody {
	size := int64(len(body)+len(k.subject)) + entryOverhead
	if c.max <= 0 || size > c.max/4 {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.m[k]; old != nil {
		c.bytes -= int64(len(old.body)+len(k.subject)) + entryOverhead
		delete(c.m, k)
		c.dropHot(k, old)
	}
	for key, e := range c.m {
		if c.bytes+size <= c.max {
			break
		}
		c.bytes -= int64(len(e.body)+len(key.subject)) + entryOverhead
		delete(c.m, key)
		c.dropHot(key, e)
	}
	e := &cachedBody{rev: rev, body: body}
	c.m[k] = e
	c.bytes += size
	return e
}

// size reports the entries and bytes held, for the metrics and tests.
func (c *bodyCache) size() (entries int, bytes int64) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m), c.bytes
}
