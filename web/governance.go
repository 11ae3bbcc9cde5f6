package web

import (
	"github.com/charter-registry/charter/governance"
	"github.com/charter-registry/charter/registry"
)

// auditPages bounds how many pages of audit entries one subject page
// reads: 1,000 entries each.
const auditPages = 10

// GovernanceDirectory is the Directory over the registry's own governance
// records: its teams, topics with bindings and lifecycle, and the audit
// trail of who registered and deleted each version. It is the default.
func GovernanceDirectory(svc *registry.Service) Directory {
	return governanceDirectory{gov: governance.Attach(svc, governance.Config{})}
}

type governanceDirectory struct{ gov *governance.Governance }

func (d governanceDirectory) Topics() []Topic {
	// Every topic: the index is shared by every reader, and each page
	// applies the read rule for its own (see visibility.go).
	ts := d.gov.Topics(governance.TopicFilter{Viewer: governance.Everyone()})
	preds := map[string][]string{}
	for _, t := range ts {
		if t.Successor != "" {
			preds[t.Successor] = append(preds[t.Successor], t.Name)
		}
	}
	out := make([]Topic, 0, len(ts))
	for _, t := range ts {
		docs := make([]Link, 0, len(t.Docs))
		for _, l := range t.Docs {
			docs = append(docs, Link{Title: l.Title, URL: l.URL})
		}
		var sla governance.SLA
		if t.SLA != nil {
			sla = *t.SLA
		}
		out = append(out, Topic{
			Freshness: sla.Freshness, Ordering: sla.Ordering, Retention: sla.Retention, Classification: t.Classification,
			Name: t.Name, Description: t.Description, Team: t.Owner,
			Lifecycle: string(t.Lifecycle), Successor: t.Successor, Predecessors: preds[t.Name],
			KeySubject: t.Bindings.Key, ValueSubject: t.Bindings.Value, Other: t.Bindings.Other,
			Producers: t.Producers, Consumers: t.Consumers, Tags: t.Tags, Docs: docs,
			WritePolicy: string(t.WritePolicy), Private: t.Visibility == governance.Private,
		})
	}
	return out
}

func (d governanceDirectory) Teams() []Team {
	ts := d.gov.Teams()
	out := make([]Team, 0, len(ts))
	for _, t := range ts {
		cs := make([]Contact, 0, len(t.Contacts))
		for _, c := range t.Contacts {
			cs = append(cs, Contact{Name: c.Name, Email: c.Email, URL: c.URL})
		}
		out = append(out, Team{Name: t.Name, Description: t.Description, Contacts: cs})
	}
	return out
}

// Authors reads the subject's audit entries, newest first, so the first
// registration seen for a version is its latest (a version number can come
// back after a permanent delete).
func (d governanceDirectory) Authors(subject string) map[int]Authorship {
	out := map[int]Authorship{}
	// The subject page asks only once the reader may read the subject.
	f := governance.AuditFilter{Subject: subject, Limit: 1000, Viewer: governance.Everyone()}
	for range auditPages {
		entries := d.gov.Audit(f)
		for _, e := range entries {
			if e.Subject != subject {
				continue // the filter also matches context-qualified spellings
			}
			switch e.Operation {
			case registry.OpSchemaRegistered:
				a := out[e.Version]
				if e.Version > 0 && a.Author == "" {
					a.Author, a.Time = e.Principal, e.Time
					a.Reason, a.Link = e.Reason, e.Link
					out[e.Version] = a
				}
			case registry.OpSchemaDeleted, registry.OpSubjectDeleted:
				vs := e.Versions
				if e.Version > 0 {
					vs = append(vs, e.Version)
				}
				for _, v := range vs {
					a := out[v]
					if a.DeletedBy == "" && a.Author == "" {
						a.DeletedBy, a.DeletedAt = e.Principal, e.Time
						out[v] = a
					}
				}
			}
		}
		if len(entries) < f.Limit {
			break
		}
		f.Before = entries[len(entries)-1].Position
	}
	return out
}
