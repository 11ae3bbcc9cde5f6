package registry

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/lint"
	"github.com/charter-registry/charter/storage"
)

// KeyAudit is the keytype of audit entries. Their keys carry a unique
// entry id in the subject field, {"keytype":"AUDIT","subject":"<id>",
// "magic":0}, so that compaction keeps every entry. The registry writes
// them; the governance package applies and serves the trail.
const KeyAudit KeyType = "AUDIT"

// Operation names what a write did. Audit entries and change events share
// these names; the governance and DEK packages add their own.
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
)

// Operations lists the registry's own operations, for callers that
// validate a filter beside those of the governance and DEK packages.
func Operations() []Operation {
	return []Operation{
		OpSchemaRegistered, OpSchemaDeleted, OpSubjectDeleted,
		OpConfigChanged, OpConfigDeleted, OpModeChanged, OpModeDeleted, OpContextDeleted,
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
	// Changes and Verdict are, for a registration on a topic its
	// consumers watch, what changed against the latest version and how
	// compatible that is in each direction.
	Changes []compat.Change `json:"changes,omitempty"`
	Verdict *Verdict        `json:"verdict,omitempty"`
	// Forced marks a write an admin made against a rule that would have
	// refused it otherwise: retiring a topic while consumers are still
	// pending, or landing a registration its reviewers have not approved.
	Forced bool `json:"forced,omitempty"`
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

// RawJSON encodes v for an audit entry's Before or After; nil when v
// encodes as null or cannot be encoded.
func RawJSON(v any) json.RawMessage { return rawJSON(v) }

func rawJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return nil
	}
	return b
}
