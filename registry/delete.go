package registry

import (
	"context"
	"fmt"
	"slices"

	"github.com/charter-registry/charter/confluent"
	"github.com/charter-registry/charter/storage"
)

func (sn *Snapshot) checkWritable(subject string) error {
	if m := sn.effectiveMode(subject); m == ReadOnly || m == ReadOnlyOverride {
		return errReadOnlyMode(subject)
	}
	return nil
}

func (sn *Snapshot) checkNotReferenced(subject string, version int) error {
	if ids := sn.referencedBy(subject, version, true); len(ids) > 0 {
		return errReferenceExists(subject, version)
	}
	return nil
}

// idFloor returns an ID_FLOOR record for the current highest id of the
// subject's context, written with every hard delete so compaction never
// lowers the id high-water mark. The default context's key names no
// context, as before ids were scoped; another's names it in the subject
// field, so compaction keeps one floor per context.
func (sn *Snapshot) idFloor(subject string) (storage.Record, error) {
	ctx := contextOf(subject)
	k := Key{Type: KeyIDFloor, Global: true}
	if ctx != DefaultContext {
		k = Key{Type: KeyIDFloor, Subject: ctx}
	}
	return record(k, idFloorValue{MaxID: sn.space(ctx).maxID})
}

// schemaIDRecords returns a SCHEMA_ID record for every schema id whose
// last versions are the ones being hard-deleted, so that the same schema
// registered again gets its id back after compaction too.
func (sn *Snapshot) schemaIDRecords(subject string, removed []*versionState) ([]storage.Record, error) {
	ctx := contextOf(subject)
	count := map[int]int{}
	var order []int
	for _, vs := range removed {
		if count[vs.id()] == 0 {
			order = append(order, vs.id())
		}
		count[vs.id()]++
	}
	var out []storage.Record
	for _, id := range order {
		sp := sn.space(ctx)
		sc := sp.schema(id)
		if sc == nil || sp.uses(id) > count[id] {
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
	var out int
	err := s.mutate(ctx, func() error { return ValidateSubject(subject) }, func(m *Mutation) error {
		sn, unlock := s.lockedFor(m)
		defer unlock()
		if err := s.authorizeSubjectLocked(m.Principal(), subject, actDelete, sn.effectiveMode(subject) == Import); err != nil {
			return err
		}
		topic, team := s.subjectTopicLocked(subject)
		ss := sn.subject(subject)
		if ss == nil {
			return errSubjectNotFound(subject)
		}
		if err := sn.checkWritable(subject); err != nil {
			return err
		}
		var vs *versionState
		if version == Latest {
			vs = ss.latest(permanent)
		} else {
			vs = ss.version(version)
		}
		if vs == nil {
			if version == Latest {
				return errSubjectNotFound(subject)
			}
			return errVersionNotFound(version)
		}
		out = vs.version
		// Confluent refuses to soft-delete again before anything else
		// (validateDeleteSchemaVersion), then checks references.
		if !permanent && vs.deleted {
			return errVersionSoftDeleted(subject, vs.version)
		}
		if err := sn.checkNotReferenced(subject, vs.version); err != nil {
			return err
		}
		e := AuditEntry{Operation: OpSchemaDeleted, Subject: subject, Version: vs.version, SchemaID: vs.id(), Topic: topic, Team: team}
		if !permanent {
			sc := vs.schema
			val := schemaValue{Subject: subject, Version: vs.version, ID: vs.id(), SchemaType: confluent.WireType(sc.typ()), References: sc.refs(), Metadata: sc.metadata(), RuleSet: sc.ruleSet(), Schema: sc.text(), Deleted: true, Timestamp: vs.timestamp}
			r, err := record(schemaKey(subject, vs.version), val)
			if err != nil {
				return err
			}
			m.Append(r)
			return m.Audit(e)
		}
		if !vs.deleted {
			return Errorf(CodeVersionNotSoftDeleted, "Subject '%s' Version %d was not deleted first before being permanently deleted", subject, vs.version)
		}
		floor, err := sn.idFloor(subject)
		if err != nil {
			return err
		}
		kept, err := sn.schemaIDRecords(subject, []*versionState{vs})
		if err != nil {
			return err
		}
		m.Append(tombstone(schemaKey(subject, vs.version)), floor)
		m.Append(kept...)
		e.Permanent = true
		return m.Audit(e)
	})
	if err != nil {
		w := fmt.Sprintf("delete subject %q version %d", subject, version)
		return 0, writeError(err, w, w)
	}
	return out, nil
}

// DeleteSubject soft-deletes every version of a subject, or removes them for
// good when permanent is set (after a soft delete). It returns the versions.
func (s *Service) DeleteSubject(ctx context.Context, subject string, permanent bool) ([]int, error) {
	var out []int
	err := s.mutate(ctx, func() error { return ValidateSubject(subject) }, func(m *Mutation) error {
		sn, unlock := s.lockedFor(m)
		defer unlock()
		if err := s.authorizeSubjectLocked(m.Principal(), subject, actDelete, sn.effectiveMode(subject) == Import); err != nil {
			return err
		}
		topic, team := s.subjectTopicLocked(subject)
		ss := sn.subject(subject)
		if ss == nil {
			return errSubjectNotFound(subject)
		}
		// Confluent's order (deleteSubjectOrForward): a subject already
		// soft-deleted, then read-only mode, then references.
		latest := ss.latest(false)
		if !permanent && latest == nil {
			return errSubjectSoftDeleted(subject)
		}
		if err := sn.checkWritable(subject); err != nil {
			return err
		}
		out = out[:0]
		for _, vs := range ss.versions {
			if err := sn.checkNotReferenced(subject, vs.version); err != nil {
				return err
			}
		}
		e := AuditEntry{Operation: OpSubjectDeleted, Subject: subject, Topic: topic, Team: team}
		if !permanent {
			for _, vs := range ss.versions {
				if !vs.deleted {
					out = append(out, vs.version)
				}
			}
			r, err := record(Key{Type: KeyDeleteSubject, Subject: subject}, deleteSubjectValue{Subject: subject, Version: latest.version})
			if err != nil {
				return err
			}
			m.Append(r)
			e.Versions = slices.Clone(out)
			return m.Audit(e)
		}
		if ss.hasLive() {
			return Errorf(CodeSubjectNotSoftDeleted, "Subject '%s' was not deleted first before being permanently deleted", subject)
		}
		var removed []*versionState
		for i := range ss.versions {
			vs := &ss.versions[i]
			out = append(out, vs.version)
			m.Append(tombstone(schemaKey(subject, vs.version)))
			removed = append(removed, vs)
		}
		m.Append(tombstone(Key{Type: KeyDeleteSubject, Subject: subject}))
		floor, err := sn.idFloor(subject)
		if err != nil {
			return err
		}
		kept, err := sn.schemaIDRecords(subject, removed)
		if err != nil {
			return err
		}
		m.Append(floor)
		m.Append(kept...)
		e.Versions, e.Permanent = slices.Clone(out), true
		return m.Audit(e)
	})
	if err != nil {
		w := fmt.Sprintf("delete subject %q", subject)
		return nil, writeError(err, w, w)
	}
	return out, nil
}
