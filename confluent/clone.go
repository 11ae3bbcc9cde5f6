package confluent

import (
	"maps"
	"slices"
)

// Clone returns a copy of s that shares nothing with it: editing the
// copy's references, metadata or rule set leaves s as it was. A nil or
// empty slice or map stays nil or empty.
func (s Schema) Clone() Schema {
	s.References = slices.Clone(s.References)
	s.Metadata = s.Metadata.Clone()
	s.RuleSet = s.RuleSet.Clone()
	return s
}

// Clone returns a deep copy of m; nil for nil.
func (m *Metadata) Clone() *Metadata {
	if m == nil {
		return nil
	}
	out := &Metadata{Properties: maps.Clone(m.Properties), Sensitive: slices.Clone(m.Sensitive)}
	if m.Tags != nil {
		out.Tags = make(map[string][]string, len(m.Tags))
		for k, v := range m.Tags {
			out.Tags[k] = slices.Clone(v)
		}
	}
	return out
}

// Clone returns a deep copy of rs; nil for nil.
func (rs *RuleSet) Clone() *RuleSet {
	if rs == nil {
		return nil
	}
	out := &RuleSet{MigrationRules: cloneRules(rs.MigrationRules), DomainRules: cloneRules(rs.DomainRules), EncodingRules: cloneRules(rs.EncodingRules)}
	if rs.EnableAt != nil {
		at := *rs.EnableAt
		out.EnableAt = &at
	}
	return out
}

// Clone returns a copy of r that shares no slice or map with it.
func (r Rule) Clone() Rule {
	r.Tags = slices.Clone(r.Tags)
	r.Params = maps.Clone(r.Params)
	return r
}

func cloneRules(rs []Rule) []Rule {
	if rs == nil {
		return nil
	}
	out := make([]Rule, len(rs))
	for i, r := range rs {
		out[i] = r.Clone()
	}
	return out
}
