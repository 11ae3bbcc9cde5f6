package registry

import (
	"context"
	"errors"
	"fmt"

	"github.com/charter-registry/charter/storage"
)

// Mutation is one write being decided: who asks for it, the snapshot it is
// decided on, and the records it appends. Service.Mutate hands one to the
// decision; the decision authorises on it, reads the snapshot, and adds
// its records and its audit entry, which all go to the log as one batch.
type Mutation struct {
	svc  *Service
	p    Principal
	sn   *Snapshot
	recs []storage.Record
	// system marks a write made for no request (MutateSystem).
	system bool
}

// Principal is who asked for the write.
func (m *Mutation) Principal() Principal { return m.p }

// Snapshot is the state the write is decided on: caught up with the log,
// plus the writes decided before it in the same batch.
func (m *Mutation) Snapshot() *Snapshot { return m.sn }

// Append adds records to the write's batch.
func (m *Mutation) Append(recs ...storage.Record) { m.recs = append(m.recs, recs...) }

// Audit adds the write's audit entry, completed with its id, time,
// principal and provenance, to the batch.
func (m *Mutation) Audit(e AuditEntry) error {
	if m.system {
		return errors.New("registry: a system write has no principal to audit")
	}
	r, err := m.svc.auditRecord(m.p, e)
	if err != nil {
		return err
	}
	m.recs = append(m.recs, r)
	return nil
}

// Mutate is the one path of every write: it finds the request's principal
// (40101 when authorization is on and there is none), then runs decide on
// a snapshot caught up with the log and appends what decide added to the
// Mutation as one batch, returning once it has been applied, so a read
// after Mutate sees the write. decide may run more than once (another
// writer on a shared Kafka log took over); it must leave no effect but
// the Mutation's records and what it returns through its closure. A
// decide that adds no records writes nothing. Extension state (the
// catalogue, keys) may be read under the State's read lock inside decide;
// a decide that appends records of an extension's keytype other than
// audit entries is decided alone, on the applied state.
func (s *Service) Mutate(ctx context.Context, decide func(*Mutation) error) error {
	return s.mutate(ctx, nil, decide)
}

// mutate is Mutate with check, the request's own validation, run after
// the principal is found and before anything is decided, so that a request
// without a principal is refused for that first, whatever else is wrong
// with it.
//
// Its errors say which stage failed, for writeError.
func (s *Service) mutate(ctx context.Context, check func() error, decide func(*Mutation) error) error {
	return s.mutateOn(ctx, false, check, decide)
}

// mutateOn is mutate, decided alone on the applied state when solo.
func (s *Service) mutateOn(ctx context.Context, solo bool, check func() error, decide func(*Mutation) error) error {
	p, err := s.principal(ctx)
	if err != nil {
		return stageError{err: err, stage: stagePrincipal}
	}
	if check != nil {
		if err := check(); err != nil {
			return stageError{err: err, stage: stageCheck}
		}
	}
	return s.decideMutation(ctx, solo, p, false, decide)
}

// decideMutation runs decide on a Mutation for p (solo: alone, on the
// applied state) and appends what it added.
func (s *Service) decideMutation(ctx context.Context, solo bool, p Principal, system bool, decide func(*Mutation) error) error {
	return s.write(ctx, solo, func(sn *Snapshot) ([]storage.Record, error) {
		m := &Mutation{svc: s, p: p, sn: sn, system: system}
		if err := decide(m); err != nil {
			return nil, err
		}
		return m.recs, nil
	})
}

// MutateAlone is Mutate for the domains built on the registry (governance,
// the DEK registry), whose decisions read their own state, kept by an
// Extension: decide runs alone (no other write of this instance is
// decided between its start and its append) on the applied snapshot,
// caught up with the log, which the extension's state belongs to while
// the decision reads it. check, when not nil, is the request's own
// validation: it runs once, after the principal is found and before
// anything is decided, so that a request without a principal is refused
// for that first. WriteError words what MutateAlone returns as the
// registry's own writes word theirs.
func (s *Service) MutateAlone(ctx context.Context, check func() error, decide func(*Mutation) error) error {
	return s.mutateOn(ctx, true, check, decide)
}

// MutateSystem is MutateAlone for a write the service's own machinery
// makes for no request (a webhook delivery's outcome): no principal is
// looked for, and the Mutation carries none, so it takes no audit entry.
func (s *Service) MutateSystem(ctx context.Context, decide func(*Mutation) error) error {
	return s.decideMutation(ctx, true, Principal{}, true, decide)
}

// RequireAdmin lets only admins through when authorization is on; what
// names the action for the 40301 message ("create teams").
func (m *Mutation) RequireAdmin(what string) error { return m.svc.authorizeAdminLocked(m.p, what) }

// AuthorizeSubjectKeys decides whether the write's principal may change
// the encryption keys of subject, by Service.AuthorizeSubjectKeys's rule,
// under the state's read lock: call it before taking a lock of the
// extension's own, which records are applied under after the state's.
func (m *Mutation) AuthorizeSubjectKeys(subject string) error {
	m.svc.state.mu.RLock()
	defer m.svc.state.mu.RUnlock()
	return m.svc.authorizeSubjectLocked(m.p, subject, actKeys, false)
}

// Write appends the records build returns as one batch, with the same
// guarantees as the registry's own writes: build runs alone (no other
// write of this instance is decided between its start and its append), on
// the applied state caught up with the log (State.Snapshot), and Write
// returns only once the batch has been applied. On a shared Kafka log a
// conflicting writer makes build run again. A build that returns no
// records writes nothing. Prefer Mutate, which also finds the principal
// and lets writes share a batch, or MutateAlone and MutateSystem, which
// hand the decision its principal and snapshot as Mutate does.
func (s *Service) Write(ctx context.Context, build func() ([]storage.Record, error)) error {
	return s.write(ctx, true, func(*Snapshot) ([]storage.Record, error) { return build() })
}

// stageError marks an error of mutate's principal or check stage.
type stageError struct {
	err   error
	stage int
}

const (
	stagePrincipal = iota
	stageCheck
)

func (e stageError) Error() string { return e.err.Error() }
func (e stageError) Unwrap() error { return e.err }

// WriteError adds context to an error of MutateAlone as the registry's
// own writes do: the request's own validation errors (check's) go back as
// they are, a missing principal is prefixed with who, anything else with
// what.
func WriteError(err error, who, what string) error { return writeError(err, who, what) }

// writeError adds context to the error of a mutate: the request's own
// validation errors go back as they are, a missing principal is prefixed
// with who, anything else with what.
func writeError(err error, who, what string) error {
	var se stageError
	if errors.As(err, &se) {
		if se.stage == stageCheck {
			return se.err
		}
		return fmt.Errorf("%s: %w", who, se.err)
	}
	return fmt.Errorf("%s: %w", what, err)
}
