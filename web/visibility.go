package web

import (
	"github.com/labstack/echo/v5"

	"github.com/charter-registry/charter/governance"
	"github.com/charter-registry/charter/registry"
)

// readRule is a Directory that knows who may read what: the default
// GovernanceDirectory applies governance's one read rule (a private
// topic, its subjects and their audit entries only for its owning team,
// the teams it lists as consumers, and admins). With a Directory without
// it, everything is readable.
type readRule interface {
	canReadSubject(v governance.Viewer, subject string) bool
	canReadTopic(v governance.Viewer, topic string) bool
	canReadEntry(v governance.Viewer, e registry.AuditEntry) bool
}

func (d governanceDirectory) canReadSubject(v governance.Viewer, subject string) bool {
	return d.gov.CanReadSubject(v, subject)
}

func (d governanceDirectory) canReadTopic(v governance.Viewer, topic string) bool {
	return d.gov.CanReadTopic(v, topic)
}

func (d governanceDirectory) canReadEntry(v governance.Viewer, e registry.AuditEntry) bool {
	return d.gov.CanReadEntry(v, e)
}

// viewer is who reads a catalogue page: the principal the API's
// authentication put in the request's context, else anonymous.
func viewer(ctx *echo.Context) governance.Viewer {
	return governance.ViewerOf(ctx.Request().Context())
}

func (c *Catalogue) canReadSubject(v governance.Viewer, subject string) bool {
	r, ok := c.cfg.directory.(readRule)
	return !ok || r.canReadSubject(v, subject)
}

func (c *Catalogue) canReadTopic(v governance.Viewer, topic string) bool {
	r, ok := c.cfg.directory.(readRule)
	return !ok || r.canReadTopic(v, topic)
}

// sight is what one reader may see of the index, worked out once per
// request: with no private topic in the index, with authorization off,
// or for an admin, everything.
type sight struct {
	c      *Catalogue
	v      governance.Viewer
	all    bool
	hidden map[string]bool // private topics the reader may not read
}

func (c *Catalogue) sight(ctx *echo.Context, ix *index) *sight {
	s := &sight{c: c, v: viewer(ctx)}
	p, _ := registry.PrincipalFrom(ctx.Request().Context())
	if len(ix.private) == 0 || !c.svc.Access().Enforce || p.Admin {
		s.all = true
		return s
	}
	if _, ok := c.cfg.directory.(readRule); !ok {
		s.all = true
		return s
	}
	s.hidden = map[string]bool{}
	for _, t := range ix.private {
		if !c.canReadTopic(s.v, t) {
			s.hidden[t] = true
		}
	}
	s.all = len(s.hidden) == 0
	return s
}

func (s *sight) topic(name string) bool { return s.all || !s.hidden[name] }

func (s *sight) subject(name string) bool { return s.all || s.c.canReadSubject(s.v, name) }

func (s *sight) topics(all []*topicEntry) []*topicEntry {
	if s.all {
		return all
	}
	out := make([]*topicEntry, 0, len(all))
	for _, t := range all {
		if s.topic(t.Name) {
			out = append(out, t)
		}
	}
	return out
}

func (s *sight) subjects(all []*subjectEntry) []*subjectEntry {
	if s.all {
		return all
	}
	out := make([]*subjectEntry, 0, len(all))
	for _, e := range all {
		if s.subject(e.Name) {
			out = append(out, e)
		}
	}
	return out
}

func (s *sight) names(all []string, keep func(string) bool) []string {
	if s.all {
		return all
	}
	out := make([]string, 0, len(all))
	for _, n := range all {
		if keep(n) {
			out = append(out, n)
		}
	}
	return out
}

func (s *sight) versions(all []registry.SubjectVersion) []registry.SubjectVersion {
	if s.all {
		return all
	}
	out := make([]registry.SubjectVersion, 0, len(all))
	for _, sv := range all {
		if s.subject(sv.Subject) {
			out = append(out, sv)
		}
	}
	return out
}
