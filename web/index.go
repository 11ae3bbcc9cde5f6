package web

import (
	"sort"
	"strings"
	"time"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/confluent"
	"github.com/charter-registry/charter/registry"
)

// fieldLister is what a parsed schema offers when it can list its field
// names; every format charter ships implements it.
type fieldLister interface {
	FieldNames() []string
}

// subjectEntry is one live subject as search and the listings see it.
type subjectEntry struct {
	Name    string
	Type    compat.Type
	Version int
	ID      int
	Fields  []string
	// Topic is the topic whose key or value the subject holds, if known.
	Topic string
	// Team owns the subject: from its metadata, else from its topic.
	Team string

	lower       string
	lowerFields []string
	// tagged are the fields of the latest schema that carry inline tags,
	// for search by tag.
	tagged []taggedField
}

// taggedField is one field with its tags, as the subject page's field
// table and search by tag show it.
type taggedField struct {
	Record string
	Name   string
	Tags   []string
	lower  []string
}

// topicEntry is a topic with the lower-cased name search compares.
type topicEntry struct {
	Topic
	lower string
}

// teamEntry is a team with what it owns.
type teamEntry struct {
	Team
	Topics   []string
	Subjects []string
	lower    string
}

// index is everything search and the listings need, built once per state
// position. It is never modified after build, so requests share it
// without locks.
type index struct {
	pos       int64
	subjects  []*subjectEntry
	bySubject map[string]*subjectEntry
	topics    []*topicEntry
	byTopic   map[string]*topicEntry
	teams     []*teamEntry
	byTeam    map[string]*teamEntry
	// private lists the private topics, whose pages and subjects each
	// reader may or may not see.
	private []string
	// refBy maps a subject version to the versions whose schemas reference it.
	refBy map[registry.SubjectVersion][]registry.SubjectVersion
	// fields caches field names by schema id for the next build: an id's
	// text never changes, so only new ids are parsed again.
	fields map[schemaKey]fieldNames
	// built is how long the build took; builtAt is when it finished.
	built   time.Duration
	builtAt time.Time
	// large is set when the build was slow on a registry with many
	// subjects; such an index is rebuilt in the background.
	large bool
}

// buildIndex reads the registry (and directory, when there is one) at
// position pos. prev, when not nil, lends its field cache.
func buildIndex(svc *registry.Service, dir Directory, pos int64, prev *index) *index {
	start := time.Now()
	ix := &index{
		pos:       pos,
		bySubject: map[string]*subjectEntry{},
		byTopic:   map[string]*topicEntry{},
		byTeam:    map[string]*teamEntry{},
		refBy:     map[registry.SubjectVersion][]registry.SubjectVersion{},
		fields:    map[schemaKey]fieldNames{},
	}
	var oldFields map[schemaKey]fieldNames
	if prev != nil {
		oldFields = prev.fields
	}

	owners := map[string]string{}   // subject -> team from metadata
	contacts := map[string]string{} // team -> contact from metadata
	all := svc.Schemas(registry.SchemaFilter{SubjectPrefix: confluent.Wildcard, Deleted: true})
	for i, s := range all {
		holder := registry.SubjectVersion{Subject: s.Subject, Version: s.Version}
		for _, r := range s.References {
			k := registry.SubjectVersion{Subject: confluent.InContext(registry.SubjectContext(s.Subject), r.Subject), Version: r.Version}
			ix.refBy[k] = append(ix.refBy[k], holder)
		}
		if s.Deleted {
			continue
		}
		// Schemas lists versions in order, so the last live one of a
		// subject is its latest.
		if hasLiveAfter(all[i+1:], s.Subject) {
			continue
		}
		typ := confluent.TypeOrAvro(s.SchemaType)
		e := &subjectEntry{Name: s.Subject, Type: typ, Version: s.Version, ID: s.ID, lower: strings.ToLower(s.Subject)}
		fn := ix.fieldsOf(svc, keyOf(s), oldFields)
		e.Fields, e.lowerFields, e.tagged = fn.names, fn.lower, fn.tagged
		if team, contact := ownerOf(s.Metadata); team != "" {
			owners[s.Subject] = team
			if contact != "" && contacts[team] == "" {
				contacts[team] = contact
			}
		}
		ix.subjects = append(ix.subjects, e)
		ix.bySubject[e.Name] = e
	}

	var topics []Topic
	var teams []Team
	if dir != nil {
		topics = dir.Topics()
		teams = dir.Teams()
	}
	for _, t := range topics {
		ix.addTopic(t)
	}
	// Topics the directory does not know are inferred from subject names.
	for _, e := range ix.subjects {
		name, key, ok := topicOf(e.Name)
		if !ok {
			continue
		}
		te := ix.byTopic[name]
		if te == nil {
			te = ix.addTopic(Topic{Name: name, Derived: true})
		}
		if !te.Derived {
			continue
		}
		if key {
			te.KeySubject = e.Name
		} else {
			te.ValueSubject = e.Name
		}
	}
	for _, te := range ix.topics {
		for _, s := range []string{te.ValueSubject, te.KeySubject} {
			if e := ix.bySubject[s]; e != nil && e.Topic == "" {
				e.Topic = te.Name
			}
			if te.Derived && te.Team == "" && owners[s] != "" {
				te.Team = owners[s]
			}
		}
	}
	sort.Slice(ix.topics, func(i, j int) bool { return ix.topics[i].Name < ix.topics[j].Name })

	for _, t := range teams {
		ix.addTeam(t)
	}
	team := func(name string) *teamEntry {
		if te := ix.byTeam[name]; te != nil {
			return te
		}
		t := Team{Name: name, Derived: true}
		if c := contacts[name]; c != "" {
			t.Contacts = []Contact{{Email: c}}
		}
		return ix.addTeam(t)
	}
	for _, t := range ix.topics {
		if t.Team != "" {
			tm := team(t.Team)
			tm.Topics = append(tm.Topics, t.Name)
		}
	}
	for _, e := range ix.subjects {
		// A governed topic's owner outranks a metadata hint, which anyone
		// who may write the subject could have set.
		var topic *topicEntry
		if e.Topic != "" {
			topic = ix.byTopic[e.Topic]
		}
		switch {
		case topic != nil && !topic.Derived && topic.Team != "":
			e.Team = topic.Team
		case owners[e.Name] != "":
			e.Team = owners[e.Name]
		case topic != nil:
			e.Team = topic.Team
		}
		if e.Team != "" {
			tm := team(e.Team)
			tm.Subjects = append(tm.Subjects, e.Name)
		}
	}
	sort.Slice(ix.teams, func(i, j int) bool { return ix.teams[i].Name < ix.teams[j].Name })
	ix.builtAt = time.Now()
	ix.built = ix.builtAt.Sub(start)
	// Both conditions: on a loaded machine even a small index can take
	// longer than largeBuild, and a small registry must show every write
	// at once.
	ix.large = ix.built > largeBuild && len(ix.subjects) >= largeSubjects
	return ix
}

func hasLiveAfter(rest []registry.Schema, subject string) bool {
	for _, s := range rest {
		if s.Subject != subject {
			return false
		}
		if !s.Deleted {
			return true
		}
	}
	return false
}

func (ix *index) addTopic(t Topic) *topicEntry {
	if te := ix.byTopic[t.Name]; te != nil {
		return te
	}
	if t.Private {
		ix.private = append(ix.private, t.Name)
	}
	te := &topicEntry{Topic: t, lower: strings.ToLower(t.Name)}
	ix.topics = append(ix.topics, te)
	ix.byTopic[t.Name] = te
	return te
}

func (ix *index) addTeam(t Team) *teamEntry {
	if te := ix.byTeam[t.Name]; te != nil {
		return te
	}
	te := &teamEntry{Team: t, lower: strings.ToLower(t.Name)}
	ix.teams = append(ix.teams, te)
	ix.byTeam[t.Name] = te
	return te
}

// fieldNames are a schema's field names as listed and lower-cased, and
// its tagged fields.
type fieldNames struct {
	names, lower []string
	tagged       []taggedField
}

// taggedFields lists the fields of an outlined schema that carry tags.
func taggedFields(parsed compat.Schema) []taggedField {
	ol, ok := parsed.(compat.Outliner)
	if !ok {
		return nil
	}
	var out []taggedField
	for _, r := range ol.Outline().Records {
		for _, f := range r.Fields {
			if len(f.Tags) == 0 {
				continue
			}
			tf := taggedField{Record: r.FullName, Name: f.Name, Tags: f.Tags}
			for _, t := range f.Tags {
				tf.lower = append(tf.lower, strings.ToLower(t))
			}
			out = append(out, tf)
		}
	}
	return out
}

// fieldsOf returns the field names of schema id, from the previous
// index's cache when it has them.
func (ix *index) fieldsOf(svc *registry.Service, id schemaKey, old map[schemaKey]fieldNames) fieldNames {
	if f, ok := ix.fields[id]; ok {
		return f
	}
	f, ok := old[id]
	if !ok {
		if parsed, _, err := svc.SchemaOfIDIn(id.ctx, id.id); err == nil {
			if fl, isLister := parsed.(fieldLister); isLister {
				f.names = fl.FieldNames()
			}
			f.tagged = taggedFields(parsed)
		}
		f.lower = make([]string, len(f.names))
		for i, n := range f.names {
			f.lower[i] = strings.ToLower(n)
		}
	}
	ix.fields[id] = f
	return f
}
