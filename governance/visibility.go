package governance

import (
	"context"
	"slices"

	"github.com/charter-registry/charter/registry"
)

// Visibility says who may read a topic's contract.
type Visibility string

// The visibilities.
const (
	// Public topics (the default) are readable by every principal that
	// may read the registry at all.
	Public Visibility = "public"
	// Private topics, their subjects, the schemas and versions of those
	// subjects, their audit entries and change events, and their search
	// hits are readable only by the owning team, the teams the topic
	// lists as consumers, and admins. To everyone else they do not exist:
	// reads answer 404 as for a name nobody registered.
	Private Visibility = "private"
)

// Viewer is who reads: a principal, or everyone (Everyone), for the
// registry's own work such as publishing change events.
type Viewer struct {
	p   registry.Principal
	all bool
}

// Everyone is the viewer that reads everything.
func Everyone() Viewer { return Viewer{all: true} }

// As is the viewer p.
func As(p registry.Principal) Viewer { return Viewer{p: p} }

// ViewerOf is the viewer of a request: its principal, else the anonymous
// principal (which, with authorization on, reads only public topics).
func ViewerOf(ctx context.Context) Viewer {
	p, _ := registry.PrincipalFrom(ctx)
	return Viewer{p: p}
}

// readableLocked is the one read rule: may v read topic t? Everything is
// readable with authorization off (as every write is allowed), to admins,
// and for public topics; a private topic only to its owning team and the
// teams it lists as consumers.
func (g *Governance) readableLocked(v Viewer, t Topic) bool {
	if v.all || !g.svc.Access().Enforce || v.p.Admin || t.Visibility != Private {
		return true
	}
	if v.p.InTeam(t.Owner) {
		return true
	}
	return slices.ContainsFunc(t.Consumers, func(c string) bool {
		_, team := g.teams[c]
		return team && v.p.InTeam(c)
	})
}

// subjectReadableLocked applies the rule to the topic binding subject;
// unbound subjects are readable.
func (g *Governance) subjectReadableLocked(v Viewer, subject string) bool {
	t, ok := g.topicOfLocked(subject)
	return !ok || g.readableLocked(v, t)
}

// CanReadSubject reports whether v may read subject: its versions, their
// schemas, its config and mode. Subjects compare as ownership does.
func (g *Governance) CanReadSubject(v Viewer, subject string) bool {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return g.subjectReadableLocked(v, subject)
}

// CanReadTopic reports whether v may read the topic named name; a topic
// that does not exist is readable (it is not found either way).
func (g *Governance) CanReadTopic(v Viewer, name string) bool {
	g.mu.RLock()
	defer g.mu.RUnlock()
	t, ok := g.topics[name]
	return !ok || g.readableLocked(v, t)
}

// ReadableSubjects keeps the subjects of names v may read, in order.
func (g *Governance) ReadableSubjects(v Viewer, names []string) []string {
	g.mu.RLock()
	defer g.mu.RUnlock()
	out := make([]string, 0, len(names))
	for _, n := range names {
		if g.subjectReadableLocked(v, n) {
			out = append(out, n)
		}
	}
	return out
}

// CanReadEntry reports whether v may read an audit entry or change event:
// one about a subject or topic v may not read is hidden.
func (g *Governance) CanReadEntry(v Viewer, e registry.AuditEntry) bool {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return g.entryReadableLocked(v, e)
}

func (g *Governance) entryReadableLocked(v Viewer, e registry.AuditEntry) bool {
	if e.Subject != "" && !g.subjectReadableLocked(v, e.Subject) {
		return false
	}
	if t, ok := g.topics[e.Topic]; e.Topic != "" && ok && !g.readableLocked(v, t) {
		return false
	}
	return true
}
