package governance

import (
	"slices"
	"strings"

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
// out.
func (g *Governance) Search(v Viewer, q string, limit int) []SearchHit {
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
	if !g.searchCatalogue(v, has, add) {
		return out
	}
	subjects := g.ReadableSubjects(v, g.svc.Subjects("", false, false))
	for _, name := range subjects {
		if !has(name) {
			continue
		}
		topic, team := g.placeOf(name)
		if !add(SearchHit{Kind: "subject", Name: name, Match: "name", Subject: name, Topic: topic, Team: team}) {
			return out
		}
	}
	for _, name := range subjects {
		latest, err := g.svc.Version(name, registry.Latest, false)
		if err != nil {
			continue
		}
		parsed, _, err := g.svc.SchemaOfIDIn(registry.SubjectContext(name), latest.ID)
		fn, ok := parsed.(fieldNamer)
		if err != nil || !ok {
			continue
		}
		topic, team := g.placeOf(name)
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
