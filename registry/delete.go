package registry

import (
	"context"
	"fmt"
	"slices"

	"github.com/charter-registry/charter/storage"
)

func (st *State) checkWritable(subject string) error {
	if m := st.effectiveMode(subject); m == ReadOnly || m == ReadOnlyOverride {
		return errReadOnlyMode(subject)
	}
	return nil
}

func (st *State) checkNotReferenced(subject string, version int) error {
	if ids := st.referencedBy(subject, version, true); len(ids) > 0 {
		return errReferenceExists(subject, version)
	}
	return nil
}

// idFloor returns an ID_FLOOR record for the current highest id of the
// subject's context, written with every hard delete so compaction never
// lowers the id high-water mark. The default context's key names no
// context, as before ids were scoped; another's names it in the subject
// field, so compaction keeps one floor per context.
func (st *State) idFloor(subject string) (storage.Record, error) {
	ctx := contextOf(subject)
	k := Key{Type: KeyIDFloor, Global: true}
	if ctx != DefaultContext {
		k = Key{Type: KeyIDFloor, Subject: ctx}
	}
	return record(k, idFloorValue{MaxID: st.space(ctx).maxID})
}

// schemaIDRecords returns a SCHEMA_ID record for every schema id whose
// last versions are the ones being hard-deleted, so that the same schema
// registered again gets its id back after compaction too.
func (st *State) schemaIDRecords(subject string, removed []*versionState) ([]storage.Record, error) {
	ctx := contextOf(subject)
	count := map[int]int{}
	var order []int
	for _, vs := range removed {
		if count[vs.id] == 0 {
			order = append(order, vs.id)
		}
		count[vs.id]++
	}
	var out []storage.Record
	for _, id := range order {
		sc := st.space(ctx).ids[id]
		if sc == nil || sc.uses > count[id] {
			continue
		}
		r, err := record(Key{Type: KeySchemaID, Subject: schemaIDSubject(ctx, sc.identity)}, schemaIDValue{ID: id})
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// DeleteVersion soft-deletes a version, or removes a soft-deleted version
// for good when permanent is set. It returns the version number.
func (s *Service) DeleteVersion(ctx context.Context, subject string, version int, permanent bool) (int, error) {
	p, err := s.principal(ctx)
	if err != nil {
		return 0, fmt.Errorf("delete subject %q version %d: %w", subject, version, err)
	}
	if err := ValidateSubject(subject); err != nil {
		return 0, err
	}
	var out int
	err = s.write(ctx, func() ([]storage.Record, error) {
		st := s.state
		st.mu.RLock()
		defer st.mu.RUnlock()
		if err := s.authorizeSubjectLocked(p, subject, actDelete, st.effectiveMode(subject) == Import); err != nil {
			return nil, err
		}
		topic, team := s.subjectTopicLocked(subject)
		ss := st.subjects[subject]
		if ss == nil {
			return nil, errSubjectNotFound(subject)
		}
		if err := st.checkWritable(subject); err != nil {
			return nil, err
		}
		var vs *versionState
		if version == Latest {
			vs = ss.latest(permanent)
		} else {
			vs = ss.versions[version]
		}
		if vs == nil {
			if version == Latest {
				return nil, errSubjectNotFound(subject)
			}
			return nil, errVersionNotFound(version)
		}
		out = vs.version
		// Confluent refuses to soft-delete again before anything else
		// (validateDeleteSchemaVersion), then checks references.
		if !permanent && vs.deleted {
			return nil, errVersionSoftDeleted(subject, vs.version)
		}
		if err := st.checkNotReferenced(subject, vs.version); err != nil {
			return nil, err
		}
		if !permanent {
			sc := vs.schema
			val := schemaValue{Subject: subject, Version: vs.version, ID: vs.id, References: sc.refs, Metadata: sc.metadata, RuleSet: sc.ruleSet, Schema: sc.text, Deleted: true, Timestamp: vs.timestamp}
			if sc.typ != "AVRO" {
				val.SchemaType = sc.typ
			}
			r, err := record(schemaKey(subject, vs.version), val)
			if err != nil {
				return nil, err
			}
			return s.withAudit([]storage.Record{r}, p, AuditEntry{Operation: OpSchemaDeleted, Subject: subject, Version: vs.version, SchemaID: vs.id, Topic: topic, Team: team})
		}
		if !vs.deleted {
			return nil, Errorf(CodeVersionNotSoftDeleted, "Subject '%s' Version %d was not deleted first before being permanently deleted", subject, vs.version)
		}
		floor, err := st.idFloor(subject)
		if err != nil {
			return nil, err
		}
		kept, err := st.schemaIDRecords(subject, []*versionState{vs})
		if err != nil {
			return nil, err
		}
		return s.withAudit(append([]storage.Record{tombstone(schemaKey(subject, vs.version)), floor}, kept...), p, AuditEntry{Operation: OpSchemaDeleted, Subject: subject, Version: vs.version, SchemaID: vs.id, Topic: topic, Team: team, Permanent: true})
	})
	if err != nil {
		return 0, fmt.Errorf("delete subject %q version %d: %w", subject, version, err)
	}
	return out, nil
}

// DeleteSubject soft-deletes every version of a subject, or removes them for
// good when permanent is set (after a soft delete). It returns the versions.
func (s *Service) DeleteSubject(ctx context.Context, subject string, permanent bool) ([]int, error) {
	p, err := s.principal(ctx)
	if err != nil {
		return nil, fmt.Errorf("delete subject %q: %w", subject, err)
	}
	if err := ValidateSubject(subject); err != nil {
		return nil, err
	}
	var out []int
	err = s.write(ctx, func() ([]storage.Record, error) {
		st := s.state
		st.mu.RLock()
		defer st.mu.RUnlock()
		if err := s.authorizeSubjectLocked(p, subject, actDelete, st.effectiveMode(subject) == Import); err != nil {
			return nil, err
		}
		topic, team := s.subjectTopicLocked(subject)
		ss := st.subjects[subject]
		if ss == nil {
			return nil, errSubjectNotFound(subject)
		}
		// Confluent's order (deleteSubjectOrForward): a subject already
		// soft-deleted, then read-only mode, then references.
		latest := ss.latest(false)
		if !permanent && latest == nil {
			return nil, errSubjectSoftDeleted(subject)
		}
		if err := st.checkWritable(subject); err != nil {
			return nil, err
		}
		out = out[:0]
		for _, v := range ss.sorted {
			if err := st.checkNotReferenced(subject, v); err != nil {
				return nil, err
			}
		}
		if !permanent {
			for _, v := range ss.sorted {
				if !ss.versions[v].deleted {
					out = append(out, v)
				}
			}
			r, err := record(Key{Type: KeyDeleteSubject, Subject: subject}, deleteSubjectValue{Subject: subject, Version: latest.version})
			if err != nil {
				return nil, err
			}
			return s.withAudit([]storage.Record{r}, p, AuditEntry{Operation: OpSubjectDeleted, Subject: subject, Versions: slices.Clone(out), Topic: topic, Team: team})
		}
		if ss.hasLive() {
			return nil, Errorf(CodeSubjectNotSoftDeleted, "Subject '%s' was not deleted first before being permanently deleted", subject)
		}
		var recs []storage.Record
		var removed []*versionState
		for _, v := range ss.sorted {
			out = append(out, v)
			recs = append(recs, tombstone(schemaKey(subject, v)))
			removed = append(removed, ss.versions[v])
		}
		recs = append(recs, tombstone(Key{Type: KeyDeleteSubject, Subject: subject}))
		floor, err := st.idFloor(subject)
		if err != nil {
			return nil, err
		}
		kept, err := st.schemaIDRecords(subject, removed)
		if err != nil {
			return nil, err
		}
		recs = append(append(recs, floor), kept...)
		return s.withAudit(recs, p, AuditEntry{Operation: OpSubjectDeleted, Subject: subject, Versions: slices.Clone(out), Topic: topic, Team: team, Permanent: true})
	})
	if err != nil {
		return nil, fmt.Errorf("delete subject %q: %w", subject, err)
	}
	return out, nil
}
