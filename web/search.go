package web

import (
	"iter"
	"sort"
	"strings"

	"github.com/charter-registry/charter/governance"
)

// searchLimit is how many hits of each kind a results page lists.
const searchLimit = 50

// fieldMatchLimit is how many matching fields one subject's hit lists.
const fieldMatchLimit = 8

// results is one search's hits, best first, by kind.
type results struct {
	Query    string
	Topics   []*topicEntry
	Teams    []*teamEntry
	Subjects []*subjectEntry
	Fields   []fieldHit
	// Counts before the limit cut the lists.
	TopicCount, TeamCount, SubjectCount, FieldCount int
}

// Empty reports whether nothing matched.
func (r results) Empty() bool {
	return r.TopicCount+r.TeamCount+r.SubjectCount+r.FieldCount == 0
}

// fieldHit is a subject whose latest schema has fields that match.
type fieldHit struct {
	Subject *subjectEntry
	Matches []string
	More    int
}

// rank orders a match: 0 for the whole name, 1 for a prefix, 2 for a
// prefix of a later word or dotted segment, 3 for anywhere, -1 for none.
func rank(name, q string) int {
	i := strings.Index(name, q)
	switch {
	case i < 0:
		return -1
	case len(name) == len(q):
		return 0
	case i == 0:
		return 1
	}
	for ; i >= 0; i = nextIndex(name, q, i) {
		if c := name[i-1]; c == '.' || c == '-' || c == '_' || c == ' ' || c == ':' || c == '/' {
			return 2
		}
	}
	return 3
}

func nextIndex(s, q string, after int) int {
	j := strings.Index(s[after+1:], q)
	if j < 0 {
		return -1
	}
	return after + 1 + j
}

type scored[T any] struct {
	v    T
	r    int
	name string
}

func best[T any](hits []scored[T], limit int) []T {
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].r != hits[j].r {
			return hits[i].r < hits[j].r
		}
		return hits[i].name < hits[j].name
	})
	if len(hits) > limit {
		hits = hits[:limit]
	}
	out := make([]T, len(hits))
	for i, h := range hits {
		out[i] = h.v
	}
	return out
}

// hitSource is a Directory that searches as the API does; the default
// GovernanceDirectory does, with governance.SearchAll, the function behind
// GET /v1/catalog/search. A Directory without it is searched over the
// index alone.
type hitSource interface {
	searchAll(v governance.Viewer, q string) iter.Seq[governance.SearchHit]
}

// searchAll is the API's search, as v may see it.
func (d governanceDirectory) searchAll(v governance.Viewer, q string) iter.Seq[governance.SearchHit] {
	return d.gov.SearchAll(v, q)
}

// collector gathers one search's hits by kind and ranks them.
type collector struct {
	q        string
	topics   []scored[*topicEntry]
	teams    []scored[*teamEntry]
	subjects []scored[*subjectEntry]
	// fields groups field hits by subject, in the order first seen.
	fields  map[string]*scored[fieldHit]
	ordered []*scored[fieldHit]
	seen    map[string]bool
}

func newCollector(q string) *collector {
	return &collector{q: q, fields: map[string]*scored[fieldHit]{}, seen: map[string]bool{}}
}

// once reports whether kind/name is new, so that a thing found twice (by
// the API's search and by the catalogue's own matching) is listed once.
func (c *collector) once(kind, name string) bool {
	k := kind + "\x00" + name
	if c.seen[k] {
		return false
	}
	c.seen[k] = true
	return true
}

// nameRank is rank by name, or, for a hit found elsewhere (a description,
// a tag), a rank after every name match.
func nameRank(lower, q string) int {
	if r := rank(lower, q); r >= 0 {
		return r
	}
	return 4
}

func (c *collector) topic(t *topicEntry) {
	if c.once("topic", t.Name) {
		c.topics = append(c.topics, scored[*topicEntry]{t, nameRank(t.lower, c.q), t.Name})
	}
}

func (c *collector) team(t *teamEntry) {
	if c.once("team", t.Name) {
		c.teams = append(c.teams, scored[*teamEntry]{t, nameRank(t.lower, c.q), t.Name})
	}
}

func (c *collector) subject(s *subjectEntry) {
	if c.once("subject", s.Name) {
		c.subjects = append(c.subjects, scored[*subjectEntry]{s, nameRank(s.lower, c.q), s.Name})
	}
}

// field adds a match in s's latest schema: shown is what the page lists
// (the field, or the field and the tag that matched), r its rank.
//
// Neither the API's search nor the index lists a field of a subject
// twice, so only tag matches, which can name a field already listed,
// need the check for repeats (tagged).
func (c *collector) field(s *subjectEntry, shown string, r int) {
	h := c.fields[s.Name]
	if h == nil {
		h = &scored[fieldHit]{v: fieldHit{Subject: s}, r: r, name: s.Name}
		c.fields[s.Name] = h
		c.ordered = append(c.ordered, h)
	}
	if r < h.r {
		h.r = r
	}
	if len(h.v.Matches) < fieldMatchLimit {
		h.v.Matches = append(h.v.Matches, shown)
	} else {
		h.v.More++
	}
}

// fieldRank ranks a field path; a match on the leaf of a dotted path is
// as good as a match on a top-level name.
func fieldRank(lower, q string) int {
	r := rank(lower, q)
	if r < 0 {
		return 4
	}
	if dot := strings.LastIndexByte(lower, '.'); dot >= 0 && r > 0 {
		if lr := rank(lower[dot+1:], q); lr >= 0 && lr < r {
			r = lr
		}
	}
	return r
}

// tags adds the fields of s that carry a tag the query names (PII, say).
func (c *collector) tags(s *subjectEntry) {
	for _, tf := range s.tagged {
		for i, t := range tf.lower {
			if r := rank(t, c.q); r >= 0 && r <= 1 {
				if shown := tf.Name + " [" + tf.Tags[i] + "]"; c.once("field\x00"+s.Name, shown) {
					c.field(s, shown, r)
				}
			}
		}
	}
}

func (c *collector) results(query string) results {
	res := results{Query: query}
	fields := make([]scored[fieldHit], len(c.ordered))
	for i, h := range c.ordered {
		fields[i] = *h
	}
	res.TopicCount, res.TeamCount, res.SubjectCount, res.FieldCount = len(c.topics), len(c.teams), len(c.subjects), len(fields)
	res.Topics = best(c.topics, searchLimit)
	res.Teams = best(c.teams, searchLimit)
	res.Subjects = best(c.subjects, searchLimit)
	res.Fields = best(fields, searchLimit)
	return res
}

// search finds query, case-insensitively. With a directory that searches
// as the API does, every API hit is listed (teams and topics by name or
// description, topics by tag, subjects by name, fields of each subject's
// latest schema), and the catalogue adds what only it knows: topics and
// teams inferred from subject names and metadata, and fields by their
// tags. Otherwise the index is searched by name, field and tag. Each kind
// is ranked: whole name, prefix, prefix of a later word, anywhere, then
// matches outside the name.
func (c *Catalogue) searchResults(v governance.Viewer, query string) results {
	ix := c.index()
	src, ok := c.cfg.directory.(hitSource)
	if !ok {
		return ix.search(query)
	}
	q := strings.ToLower(strings.TrimSpace(query))
	if q == "" {
		return results{Query: strings.TrimSpace(query)}
	}
	col := newCollector(q)
	for h := range src.searchAll(v, query) {
		switch h.Kind {
		case "team":
			if t := ix.byTeam[h.Name]; t != nil {
				col.team(t)
			}
		case "topic":
			if t := ix.byTopic[h.Name]; t != nil {
				col.topic(t)
			}
		case "subject":
			if s := ix.bySubject[h.Name]; s != nil {
				col.subject(s)
			}
		case "field":
			if s := ix.bySubject[h.Subject]; s != nil {
				col.field(s, h.Name, fieldRank(strings.ToLower(h.Name), q))
			}
		}
	}
	for _, t := range ix.topics {
		if t.Derived && rank(t.lower, q) >= 0 {
			col.topic(t)
		}
	}
	for _, t := range ix.teams {
		if t.Derived && rank(t.lower, q) >= 0 {
			col.team(t)
		}
	}
	for _, s := range ix.subjects {
		if len(s.tagged) > 0 && c.canReadSubject(v, s.Name) {
			col.tags(s)
		}
	}
	return col.results(strings.TrimSpace(query))
}

// search finds q, case-insensitively, in topic, team and subject names and
// in the field names and tags of every subject's latest schema, over the
// index alone: for a Directory that cannot search as the API does.
func (ix *index) search(query string) results {
	q := strings.ToLower(strings.TrimSpace(query))
	if q == "" {
		return results{Query: strings.TrimSpace(query)}
	}
	col := newCollector(q)
	for _, t := range ix.topics {
		if rank(t.lower, q) >= 0 {
			col.topic(t)
		}
	}
	for _, t := range ix.teams {
		if rank(t.lower, q) >= 0 {
			col.team(t)
		}
	}
	for _, s := range ix.subjects {
		if rank(s.lower, q) >= 0 {
			col.subject(s)
		}
		for i, f := range s.lowerFields {
			if rank(f, q) >= 0 {
				col.field(s, s.Fields[i], fieldRank(f, q))
			}
		}
		col.tags(s)
	}
	return col.results(strings.TrimSpace(query))
}
