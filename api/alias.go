package api

import (
	"net/url"
	"strings"

	"github.com/labstack/echo/v5"
)

// resolveAliases replaces a subject alias by the subject it stands for
// before routing, where Confluent's AliasFilter does: the path segment
// after "subjects" on the /subjects and /compatibility routes, the one
// after "deks" on the DEK routes, and the subject query parameter of
// /schemas/ids/{id}/..., whose context the id is looked up in.
// /config/{subject} and /mode/{subject} keep the
// name, so an alias's own config can be read, changed and deleted. The
// registry then authorises and answers for the target subject. Routes
// that are charter's own (the catalogue) are not rewritten.
func (s *Server) resolveAliases(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		u := c.Request().URL
		ep := u.EscapedPath()
		first, _, _ := strings.Cut(strings.TrimPrefix(ep, "/"), "/")
		if !strings.HasPrefix(ep, "/") {
			first = ""
		}
		switch first {
		case "schemas":
			// Only a query can carry the subject; most reads by id have none.
			if rest, ok := strings.CutPrefix(ep, "/schemas/ids"); ok && (rest == "" || rest[0] == '/') && u.RawQuery != "" {
				q := u.Query()
				if name := q.Get("subject"); name != "" {
					if target := s.svc.ResolveAlias(name); target != name {
						q.Set("subject", target)
						u.RawQuery = q.Encode()
					}
				}
			}
		case "subjects", "compatibility", "dek-registry":
			parts := strings.Split(ep, "/")
			marker := "subjects"
			if first == "dek-registry" {
				marker = "deks"
			}
			changed := false
			for i := 1; i+1 < len(parts); i++ {
				if parts[i] != marker {
					continue
				}
				name, err := url.PathUnescape(parts[i+1])
				if err != nil || name == "" {
					break
				}
				if target := s.svc.ResolveAlias(name); target != name {
					parts[i+1] = url.PathEscape(target)
					changed = true
				}
				break
			}
			if changed {
				raw := strings.Join(parts, "/")
				if p, err := url.PathUnescape(raw); err == nil {
					u.Path, u.RawPath = p, raw
				}
			}
		}
		return next(c)
	}
}
