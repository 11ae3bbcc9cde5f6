package registry

import (
	"fmt"
	"slices"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/lint"
)

// Lookup finds the version of subject that holds the schema.
func (s *Service) Lookup(subject string, req RegisterRequest, deleted bool) (Schema, error) {
	req, err := s.applyTags(req)
	if err != nil {
		return Schema{}, err
	}
	if err := s.checkRequest(subject, req); err != nil {
		return Schema{}, err
	}
	sn := s.Snapshot()
	ss := sn.subject(subject)
	if ss == nil || (!deleted && !ss.hasLive()) {
		return Schema{}, errSubjectNotFound(subject)
	}
	cfg := sn.effectiveConfig(subject, s.cfg.DefaultCompatibility)
	c := s.knownText(req, cfg.normalize(req.Normalize), false, req.Metadata, req.RuleSet)
	if c == nil {
		if c, err = s.prepare(sn, contextOf(subject), req, cfg.normalize(req.Normalize), false, req.Metadata, req.RuleSet); err != nil {
			return Schema{}, err
		}
	}
	for i := len(ss.versions) - 1; i >= 0; i-- {
		vs := &ss.versions[i]
		sc := vs.schema
		if sc == nil || (vs.deleted && !deleted) || !sc.textIs(c.text) || !slices.Equal(sc.refs(), c.refs) {
			continue
		}
		if (req.Metadata != nil || req.RuleSet != nil) && sc.identity != c.identity {
			continue
		}
		return view(subject, vs), nil
	}
	// Confluent's lookUpSchemaUnderSubject answers a miss in an existing
	// subject with its bare "Schema not found" (Errors.SCHEMA_NOT_FOUND_MESSAGE).
	return Schema{}, Errorf(CodeSchemaNotFound, "Schema not found")
}

// CompatibilityResult is the answer to a compatibility test.
type CompatibilityResult struct {
	Compatible bool
	Level      compat.Level
	Violations []compat.Violation
	// Lint holds the schema's lint findings under the subject's lint
	// policy, compared with its latest version; nil when the policy is
	// off.
	Lint []lint.Finding
}

// CheckCompatibility tests a schema against one version of subject, or
// against the versions the subject's level selects when version is 0.
func (s *Service) CheckCompatibility(subject string, version int, req RegisterRequest) (CompatibilityResult, error) {
	req, err := s.applyTags(req)
	if err != nil {
		return CompatibilityResult{}, err
	}
	if err := s.checkRequest(subject, req); err != nil {
		return CompatibilityResult{}, err
	}
	s.state.mu.RLock() // the lint policy may be a topic's
	defer s.state.mu.RUnlock()
	sn := s.Snapshot()
	cfg := sn.effectiveConfig(subject, s.cfg.DefaultCompatibility)
	md, rs := sn.inherit(subject, cfg, req.Metadata, req.RuleSet)
	c, err := s.prepare(sn, contextOf(subject), req, cfg.normalize(req.Normalize), cfg.validateNew(req), md, rs)
	if err != nil {
		return CompatibilityResult{}, err
	}
	prev, err := s.checkedAgainst(sn, subject, version, cfg, md)
	if err != nil {
		return CompatibilityResult{}, err
	}
	level := *cfg.Compatibility
	v := compat.Check(c.format, level, c.typ, c.parsed, prev, options(cfg))
	_, fs := s.lintOn(sn, subject, c)
	return CompatibilityResult{Compatible: len(v) == 0, Level: level, Violations: v, Lint: fs}, nil
}

// checkedAgainst returns the versions a compatibility test compares with:
// those the level selects (version 0), the latest live one, or one named.
func (s *Service) checkedAgainst(sn *Snapshot, subject string, version int, cfg Config, md *Metadata) ([]compat.Version, error) {
	if version == 0 {
		return s.previous(sn, subject, cfg, md)
	}
	ss := sn.subject(subject)
	if version == Latest {
		if ss != nil {
			if vs := ss.latest(false); vs != nil {
				return s.versionOn(sn, vs)
			}
		}
		return nil, nil
	}
	// Confluent looks only the version up, so a missing subject is a
	// missing version too (CompatibilityResource).
	var vs *versionState
	if ss != nil {
		vs = ss.version(version)
	}
	if vs == nil || vs.deleted {
		return nil, errVersionNotFound(version)
	}
	return s.versionOn(sn, vs)
}

func (s *Service) versionOn(sn *Snapshot, vs *versionState) ([]compat.Version, error) {
	sc := vs.schema
	if sc == nil {
		return nil, nil
	}
	p, err := s.parsedOn(sn, sc)
	if err != nil {
		return nil, &Error{Code: CodeStoreError, Message: fmt.Sprintf("Stored schema %d no longer parses: %v", sc.id(), err), Err: err}
	}
	return []compat.Version{{Version: vs.version, Type: sc.typ(), Schema: p}}, nil
}
