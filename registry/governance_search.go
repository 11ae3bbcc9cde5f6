package registry

import (
	"slices"
	"strings"
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
// of them (100 by default, at most 1000).
func (s *Service) Search(q string, limit int) []SearchHit {
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	out := []SearchHit{}
	q = strings.ToLower(strings.TrimSpace(q))
	if q == "" {
		return out
	}
	has := func(s string) bool { return strings.Contains(strings.ToLower(s), q) }
	add := func(h SearchHit) bool {
		out = append(out, h)
		return len(out) < limit
	}
	st := s.state
	st.mu.RLock()
	defer st.mu.RUnlock()
	g := s.gov
	for _, name := range g.sortedTeams() {
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
			return out
		}
	}
	for _, name := range sortedKeys(g.topics) {
		t := g.topics[name]
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
			return out
		}
	}
	subjects := sortedKeys(st.subjects)
	for _, name := range subjects {
		if !has(name) || !st.subjects[name].hasLive() {
			continue
		}
		topic, team := s.subjectTopicLocked(name)
		if !add(SearchHit{Kind: "subject", Name: name, Match: "name", Subject: name, Topic: topic, Team: team}) {
			return out
		}
	}
	for _, name := range subjects {
		vs := st.subjects[name].latest(false)
		if vs == nil || vs.schema == nil {
			continue
		}
		parsed, err := s.parsedLocked(vs.schema)
		fn, ok := parsed.(fieldNamer)
		if err != nil || !ok {
			continue
		}
		topic, team := s.subjectTopicLocked(name)
		for _, f := range fn.FieldNames() {
			if !has(f) {
				continue
			}
			if !add(SearchHit{Kind: "field", Name: f, Match: "field", Subject: name, Topic: topic, Team: team}) {
				return out
			}
		}
	}
	return out
}
