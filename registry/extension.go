package registry

import (
	"context"
	"log/slog"
	"time"

	"github.com/charter-registry/charter/storage"
)

// This file is the surface other domain packages (the DEK registry in
// registry/dek) build on: they keep their own records in the same log,
// applied through an Extension registered on State (a Table for records
// of one entry per key), and write them with MutateAlone (MutateSystem for
// no request) under the same rules as the registry's own writes.

// Record encodes v as the value of key k.
func Record(k Key, v any) (storage.Record, error) { return record(k, v) }

// Tombstone is the record that deletes key k.
func Tombstone(k Key) storage.Record { return tombstone(k) }

// AuditRecord completes e (id, time, principal) and encodes it as an AUDIT
// record, to append in the same batch as the change it describes.
func (s *Service) AuditRecord(p Principal, e AuditEntry) (storage.Record, error) {
	return s.auditRecord(p, e)
}

// Authenticate returns the request's principal; with authorization on, a
// request without one is refused with 40101. With it off, a request
// without one is the anonymous principal.
func (s *Service) Authenticate(ctx context.Context) (Principal, error) {
	return s.principal(ctx)
}

// AuthorizeAdmin lets only admins through when authorization is on; what
// names the action for the 40301 message ("delete KEKs").
func (s *Service) AuthorizeAdmin(ctx context.Context, what string) (Principal, error) {
	p, err := s.principal(ctx)
	if err != nil {
		return Principal{}, err
	}
	return p, s.authorizeAdminLocked(p, what)
}

// AuthorizeSubjectKeys decides whether the request's principal may read or
// change the encryption keys (DEKs) of subject: the same rule as changing
// the subject itself (admins; the team owning the topic the subject is
// bound to; for an unbound subject, the unowned-subject policy), except
// that a shared write policy does not extend to keys, so a team that does
// not own the subject can neither read nor create them.
func (s *Service) AuthorizeSubjectKeys(ctx context.Context, subject string) (Principal, error) {
	p, err := s.principal(ctx)
	if err != nil {
		return Principal{}, err
	}
	s.state.mu.RLock()
	defer s.state.mu.RUnlock()
	return p, s.authorizeSubjectLocked(p, subject, actKeys, false)
}

// Access returns the service's authorization settings, for domains that
// decide their own writes by the same rules.
func (s *Service) Access() AccessConfig { return s.cfg.Access }

// RequireAdmin lets only admins through when authorization is on; what
// names the action for the 40301 message ("create teams").
func (s *Service) RequireAdmin(p Principal, what string) error {
	return s.authorizeAdminLocked(p, what)
}

// Applied returns a channel that is closed the next time the service
// applies records (or becomes ready): a long poll waits on it after it
// found nothing new.
func (s *Service) Applied() <-chan struct{} {
	s.nmu.Lock()
	defer s.nmu.Unlock()
	return s.notify
}

// Now is the service's clock, which stamps audit entries.
func (s *Service) Now() time.Time { return s.cfg.Now() }

// Logger is the service's logger.
func (s *Service) Logger() *slog.Logger { return s.cfg.Logger }

// SubjectContext names the context whose ids subject's versions carry, for
// SchemaOfIDIn and the other ...In reads.
func SubjectContext(subject string) string { return contextOf(subject) }
