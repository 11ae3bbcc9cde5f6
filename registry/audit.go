package registry

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"sort"
	"time"

	"github.com/charter-registry/charter/lint"
	"github.com/charter-registry/charter/storage"
)

// Operation names what a write did. Audit entries and change events share
// these names.
type Operation string

// The operations.
const (
	OpSchemaRegistered Operation = "schema.registered"
	OpSchemaDeleted    Operation = "schema.deleted"
	OpSubjectDeleted   Operation = "subject.deleted"
	OpConfigChanged    Operation = "config.changed"
	OpConfigDeleted    Operation = "config.deleted"
	OpModeChanged      Operation = "mode.changed"
	OpModeDeleted      Operation = "mode.deleted"
	OpTeamCreated      Operation = "team.created"
	OpTeamUpdated      Operation = "team.updated"
	OpTeamDeleted      Operation = "team.deleted"
	OpTopicCreated     Operation = "topic.created"
	OpTopicUpdated     Operation = "topic.updated"
	OpTopicDeleted     Operation = "topic.deleted"
)

// Operations lists every operation, for callers that validate a filter.
func Operations() []Operation {
	return []Operation{
		OpSchemaRegistered, OpSchemaDeleted, OpSubjectDeleted,
		OpConfigChanged, OpConfigDeleted, OpModeChanged, OpModeDeleted, OpContextDeleted,
		OpTeamCreated, OpTeamUpdated, OpTeamDeleted,
		OpTopicCreated, OpTopicUpdated, OpTopicDeleted,
	}
}

// AuditEntry records one write: who made it, when, what it did and to
// what. Every write appends its entry in the same batch as the change
// itself, so the two are durable together, and every instance replays the
// same trail.
type AuditEntry struct {
	// ID is unique; it is also the entry's record key, so compaction keeps
	// every entry.
	ID string `json:"id"`
	// Position is the offset of the entry's record in the log; change
	// feeds resume from it.
	Position  int64     `json:"position"`
	Time      time.Time `json:"time"`
	Principal string    `json:"principal"`
	Operation Operation `json:"operation"`
	Subject   string    `json:"subject,omitempty"`
	Version   int       `json:"version,omitempty"`
	// Versions are the versions a subject delete removed.
	Versions []int `json:"versions,omitempty"`
	SchemaID int   `json:"schemaId,omitempty"`
	// Topic is the topic the change concerns: the topic itself, or the
	// topic the subject was bound to at the time.
	Topic string `json:"topic,omitempty"`
	// Team is the team the change concerns: the team itself, or the owner
	// of the topic.
	Team      string `json:"team,omitempty"`
	Permanent bool   `json:"permanent,omitempty"`
	// Changed lists the fields a topic or team update changed.
	Changed []string `json:"changed,omitempty"`
	// Before and After are the values a config, mode, team or topic change
	// replaced and set.
	Before json.RawMessage `json:"before,omitempty"`
	After  json.RawMessage `json:"after,omitempty"`
	// Lint lists the findings a registration under a warn lint policy
	// was accepted with.
	Lint []lint.Finding `json:"lint,omitempty"`
	// Reason and Link are the write's Provenance: why it was made and
	// where it was decided, as the writer said.
	Reason string `json:"reason,omitempty"`
	Link   string `json:"link,omitempty"`
}

// auditValue is an entry as stored: without a position, which is the
// record's offset. The outer Position shadows the embedded one.
type auditValue struct {
	*AuditEntry
	Position *int64 `json:"position,omitempty"`
}

// auditRecord completes e (id, time, principal) and encodes it as an AUDIT
// record to append in the same batch as the change it describes.
func (s *Service) auditRecord(p Principal, e AuditEntry) (storage.Record, error) {
	var id [16]byte
	_, _ = rand.Read(id[:])
	e.ID = hex.EncodeToString(id[:])
	e.Time = s.cfg.Now().UTC()
	e.Principal = p.Name
	if e.Principal == "" {
		e.Principal = Anonymous
	}
	e.Reason, e.Link = p.provenance.Reason, p.provenance.Link
	return record(Key{Type: KeyAudit, Subject: e.ID}, auditValue{AuditEntry: &e})
}

// withAudit appends e's record to recs.
func (s *Service) withAudit(recs []storage.Record, p Principal, e AuditEntry) ([]storage.Record, error) {
	r, err := s.auditRecord(p, e)
	if err != nil {
		return nil, err
	}
	return append(recs, r), nil
}

func rawJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return nil
	}
	return b
}

// AuditFilter selects audit entries. Zero fields select everything.
type AuditFilter struct {
	// Subject matches entries about the subject, compared as ownership
	// does (OwnerKey), so context-qualified spellings are included.
	Subject   string
	Topic     string
	Team      string
	Principal string
	Operation Operation
	// From and To bound the entry's time, inclusive.
	From, To time.Time
	// Before keeps entries at positions below it, for paging back; zero
	// means no bound.
	Before int64
	// Limit bounds the answer (100 by default, at most 1000).
	Limit int
}

// Audit returns the entries that match f, newest first.
func (s *Service) Audit(f AuditFilter) []AuditEntry {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	f.Limit = min(f.Limit, 1000)
	subject := ""
	if f.Subject != "" {
		subject = OwnerKey(f.Subject)
	}
	st := s.state
	st.mu.RLock()
	defer st.mu.RUnlock()
	trail := s.gov.audit
	end := len(trail)
	if f.Before > 0 {
		end = sort.Search(len(trail), func(i int) bool { return trail[i].Position >= f.Before })
	}
	out := []AuditEntry{}
	for i := end - 1; i >= 0 && len(out) < f.Limit; i-- {
		e := trail[i]
		switch {
		case subject != "" && (e.Subject == "" || OwnerKey(e.Subject) != subject),
			f.Topic != "" && e.Topic != f.Topic,
			f.Team != "" && e.Team != f.Team,
			f.Principal != "" && e.Principal != f.Principal,
			f.Operation != "" && e.Operation != f.Operation,
			!f.From.IsZero() && e.Time.Before(f.From),
			!f.To.IsZero() && e.Time.After(f.To):
			continue
		}
		out = append(out, e)
	}
	return out
}
