package governance

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/registry"
)

// SLA is what a topic's owner promises its consumers.
type SLA struct {
	// Freshness is how late a record may arrive after the fact it
	// records, as a duration: 30s, 5m, 1h, 1d.
	Freshness string `json:"freshness,omitempty"`
	// Ordering is none, per-key (records of one key in order) or total.
	Ordering string `json:"ordering,omitempty"`
	// Retention is how long records are kept (a duration such as 7d) or
	// forever (a compacted or infinite topic).
	Retention string `json:"retention,omitempty"`
}

// The data classifications, from least to most sensitive.
var classifications = []string{"public", "internal", "confidential", "restricted"}

var orderings = []string{"none", "per-key", "total"}

// parseSpan accepts a Go duration (90s, 5m, 1h30m) or whole days (7d).
func parseSpan(s string) (time.Duration, bool) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		d, err := strconv.Atoi(n)
		return time.Duration(d) * 24 * time.Hour, err == nil && d > 0 && d < 1_000_000
	}
	d, err := time.ParseDuration(s)
	return d, err == nil && d > 0
}

// clean checks an SLA and spells its words in lower case.
func (s SLA) clean() (SLA, error) {
	s.Freshness, s.Ordering, s.Retention = strings.TrimSpace(s.Freshness), strings.ToLower(strings.TrimSpace(s.Ordering)), strings.ToLower(strings.TrimSpace(s.Retention))
	if _, ok := parseSpan(s.Freshness); s.Freshness != "" && !ok {
		return SLA{}, registry.Errorf(registry.CodeInvalidRequest, "Invalid sla.freshness %q: give a positive duration such as 30s, 5m, 1h or 1d", s.Freshness)
	}
	if s.Ordering != "" && !slices.Contains(orderings, s.Ordering) {
		return SLA{}, registry.Errorf(registry.CodeInvalidRequest, "Invalid sla.ordering %q: use none, per-key or total", s.Ordering)
	}
	if _, ok := parseSpan(s.Retention); s.Retention != "" && s.Retention != "forever" && !ok {
		return SLA{}, registry.Errorf(registry.CodeInvalidRequest, "Invalid sla.retention %q: give a positive duration such as 7d or 168h, or forever", s.Retention)
	}
	return s, nil
}

func cleanClassification(c string) (string, error) {
	c = strings.ToLower(strings.TrimSpace(c))
	if c != "" && !slices.Contains(classifications, c) {
		return "", registry.Errorf(registry.CodeInvalidRequest, "Invalid classification %q: use public, internal, confidential or restricted", c)
	}
	return c, nil
}

// FieldInfo is one field of a schema with the tags the schema gives it.
type FieldInfo struct {
	// Record is the full name of the record that declares the field, Path
	// the field's dotted path (Record.name).
	Record string `json:"record"`
	Name   string `json:"name"`
	Path   string `json:"path"`
	Type   string `json:"type,omitempty"`
	Doc    string `json:"doc,omitempty"`
	// Tags are the field's inline tags (Avro confluent:tags, Protobuf
	// (confluent.field_meta).tags, JSON Schema confluent:tags), then those
	// the schema's metadata.tags assign to its path.
	Tags []string `json:"tags"`
}

// FieldTags lists every field the schema's own text declares, with its
// tags from the schema and from md's tag paths (Confluent's "*" within a
// segment, "**" across segments). Any format whose schema is a
// compat.Outliner has fields; others have none.
func FieldTags(parsed compat.Schema, md *registry.Metadata) []FieldInfo {
	out := []FieldInfo{}
	o, ok := parsed.(compat.Outliner)
	if !ok {
		return out
	}
	ol := o.Outline()
	if ol == nil {
		return out
	}
	var tagPaths []string // sorted once, not per field
	if md != nil {
		tagPaths = sortedKeys(md.Tags)
	}
	for _, r := range ol.Records {
		for _, f := range r.Fields {
			fi := FieldInfo{Record: r.FullName, Name: f.Name, Path: r.FullName + "." + f.Name, Type: typeName(f.Type), Doc: f.Doc.Text, Tags: slices.Clone(f.Tags)}
			if fi.Tags == nil {
				fi.Tags = []string{}
			}
			if len(tagPaths) > 0 {
				paths := []string{fi.Path, r.Name + "." + f.Name}
				for _, k := range tagPaths {
					if !slices.ContainsFunc(paths, func(p string) bool { return tagPathMatch(k, p) }) {
						continue
					}
					for _, tag := range md.Tags[k] {
						if !slices.Contains(fi.Tags, tag) {
							fi.Tags = append(fi.Tags, tag)
						}
					}
				}
			}
			out = append(out, fi)
		}
	}
	return out
}

func typeName(t compat.TypeRef) string {
	s := t.Kind
	if t.Name != "" {
		s = t.Name
	}
	if t.Nullable {
		s += "?"
	}
	return s
}

// tagPathMatch matches a metadata tag path against a field path: "*" is
// any text within one dotted segment, "**" any text across segments. It
// takes len(pattern) × len(path) steps whatever the pattern.
func tagPathMatch(pattern, path string) bool {
	// ok[j] reports whether the pattern consumed so far matches path[:j].
	ok := make([]bool, len(path)+1)
	ok[0] = true
	for i := 0; i < len(pattern); i++ {
		next := make([]bool, len(path)+1)
		switch {
		case strings.HasPrefix(pattern[i:], "**"):
			i++
			seen := false
			for j := 0; j <= len(path); j++ {
				seen = seen || ok[j]
				next[j] = seen
			}
		case pattern[i] == '*':
			for j := 0; j <= len(path); j++ {
				if ok[j] {
					next[j] = true
				} else if j > 0 && next[j-1] && path[j-1] != '.' {
					next[j] = true
				}
			}
		default:
			for j := 1; j <= len(path); j++ {
				next[j] = ok[j-1] && path[j-1] == pattern[i]
			}
		}
		ok = next
	}
	return ok[len(path)]
}

// SubjectFields is one bound subject's latest schema, field by field.
type SubjectFields struct {
	Subject    string      `json:"subject"`
	Role       string      `json:"role"`
	Version    int         `json:"version,omitempty"`
	SchemaType string      `json:"schemaType,omitempty"`
	Fields     []FieldInfo `json:"fields"`
}

// TopicFields is what a topic's contract says about its fields: for each
// bound subject's latest version, every field with its tags, and the
// fields by tag (PII: the paths that carry it).
type TopicFields struct {
	Topic    string              `json:"topic"`
	Subjects []SubjectFields     `json:"subjects"`
	ByTag    map[string][]string `json:"byTag"`
}

// Fields lists the fields and tags of topic name's contract; not found
// when it does not exist or v may not read it.
func (g *Governance) Fields(v Viewer, name string) (TopicFields, error) {
	g.mu.RLock()
	t, ok := g.topics[name]
	ok = ok && g.readableLocked(v, t)
	g.mu.RUnlock()
	if !ok {
		return TopicFields{}, errTopicNotFound(name)
	}
	out := TopicFields{Topic: name, Subjects: []SubjectFields{}, ByTag: map[string][]string{}}
	tagged := map[string]map[string]bool{} // ByTag's paths as sets
	for _, subj := range t.Subjects() {
		sf := SubjectFields{Subject: subj, Role: t.Role(subj), Fields: []FieldInfo{}}
		if latest, err := g.svc.Version(subj, registry.Latest, false); err == nil {
			sf.Version, sf.SchemaType = latest.Version, string(latest.SchemaType)
			sf.Fields = g.fields.get(g.svc, latest)
		}
		for _, f := range sf.Fields {
			for _, tag := range f.Tags {
				if tagged[tag] == nil {
					tagged[tag] = map[string]bool{}
				}
				if !tagged[tag][f.Path] {
					tagged[tag][f.Path] = true
					out.ByTag[tag] = append(out.ByTag[tag], f.Path)
				}
			}
		}
		out.Subjects = append(out.Subjects, sf)
	}
	return out, nil
}
