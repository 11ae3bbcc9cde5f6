package registry

import (
	"context"
	"slices"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/confluent"
)

func entityTags(in []confluent.SchemaTags) []compat.EntityTags {
	out := make([]compat.EntityTags, 0, len(in))
	for _, t := range in {
		out = append(out, compat.EntityTags{Path: t.SchemaEntity.EntityPath, Type: t.SchemaEntity.EntityType, Tags: t.Tags})
	}
	return out
}

// applyTags returns req with its schema's inline tags edited as
// req.TagsToAdd and req.TagsToRemove ask, and the tag lists cleared.
func (s *Service) applyTags(req RegisterRequest) (RegisterRequest, error) {
	if len(req.TagsToAdd) == 0 && len(req.TagsToRemove) == 0 {
		return req, nil
	}
	f, t, err := s.format(req.SchemaType)
	if err != nil {
		return req, err
	}
	for _, list := range [][]confluent.SchemaTags{req.TagsToAdd, req.TagsToRemove} {
		for _, et := range list {
			if et.SchemaEntity.EntityPath == "" {
				return req, Errorf(CodeInvalidSchema, "Invalid schema tags: an entity has no entityPath")
			}
			if et.SchemaEntity.EntityType != compat.EntityRecord && et.SchemaEntity.EntityType != compat.EntityField {
				return req, Errorf(CodeInvalidSchema, "Invalid schema tags: entityType %q of '%s' is not sr_record or sr_field", et.SchemaEntity.EntityType, et.SchemaEntity.EntityPath)
			}
		}
	}
	tagger, ok := f.(compat.Tagger)
	if !ok {
		return req, Errorf(CodeInvalidSchema, "Invalid schema: charter cannot edit the tags of %s schemas yet; put the tags in the schema text instead", t)
	}
	text, err := tagger.Tag(req.Schema, entityTags(req.TagsToAdd), entityTags(req.TagsToRemove))
	if err != nil {
		// Confluent wraps the IllegalArgumentException its tagger throws.
		return req, &Error{Code: CodeInvalidSchema, Message: "java.lang.IllegalArgumentException: " + err.Error(), Err: err}
	}
	req.Schema = text
	req.TagsToAdd, req.TagsToRemove = nil, nil
	return req, nil
}

// TagRequest is Confluent's TagSchemaRequest: a new version of a subject
// made from an existing one with tags added and removed and, optionally,
// new metadata and rules.
type TagRequest struct {
	// NewVersion, when set, must be the version the write creates (the
	// latest + 1).
	NewVersion   *int
	TagsToAdd    []confluent.SchemaTags
	TagsToRemove []confluent.SchemaTags
	// Metadata replaces the version's metadata; nil keeps it.
	Metadata *Metadata
	// RuleSet replaces the version's rules. RulesToMerge (merged by rule
	// name) and RulesToRemove (rule names) edit the rules of the version
	// before NewVersion (the latest without it) instead, and exclude it.
	RuleSet       *RuleSet
	RulesToMerge  *RuleSet
	RulesToRemove []string
}

// TagVersion registers a new version of subject: version's schema with
// the tags, metadata and rules of req. It answers as Register does.
func (s *Service) TagVersion(ctx context.Context, subject string, version int, req TagRequest) (Schema, error) {
	if err := ValidateSubject(subject); err != nil {
		return Schema{}, err
	}
	cur, err := s.Version(subject, version, false)
	if err != nil {
		return Schema{}, err
	}
	if (req.RulesToMerge != nil || req.RulesToRemove != nil) && req.RuleSet != nil {
		return Schema{}, Errorf(CodeInvalidRuleSet, "ruleSet should be omitted if specifying rulesToMerge or rulesToRemove")
	}
	if req.NewVersion != nil {
		latest, err := s.Version(subject, Latest, false)
		if err != nil {
			return Schema{}, err
		}
		if *req.NewVersion != latest.Version+1 {
			return Schema{}, Errorf(CodeInvalidVersion, "The new version %d is not the next version of subject '%s' (%d)", *req.NewVersion, subject, latest.Version+1)
		}
	}
	md := cur.Metadata
	if req.Metadata != nil {
		md = req.Metadata
	}
	rs := req.RuleSet
	if req.RulesToMerge != nil || req.RulesToRemove != nil {
		old := Latest
		if req.NewVersion != nil {
			old = *req.NewVersion - 1
		}
		var base *RuleSet
		if prev, err := s.Version(subject, old, false); err == nil {
			base = prev.RuleSet
		}
		rs = base
		if req.RulesToMerge != nil {
			rs = mergeRuleSet(base, req.RulesToMerge)
			if req.RulesToMerge.EnableAt == nil && base != nil {
				rs.EnableAt = base.EnableAt
			}
		}
		if rs != nil && len(req.RulesToRemove) > 0 {
			drop := func(rules []Rule) []Rule {
				out := slices.DeleteFunc(slices.Clone(rules), func(r Rule) bool { return slices.Contains(req.RulesToRemove, r.Name) })
				if len(out) == 0 {
					return nil
				}
				return out
			}
			rs = &RuleSet{MigrationRules: drop(rs.MigrationRules), DomainRules: drop(rs.DomainRules), EncodingRules: drop(rs.EncodingRules), EnableAt: rs.EnableAt}
		}
	}
	return s.Register(ctx, subject, RegisterRequest{
		Schema:       cur.Schema,
		SchemaType:   compat.Type(cur.SchemaType),
		References:   cur.References,
		Metadata:     md,
		RuleSet:      rs,
		TagsToAdd:    req.TagsToAdd,
		TagsToRemove: req.TagsToRemove,
	})
}
