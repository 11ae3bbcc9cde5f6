package api

import (
	"strings"

	"github.com/labstack/echo/v5"

	"github.com/charter-registry/charter/governance"
	"github.com/charter-registry/charter/registry"
)

// This file is where the API applies governance's read rule for private
// topics (governance.Governance.CanReadSubject and friends decide; this
// file only asks): a subject of a private topic, the schemas only such
// subjects hold, and their listings do not exist for a principal that
// may not read them. Routes naming such a subject answer 404 with 40401,
// ids only such subjects hold 404 with 40403, and listings leave them out.

// viewer is the request's reader.
func viewer(c *echo.Context) governance.Viewer {
	return governance.ViewerOf(c.Request().Context())
}

// subjectRoute reports whether a route names a subject the registry holds
// (the Confluent subject, compatibility, config and mode routes).
func subjectRoute(path string) bool {
	for _, p := range []string{"/subjects/:subject", "/compatibility/subjects/:subject", "/config/:subject", "/mode/:subject"} {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// visibilityMiddleware answers every route naming a subject the request
// may not read as for a subject that does not exist.
func (s *Server) visibilityMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		if subj := c.Param("subject"); subj != "" && subjectRoute(c.Path()) && !s.gov.CanReadSubject(viewer(c), subj) {
			return errSubjectNotFound(subj)
		}
		return next(c)
	}
}

func errSubjectNotFound(subject string) error {
	return registry.Errorf(registry.CodeSubjectNotFound, "Subject '%s' not found.", subject)
}

func errSchemaNotFound(id int) error {
	return registry.Errorf(registry.CodeSchemaNotFound, "Schema %d not found", id)
}

// idReadable reports whether the request may read schema id of context
// ctx in snapshot sn: when any subject holding it (soft-deleted versions
// included) is readable, so serializers of public subjects keep resolving
// ids shared with private ones. The subject query parameter, when given,
// must itself be readable. The snapshot indexes an id's holders, so the
// check costs at most one governance question per holder and stops at the
// first readable one.
func (s *Server) idReadable(c *echo.Context, sn *registry.Snapshot, ctx string, id int) bool {
	if !s.svc.Access().Enforce {
		// Everything is readable with authorization off (governance's
		// read rule); no holder needs asking about.
		return true
	}
	v := viewer(c)
	if subject, ok := queryValue(c, "subject"); ok && subject != "" && !s.gov.CanReadSubject(v, subject) {
		return false
	}
	held, readable := false, false
	sn.EachSubjectOfID(ctx, id, func(subject string) bool {
		held = true
		readable = s.gov.CanReadSubject(v, subject)
		return !readable
	})
	// An id nobody holds is not found either way; the registry answers.
	return !held || readable
}

// readableSchemas keeps the schemas whose subject the request may read.
func (s *Server) readableSchemas(c *echo.Context, in []registry.Schema) []registry.Schema {
	v := viewer(c)
	out := in[:0:0]
	for _, sc := range in {
		if s.gov.CanReadSubject(v, sc.Subject) {
			out = append(out, sc)
		}
	}
	return out
}

// readableVersions keeps the subject versions the request may read.
func (s *Server) readableVersions(c *echo.Context, in []registry.SubjectVersion) []registry.SubjectVersion {
	v := viewer(c)
	out := []registry.SubjectVersion{}
	for _, sv := range in {
		if s.gov.CanReadSubject(v, sv.Subject) {
			out = append(out, sv)
		}
	}
	return out
}
