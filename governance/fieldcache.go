package governance

import (
	"slices"
	"sync"

	"github.com/charter-registry/charter/registry"
)

// fieldCacheSize bounds the schemas whose field lists are kept.
const fieldCacheSize = 256

// fieldCache keeps FieldTags of recently read schemas by context and id:
// an id's text and metadata never change, so an entry never goes stale,
// and listing a large schema's fields (parse, outline, tag paths) is the
// whole cost of GET /v1/catalog/topics/{topic}/fields, which any reader
// may repeat. When it is full it is emptied, which keeps it bounded
// without bookkeeping per read.
type fieldCache struct {
	mu      sync.Mutex
	entries map[fieldsKey][]FieldInfo
}

type fieldsKey struct {
	ctx string
	id  int
}

// get returns the fields of stored schema s, an empty list when it does
// not parse. The caller gets its own copy of the list and of each tag
// list.
func (c *fieldCache) get(svc *registry.Service, s registry.Schema) []FieldInfo {
	k := fieldsKey{ctx: registry.SubjectContext(s.Subject), id: s.ID}
	c.mu.Lock()
	fields, ok := c.entries[k]
	c.mu.Unlock()
	if !ok {
		fields = []FieldInfo{}
		parsed, _, err := svc.SchemaOfIDIn(k.ctx, s.ID)
		if err == nil {
			fields = FieldTags(parsed, s.Metadata)
			c.mu.Lock()
			if c.entries == nil || len(c.entries) >= fieldCacheSize {
				c.entries = map[fieldsKey][]FieldInfo{}
			}
			c.entries[k] = fields
			c.mu.Unlock()
		}
	}
	out := slices.Clone(fields)
	for i := range out {
		out[i].Tags = slices.Clone(out[i].Tags)
	}
	return out
}
