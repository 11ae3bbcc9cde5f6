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
	p, err := s.principal(ctx)
	if err != nil {
		return stageError{err: err, stage: stagePrincipal}
	}
	if check != nil {
		if err := check(); err != nil {
			return stageError{err: err, stage: stageCheck}
		}
	}
	return s.write(ctx, false, func(sn *Snapshot) ([]storage.Record, error) {
		m := &Mutation{svc: s, p: p, sn: sn}
		if err := decide(m); err != nil {
			return nil, err
		}
		return m.recs, nil
	})
}

// Write appends the records build returns as one batch, with the same
// guarantees as the registry's own writes: build runs alone (no other
// write of this instance is decided between its start and its append), on
// the applied state caught up with the log (State.Snapshot), and Write
// returns only once the batch has been applied. On a shared Kafka log a
// conflicting writer makes build run again. A build that returns no
// records writes nothing. Prefer Mutate, which also finds the principal
// and lets writes share a batch.
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
