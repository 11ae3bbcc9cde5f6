package web

import (
	"sort"
	"strings"
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

// search finds q, case-insensitively, in topic, team and subject names and
// in the field names of every subject's latest schema. The lists are
// already sorted by name, so one pass each with a stable sort by rank
// keeps equal ranks in name order.
func (ix *index) search(query string) results {
	q := strings.ToLower(strings.TrimSpace(query))
	res := results{Query: strings.TrimSpace(query)}
	if q == "" {
		return res
	}
	var topics []scored[*topicEntry]
	for _, t := range ix.topics {
		if r := rank(t.lower, q); r >= 0 {
			topics = append(topics, scored[*topicEntry]{t, r, t.Name})
		}
	}
	var teams []scored[*teamEntry]
	for _, t := range ix.teams {
		if r := rank(t.lower, q); r >= 0 {
			teams = append(teams, scored[*teamEntry]{t, r, t.Name})
		}
	}
	var subjects []scored[*subjectEntry]
	var fields []scored[fieldHit]
	for _, s := range ix.subjects {
		if r := rank(s.lower, q); r >= 0 {
			subjects = append(subjects, scored[*subjectEntry]{s, r, s.Name})
		}
		top := -1
		var hit fieldHit
		for i, f := range s.lowerFields {
			r := rank(f, q)
			if r < 0 {
				continue
			}
			// A match on the leaf of a dotted path is as good as a
			// match on a top-level name.
			if dot := strings.LastIndexByte(f, '.'); dot >= 0 && r > 0 {
				if lr := rank(f[dot+1:], q); lr >= 0 && lr < r {
					r = lr
				}
			}
			if top < 0 || r < top {
				top = r
			}
			if len(hit.Matches) < fieldMatchLimit {
				hit.Matches = append(hit.Matches, s.Fields[i])
			} else {
				hit.More++
			}
		}
		// A field carrying a tag the query names (PII, say) matches too.
		for _, tf := range s.tagged {
			for i, t := range tf.lower {
				r := rank(t, q)
				if r < 0 || r > 1 {
					continue
				}
				if top < 0 || r < top {
					top = r
				}
				if len(hit.Matches) < fieldMatchLimit {
					hit.Matches = append(hit.Matches, tf.Name+" ["+tf.Tags[i]+"]")
				} else {
					hit.More++
				}
			}
		}
		if top >= 0 {
			hit.Subject = s
			fields = append(fields, scored[fieldHit]{hit, top, s.Name})
		}
	}
	res.TopicCount, res.TeamCount, res.SubjectCount, res.FieldCount = len(topics), len(teams), len(subjects), len(fields)
	res.Topics = best(topics, searchLimit)
	res.Teams = best(teams, searchLimit)
	res.Subjects = best(subjects, searchLimit)
	res.Fields = best(fields, searchLimit)
	return res
}
