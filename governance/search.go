package governance

import (
	"iter"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/charter-registry/charter/registry"
)

// SearchHit is one match of a catalogue search.
type SearchHit struct {
	// Kind is what matched: team, topic, subject or field.
	Kind string `json:"kind"`
	// Name is the team, topic or subject name, or the field's dotted path.
	Name string `json:"name"`
	// Match says where the query was found: name, description, tag or
	// field.
	Match string `json:"match"`
	// Subject, Topic and Team place the hit: a field's subject, a
	// subject's topic, a topic's owner.
	Subject string `json:"subject,omitempty"`
	Topic   string `json:"topic,omitempty"`
	Team    string `json:"team,omitempty"`
}

// fieldNamer is a parsed schema that lists its field names. Avro,
// Protobuf and JSON Schema schemas implement it.
type fieldNamer interface {
	FieldNames() []string
}

// Search finds q, case-insensitively, in team names and descriptions,
// topic names, descriptions and tags, subject names, and the field names
// of each subject's latest schema. Hits come in that order, at most limit
// of them (100 by default, at most 1000). Hits v may not read are left
// out. It is SearchAll cut at limit.
func (g *Governance) Search(v Viewer, q string, limit int) []SearchHit {
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	out := []SearchHit{}
	for h := range g.SearchAll(v, q) {
		out = append(out, h)
		if len(out) == limit {
			break
		}
	}
	return out
}

// SearchAll yields every hit of Search, in the same order, without a
// limit: the API's search is its first hits, and the catalogue's search
// page ranks and groups all of them, so the two find the same things.
func (g *Governance) SearchAll(v Viewer, q string) iter.Seq[SearchHit] {
	q = strings.ToLower(strings.TrimSpace(q))
	return func(yield func(SearchHit) bool) {
		if q == "" {
			return
		}
		has := func(s string) bool { return containsLower(s, q) }
		if !g.searchCatalogue(v, has, yield) {
			return
		}
		subjects := g.readableOf(v, g.search.latest(g.svc))
		for _, sub := range subjects {
			if !strings.Contains(sub.lower, q) {
				continue
			}
			topic, team := g.placeOf(sub.name)
			if !yield(SearchHit{Kind: "subject", Name: sub.name, Match: "name", Subject: sub.name, Topic: topic, Team: team}) {
				return
			}
		}
		for _, sub := range subjects {
			fields := g.search.fields(g.svc, sub.context, sub.id)
			placed := false
			var topic, team string
			for i, f := range fields.lower {
				if !strings.Contains(f, q) {
					continue
				}
				if !placed {
					topic, team = g.placeOf(sub.name)
					placed = true
				}
				if !yield(SearchHit{Kind: "field", Name: fields.names[i], Match: "field", Subject: sub.name, Topic: topic, Team: team}) {
					return
				}
			}
		}
	}
}

// readableOf keeps the subjects v may read, under one lock; all of them
// when v reads everything.
func (g *Governance) readableOf(v Viewer, subjects []searchSubject) []searchSubject {
	if v.all || !g.svc.Access().Enforce || v.p.Admin {
		return subjects
	}
	g.mu.RLock()
	defer g.mu.RUnlock()
	out := make([]searchSubject, 0, len(subjects))
	for _, s := range subjects {
		if g.subjectReadableLocked(v, s.name) {
			out = append(out, s)
		}
	}
	return out
}

// searchCache keeps what search reads of the registry: the live subjects
// with their latest schema id, rebuilt when the registry's state position
// moves, and each schema's field names by context and id, which never go
// stale because a schema id's text never changes. Without it every search
// looked up each subject's latest version and parsed again each schema
// the registry's bounded parse cache had dropped: 2.5 s a query on 10,000
// subjects.
type searchCache struct {
	snapshot atomic.Pointer[searchSnapshot]
	mu       sync.Mutex
	m        map[fieldKey]schemaFields
}

type searchSnapshot struct {
	pos      int64
	subjects []searchSubject
}

// searchSubject is a live subject, in the registry's listing order.
type searchSubject struct {
	name, lower, context string
	id                   int
}

// latest returns the live subjects as of the state's current position.
// The position is read before the subjects, so a write that lands in
// between only makes the next search rebuild again.
func (c *searchCache) latest(svc *registry.Service) []searchSubject {
	pos := svc.State().Position()
	if s := c.snapshot.Load(); s != nil && s.pos == pos {
		return s.subjects
	}
	// ":*:" is Confluent's prefix for every context.
	latest := svc.Schemas(registry.SchemaFilter{SubjectPrefix: ":*:", LatestOnly: true})
	s := &searchSnapshot{pos: pos, subjects: make([]searchSubject, len(latest))}
	for i, v := range latest {
		s.subjects[i] = searchSubject{name: v.Subject, lower: strings.ToLower(v.Subject), context: registry.SubjectContext(v.Subject), id: v.ID}
	}
	c.snapshot.Store(s)
	return s.subjects
}

type fieldKey struct {
	context string
	id      int
}

type schemaFields struct{ names, lower []string }

// fields returns the field names of schema id of context, lower-cased
// beside, parsing it the first time.
func (c *searchCache) fields(svc *registry.Service, context string, id int) schemaFields {
	k := fieldKey{context, id}
	c.mu.Lock()
	f, ok := c.m[k]
	c.mu.Unlock()
	if ok {
		return f
	}
	parsed, _, err := svc.SchemaOfIDIn(context, id)
	fn, isNamer := parsed.(fieldNamer)
	if err != nil || !isNamer {
		return f // not cached: a schema that fails to parse now may not later
	}
	f.names = fn.FieldNames()
	f.lower = make([]string, len(f.names))
	for i, n := range f.names {
		f.lower[i] = strings.ToLower(n)
	}
	c.mu.Lock()
	if c.m == nil {
		c.m = map[fieldKey]schemaFields{}
	}
	c.m[k] = f
	c.mu.Unlock()
	return f
}

// searchCatalogue adds the team and topic hits; false when add said the
// answer is full.
func (g *Governance) searchCatalogue(v Viewer, has func(string) bool, add func(SearchHit) bool) bool {
	g.mu.RLock()
	defer g.mu.RUnlock()
	for _, name := range sortedKeys(g.teams) {
		t := g.teams[name]
		var match string
		switch {
		case has(t.Name):
			match = "name"
		case has(t.Description):
			match = "description"
		default:
			continue
		}
		if !add(SearchHit{Kind: "team", Name: name, Match: match, Team: name}) {
			return false
		}
	}
	for _, name := range sortedKeys(g.topics) {
		t := g.topics[name]
		if !g.readableLocked(v, t) {
			continue
		}
		var match string
		switch {
		case has(t.Name):
			match = "name"
		case has(t.Description):
			match = "description"
		case slices.ContainsFunc(t.Tags, has):
			match = "tag"
		default:
			continue
		}
		if !add(SearchHit{Kind: "topic", Name: name, Match: match, Topic: name, Team: t.Owner}) {
			return false
		}
	}
	return true
}

// placeOf returns the name and owner of the topic subject is bound to.
func (g *Governance) placeOf(subject string) (topic, team string) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	if t, ok := g.topicOfLocked(subject); ok {
		return t.Name, t.Owner
	}
	return "", ""
}

// containsLower reports whether lower-cased s contains q (already lower
// case), without building the lower-cased copy when s is ASCII: search
// compares every team's and topic's name and description on each query.
func containsLower(s, q string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return strings.Contains(strings.ToLower(s), q)
		}
	}
	if len(q) == 0 {
		return true
	}
	for i := 0; i+len(q) <= len(s); i++ {
		j := 0
		for ; j < len(q); j++ {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != q[j] {
				break
			}
		}
		if j == len(q) {
			return true
		}
	}
	return false
}
