package client

import (
	"sort"
	"strings"
	"sync"
	"time"
)

type subjectVersion struct {
	subject string
	version int
}

type timed struct {
	s       *Schema
	expires time.Time
}

// cache holds answers that are safe to reuse. Reads take a read lock and
// allocate nothing.
type cache struct {
	mu       sync.RWMutex
	ids      map[int]*Schema
	versions map[subjectVersion]*Schema
	latest   map[string]timed
	// registered maps subject + schema identity to the registry's answer.
	registered map[string]*Schema
}

func (c *cache) init() {
	c.ids = map[int]*Schema{}
	c.versions = map[subjectVersion]*Schema{}
	c.latest = map[string]timed{}
	c.registered = map[string]*Schema{}
}

func (c *cache) byID(id int) *Schema {
	c.mu.RLock()
	s := c.ids[id]
	c.mu.RUnlock()
	return s
}

func (c *cache) putID(id int, s *Schema) {
	c.mu.Lock()
	c.ids[id] = s
	c.mu.Unlock()
}

func (c *cache) byVersion(subject string, version int) *Schema {
	c.mu.RLock()
	s := c.versions[subjectVersion{subject, version}]
	c.mu.RUnlock()
	return s
}

func (c *cache) putVersion(s *Schema) {
	c.mu.Lock()
	c.versions[subjectVersion{s.Subject, s.Version}] = s
	c.mu.Unlock()
}

func (c *cache) getLatest(key string, now time.Time) *Schema {
	c.mu.RLock()
	e, ok := c.latest[key]
	c.mu.RUnlock()
	if !ok || now.After(e.expires) {
		return nil
	}
	return e.s
}

func (c *cache) putLatest(key string, s *Schema, expires time.Time) {
	c.mu.Lock()
	c.latest[key] = timed{s, expires}
	c.mu.Unlock()
}

func (c *cache) getRegistered(key string) *Schema {
	c.mu.RLock()
	s := c.registered[key]
	c.mu.RUnlock()
	return s
}

func (c *cache) putRegistered(key string, s *Schema) {
	c.mu.Lock()
	c.registered[key] = s
	c.mu.Unlock()
}

// metadataKey is the cache key of a latest-with-metadata lookup: the subject
// and the properties in key order, NUL-separated.
func metadataKey(subject string, props map[string]string) string {
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(subject)
	for _, k := range keys {
		b.WriteByte(0)
		b.WriteString(k)
		b.WriteByte(0)
		b.WriteString(props[k])
	}
	return b.String()
}
