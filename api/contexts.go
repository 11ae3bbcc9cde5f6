package api

import (
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/labstack/echo/v5"

	"github.com/charter-registry/charter/confluent"
	"github.com/charter-registry/charter/registry"
)

// contextPaths gives every route a context-scoped twin under
// /contexts/{context}/..., before routing, as Confluent's ContextFilter
// does, so a client whose base URL is http://registry/contexts/.staging
// works in context ".staging" without knowing it:
//   - the subject after "subjects" or "deks", and the subject of
//     /config/{subject} and /mode/{subject}, is qualified with the context
//     unless it names one of its own (/contexts/.staging/subjects/orders
//     is /subjects/:.staging:orders);
//   - /config and /mode alone become the context's config and mode
//     (/config/:.staging:);
//   - /schemas/ids/... takes the context as its subject query parameter,
//     and /schemas and /subjects as their subjectPrefix, unless the
//     request qualifies them itself;
//   - /contexts/{context} alone is that context (DELETE), and
//     /contexts/{context}/contexts the list of contexts.
//
// A context name with a colon in it is refused with 400, as there.
func (s *Server) contextPaths(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		u := c.Request().URL
		ep := u.EscapedPath()
		scoped := strings.HasPrefix(ep, "/contexts/")
		if !scoped && !strings.Contains(ep, ":") && !strings.Contains(ep, "%3A") && !strings.Contains(ep, "%3a") {
			return next(c)
		}
		raw, query, err := rewriteContextPath(ep, u.Query(), scoped)
		if err != nil {
			return err
		}
		if raw != ep {
			p, err := url.PathUnescape(raw)
			if err != nil {
				return next(c)
			}
			u.Path, u.RawPath = p, raw
		}
		if query != nil {
			u.RawQuery = query.Encode()
		}
		return next(c)
	}
}

// rewriteContextPath maps an escaped path to the route it stands for,
// with the query it needs (nil when unchanged). scoped paths start with
// /contexts/{context}; every path has its subjects normalised as
// Confluent normalises them (":.:orders" is "orders", ":.staging" is
// ":.staging:", and /config/:.: is the top-level config).
func rewriteContextPath(ep string, q url.Values, scoped bool) (string, url.Values, error) {
	segs := strings.Split(strings.TrimPrefix(ep, "/"), "/")
	ctx := confluent.DefaultContext
	// Leading /contexts/{context} pairs; the last one wins, as in Confluent.
	for scoped && len(segs) >= 2 && segs[0] == "contexts" {
		name, err := url.PathUnescape(segs[1])
		if err != nil {
			return "", nil, badRequest("Invalid context name in the path")
		}
		if ctx, err = confluent.ParseContext(name); err != nil {
			return "", nil, badRequest(err.Error())
		}
		segs = segs[2:]
	}
	prefix := confluent.ContextPrefix(ctx)
	if scoped {
		if len(segs) == 1 && segs[0] == "contexts" {
			return "/contexts", nil, nil
		}
		if len(segs) == 0 || (len(segs) == 1 && segs[0] == "") {
			p := prefix
			if p == "" {
				// The default context stays on this route, whose
				// handler answers as Confluent's root does (405).
				p = ":.:"
			}
			return "/contexts/" + url.PathEscape(p), nil, nil
		}
	}
	qualify := func(name string) string {
		if hasOwnContext(name) {
			return name
		}
		return prefix + name
	}
	rootConfig := len(segs) > 0 && (segs[0] == "config" || segs[0] == "mode")
	subjectNext, sawSubject := false, false
	drop := -1
	for i, seg := range segs {
		if subjectNext {
			subjectNext, sawSubject = false, true
			name, err := url.PathUnescape(seg)
			if err != nil {
				continue
			}
			switch n := confluent.NormalizeSubject(qualify(name)); {
			case n != "":
				if n != name {
					segs[i] = url.PathEscape(n)
				}
			case rootConfig && i == 1:
				drop = i // /config/:.: is /config
			}
			continue
		}
		if seg == "subjects" || seg == "deks" || (i == 0 && rootConfig) {
			subjectNext = true
		}
	}
	if drop >= 0 {
		segs = append(segs[:drop], segs[drop+1:]...)
	}
	if scoped && rootConfig && !sawSubject && prefix != "" {
		segs = append(segs[:1], url.PathEscape(prefix))
	}
	out := "/" + strings.Join(segs, "/")
	if !scoped {
		return out, nil, nil
	}
	route := strings.Join(segs, "/")
	switch {
	case strings.HasPrefix(route, "schemas/ids"):
		subject := q.Get("subject")
		if hasOwnContext(subject) {
			return out, nil, nil
		}
		q.Set("subject", prefix+subject)
		return out, q, nil
	case route == "schemas" || route == "subjects":
		prefixes := q["subjectPrefix"]
		if len(prefixes) == 0 {
			prefixes = []string{""}
		}
		for i, p := range prefixes {
			prefixes[i] = qualify(p)
		}
		q["subjectPrefix"] = prefixes
		return out, q, nil
	}
	return out, nil, nil
}

// hasOwnContext reports whether a subject or prefix names its context
// itself (":.ctx:" or the wildcard ":*:").
func hasOwnContext(s string) bool {
	return strings.HasPrefix(s, ":.") || strings.HasPrefix(s, confluent.Wildcard)
}

// contexts answers GET /contexts: the contexts, the default one first,
// filtered by contextPrefix and paged by offset and limit as Confluent's
// ContextsResource does.
func (s *Server) contexts(c *echo.Context) error {
	offset, limit, err := pageQuery(c)
	if err != nil {
		return err
	}
	all := s.svc.Contexts()
	out := []string{}
	prefix := c.QueryParam("contextPrefix")
	for _, ctx := range all {
		if strings.HasPrefix(ctx, prefix) {
			out = append(out, ctx)
		}
	}
	out = out[min(offset, len(out)):]
	if limit > 0 && limit < len(out) {
		out = out[:limit]
	}
	return writeJSON(c, http.StatusOK, out)
}

// deleteContext answers DELETE /contexts/{context}: 204 once it is gone,
// 42211 while a subject of it holds a version.
func (s *Server) deleteContext(c *echo.Context) error {
	if name, err := confluent.ParseContext(c.Param("context")); err == nil && name == confluent.DefaultContext {
		// Confluent's context routes send the default context to the
		// root, which takes no DELETE.
		return &httpError{http.StatusMethodNotAllowed, http.StatusMethodNotAllowed, "HTTP 405 Method Not Allowed"}
	}
	if err := s.svc.DeleteContext(c.Request().Context(), c.Param("context")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// schemaForID reads the schema of id for GET /schemas/ids/{id}: with a
// subject query parameter the id is looked up in that subject's context
// and the answer names the subject and version holding it, as Confluent's
// does; without one, in the default context, naming neither.
func (s *Server) schemaForID(c *echo.Context, sn *registry.Snapshot, id int) (registry.Schema, error) {
	subject, ok := queryValue(c, "subject")
	if !ok {
		return sn.SchemaByID(registry.DefaultContext, id)
	}
	return sn.SchemaByIDFor(id, subject)
}

// qualifiedReferences applies referenceFormat=qualified: the references
// of a schema read through a subject of a non-default context are given
// with their context (":.staging:customer" for "customer"), as Confluent
// does; any other value, and a schema of the default context, keeps them
// as stored.
func qualifiedReferences(c *echo.Context, sc registry.Schema) registry.Schema {
	if c.QueryParam("referenceFormat") != "qualified" || len(sc.References) == 0 {
		return sc
	}
	ctx := confluent.ContextOf(sc.Subject)
	if ctx == confluent.DefaultContext {
		return sc
	}
	refs := make([]registry.Reference, len(sc.References))
	for i, r := range sc.References {
		r.Subject = confluent.InContext(ctx, r.Subject)
		refs[i] = r
	}
	sc.References = refs
	return sc
}

// deleteModeRecursive answers DELETE /mode/{subject}?recursive=true (and
// DELETE /mode?recursive=true): the mode and, for a context, the modes of
// every subject under it, as Confluent's ModeResource does. The answer is
// the subject's own former mode, or {} when it had none.
func (s *Server) deleteModeRecursive(c *echo.Context) error {
	m, had, err := s.svc.DeleteModeRecursive(c.Request().Context(), c.Param("subject"))
	if err != nil {
		return err
	}
	if !had {
		return writeJSON(c, http.StatusOK, struct{}{})
	}
	return writeJSON(c, http.StatusOK, modeBody{m})
}

// contextID is Confluent's ContextId: a schema id and the context that
// holds it.
type contextID struct {
	Context string `json:"context"`
	ID      int    `json:"id"`
}

// idsByGUID answers GET /schemas/guids/{guid}/ids: the id the schema has
// in each context that holds it, by context then id, as Confluent's
// SchemasResource does; a guid no context holds answers an empty list.
// Contexts the caller cannot read a subject of are left out, as for the
// guid's schema.
func (s *Server) idsByGUID(c *echo.Context) error {
	guid := c.Param("guid")
	sn := s.svc.Snapshot()
	out := []contextID{}
	for _, ctx := range sn.Contexts() {
		sc, err := sn.SchemaByGUID(ctx, guid)
		if err != nil || !s.idReadable(c, sn, ctx, sc.ID) {
			continue
		}
		out = append(out, contextID{Context: ctx, ID: sc.ID})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Context != out[j].Context {
			return out[i].Context < out[j].Context
		}
		return out[i].ID < out[j].ID
	})
	return writeJSON(c, http.StatusOK, out)
}
