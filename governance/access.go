package governance

import (
	"github.com/charter-registry/charter/confluent"
	"github.com/charter-registry/charter/registry"
)

func errForbidden(format string, args ...any) *registry.Error {
	return registry.Errorf(registry.CodeForbidden, format, args...)
}

// authorizeTeam decides whether p may change team: admins may change any
// team, members their own.
func (g *Governance) authorizeTeam(p registry.Principal, team string) error {
	if !g.svc.Access().Enforce || p.Admin || p.InTeam(team) {
		return nil
	}
	return errForbidden("Only members of team '%s' and admins may change it; %s is neither", team, p.Describe())
}

// ownedTopic returns the topic name for a change by p: only its owning
// team and admins may change it. A missing topic is not found for admins
// and refused for everyone else, as only admins may act on topics nobody
// owns.
func (g *Governance) ownedTopic(p registry.Principal, name, what string) (Topic, error) {
	g.mu.RLock()
	cur, ok := g.topics[name]
	hidden := ok && !g.readableLocked(As(p), cur)
	g.mu.RUnlock()
	if hidden {
		return Topic{}, errTopicNotFound(name) // a private topic p may not read does not exist for it
	}
	if !ok {
		if err := g.svc.RequireAdmin(p, what); err != nil {
			return Topic{}, err
		}
		return Topic{}, errTopicNotFound(name)
	}
	if err := g.authorizeTeam(p, cur.Owner); err != nil {
		return Topic{}, err
	}
	return cur, nil
}

// authorizeSubjects refuses a non-admin binding a subject it could not
// write today. Binding claims a subject, so it must not be a way around
// the unowned-subject policy or IMPORT mode: under admin-only, a subject
// that already holds versions (in any spelling OwnerKey folds together)
// can be bound only by an admin; a new one may be bound by its future
// owner. Subjects the topic already bound (was) are not rechecked. It asks
// the write's snapshot sn of the registry, so call it without holding
// g.mu.
func (g *Governance) authorizeSubjects(sn *registry.Snapshot, p registry.Principal, t Topic, was *Topic) error {
	access := g.svc.Access()
	if !access.Enforce || p.Admin {
		return nil
	}
	var held []string // every subject the registry holds, soft-deleted ones too
	for _, subj := range t.Subjects() {
		if was != nil && was.Role(subj) != "" {
			continue
		}
		if sn.Mode(subj) == registry.Import {
			return errForbidden("Subject '%s' is in IMPORT mode: only admins may bind it", subj)
		}
		if access.Unowned != registry.UnownedAdminOnly {
			continue
		}
		if held == nil {
			held = sn.Subjects(confluent.Wildcard, true, false)
		}
		k := registry.OwnerKey(subj)
		for _, name := range held {
			if registry.OwnerKey(name) == k {
				return errForbidden("Subject '%s' already holds schemas and unowned subjects are admin-only: only an admin may bind it to a topic", name)
			}
		}
	}
	return nil
}
