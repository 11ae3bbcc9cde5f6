package governance

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/charter-registry/charter/registry"
)

// AuditFilter selects audit entries. Zero fields select everything.
type AuditFilter struct {
	// Subject matches entries about the subject, compared as ownership
	// does (OwnerKey), so context-qualified spellings are included.
	Subject   string
	Topic     string
	Team      string
	Principal string
	Operation registry.Operation
	// From and To bound the entry's time, inclusive.
	From, To time.Time
	// Before keeps entries at positions below it, for paging back; zero
	// means no bound.
	Before int64
	// Limit bounds the answer (100 by default, at most 1000).
	Limit int
	// Viewer is who reads: entries about subjects and topics it may not
	// read are left out. The zero Viewer is the anonymous principal.
	Viewer Viewer
}

// Audit returns the entries that match f, newest first.
func (g *Governance) Audit(f AuditFilter) []registry.AuditEntry {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	f.Limit = min(f.Limit, 1000)
	subject := ""
	if f.Subject != "" {
		subject = registry.OwnerKey(f.Subject)
	}
	g.mu.RLock()
	defer g.mu.RUnlock()
	trail := g.audit
	end := len(trail)
	if f.Before > 0 {
		end = sort.Search(len(trail), func(i int) bool { return trail[i].Position >= f.Before })
	}
	out := []registry.AuditEntry{}
	for i := end - 1; i >= 0 && len(out) < f.Limit; i-- {
		e := trail[i]
		switch {
		case subject != "" && (e.Subject == "" || registry.OwnerKey(e.Subject) != subject),
			f.Topic != "" && e.Topic != f.Topic,
			f.Team != "" && e.Team != f.Team,
			f.Principal != "" && e.Principal != f.Principal,
			f.Operation != "" && e.Operation != f.Operation,
			!f.From.IsZero() && e.Time.Before(f.From),
			!f.To.IsZero() && e.Time.After(f.To),
			!g.entryReadableLocked(f.Viewer, e):
			continue
		}
		out = append(out, e)
	}
	return out
}

// auditRecords applies AUDIT records: the trail, in log order.
type auditRecords struct{ g *Governance }

func (e auditRecords) Apply(k registry.Key, value []byte, offset int64) error {
	g := e.g
	g.mu.Lock()
	defer g.mu.Unlock()
	if value == nil || g.auditIDs[k.Subject] {
		return nil
	}
	var a registry.AuditEntry
	if err := json.Unmarshal(value, &a); err != nil {
		return fmt.Errorf("decode AUDIT value: %w", err)
	}
	if a.ID != k.Subject {
		return fmt.Errorf("AUDIT key names %q but value names %q", k.Subject, a.ID)
	}
	a.Position = offset
	g.auditIDs[a.ID] = true
	g.audit = append(g.audit, a)
	return nil
}

func (e auditRecords) Digest(w func([]byte)) {
	e.g.mu.RLock()
	defer e.g.mu.RUnlock()
	for _, a := range e.g.audit {
		b, _ := json.Marshal(a)
		w(b)
	}
}
