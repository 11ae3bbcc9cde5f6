package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v5"

	"github.com/charter-registry/charter/confluent"
	"github.com/charter-registry/charter/registry"
)

func (s *Server) schemaTypes(c *echo.Context) error {
	return writeJSON(c, http.StatusOK, s.svc.Types())
}

// pathID reads the {id} path parameter as Confluent's Integer id: anything
// that is not a 32-bit integer is 404 (no such route), and an integer that
// names no schema, zero and negatives included, is 40403 from the registry.
func pathID(c *echo.Context) (int, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 32)
	if err != nil {
		return 0, notFound()
	}
	return int(id), nil
}

// render applies the format query parameter (Confluent's rendering of a
// schema, such as Protobuf's format=serialized) to sc.
func (s *Server) render(c *echo.Context, sc registry.Schema) (registry.Schema, error) {
	return s.svc.Render(sc, c.QueryParam("format"))
}

// idRead is what a read of /schemas/ids/{id}... has established before it
// answers: the id, the one snapshot every answer comes from, the context
// the subject query parameter finds the id in (the default context
// without one), and that the request may read the id there.
type idRead struct {
	id  int
	sn  *registry.Snapshot
	ctx string
	// deleted is the deleted query flag of the listings.
	deleted bool
}

// readByID is the prologue of the /schemas/ids/{id} routes: it parses the
// {id} (404 when it is no 32-bit integer), with listing the deleted flag
// (422 when malformed), takes one snapshot, finds the id's context and
// answers 40403 for an id the request may not read (see idReadable).
func (s *Server) readByID(c *echo.Context, listing bool) (idRead, error) {
	id, err := pathID(c)
	if err != nil {
		return idRead{}, err
	}
	r := idRead{id: id, sn: s.svc.Snapshot(), ctx: registry.DefaultContext}
	if listing {
		if r.deleted, err = boolQuery(c, "deleted"); err != nil {
			return idRead{}, err
		}
	}
	if subject, ok := queryValue(c, "subject"); ok {
		r.ctx = r.sn.IDContext(id, subject)
	}
	if !s.idReadable(c, r.sn, r.ctx, id) {
		return idRead{}, errSchemaNotFound(id)
	}
	return r, nil
}

func (s *Server) schemaByID(c *echo.Context) error {
	r, err := s.readByID(c, false)
	if err != nil {
		return err
	}
	// One snapshot answers the schema, its rendering and the highest id,
	// and the cache's check. The cache answers only the default context's
	// lookup (no subject parameter), asked with the same input; a request
	// with a subject takes the lookup of its context uncached. Whether the
	// request may read the id is decided above, before the cache.
	// A body found valid in this snapshot before is served again at once
	// (bodyCache.hotByID).
	id, sn := r.id, r.sn
	key, plain := schemaByIDKey(c, id)
	serial, hot := uint64(0), false
	if plain {
		if serial, hot = s.bodies.serial(sn); hot {
			if body, ok := s.bodies.hotByID(serial, id); ok {
				return writeBody(c, body)
			}
		}
		if rev, ok := sn.SchemaRevision(id); ok {
			if e, ok := s.bodies.get(key, rev); ok {
				if hot {
					s.bodies.keepHot(serial, id, e)
				}
				return writeBody(c, e.body)
			}
		}
	}
	sc, err := s.schemaForID(c, sn, id)
	if err != nil {
		return err
	}
	if sc, err = s.svc.RenderFrom(sn, confluent.ContextOf(sc.Subject), sc, c.QueryParam("format")); err != nil {
		return err
	}
	sc = qualifiedReferences(c, sc)
	out := struct {
		registry.Schema
		MaxID int `json:"maxId,omitempty"`
	}{Schema: sc}
	fetchMax, err := boolQuery(c, "fetchMaxId")
	if err != nil {
		return err
	}
	if fetchMax {
		out.MaxID = sn.MaxID(confluent.ContextOf(sc.Subject))
	}
	if !plain {
		return writeJSON(c, http.StatusOK, out)
	}
	body, err := json.Marshal(out)
	if err != nil {
		return err
	}
	if rev, ok := registry.RevisionOf(sc); ok {
		// The body is valid in sn only if sn's revision for the id is the
		// one it was encoded from (it always is: both come from sn).
		if e := s.bodies.put(key, rev, body); e != nil && hot {
			if snRev, ok := sn.SchemaRevision(id); ok && snRev == rev {
				s.bodies.keepHot(serial, id, e)
			}
		}
	}
	return writeBody(c, body)
}

// schemaByIDKey is the cache key of GET /schemas/ids/{id}, and whether the
// request is one the cache answers: no query, or only fetchMaxId=false
// (once, without escapes). A subject (which selects a context), a format
// or referenceFormat are answered uncached.
func schemaByIDKey(c *echo.Context, id int) (bodyKey, bool) {
	k := bodyKey{route: routeSchemaByID, id: id}
	q := plainQuery{raw: c.Request().URL.RawQuery}
	seen := false
	for q.next() {
		if q.name != "fetchMaxId" || seen || !strings.EqualFold(q.value, "false") {
			return k, false
		}
		seen = true
	}
	return k, q.plain
}

func (s *Server) schemaTextByID(c *echo.Context) error {
	r, err := s.readByID(c, false)
	if err != nil {
		return err
	}
	sc, err := s.schemaForID(c, r.sn, r.id)
	if err != nil {
		return err
	}
	if sc, err = s.svc.RenderFrom(r.sn, confluent.ContextOf(sc.Subject), sc, c.QueryParam("format")); err != nil {
		return err
	}
	return writeRawSchema(c, sc.Schema)
}

// writeRawSchema serves a schema text as Confluent does on /schema routes:
// the text itself as the body.
func writeRawSchema(c *echo.Context, text string) error {
	c.Response().Header().Set("Content-Type", responseType(c))
	c.Response().WriteHeader(http.StatusOK)
	_, err := c.Response().Write([]byte(text))
	return err
}

func (s *Server) schemaByGUID(c *echo.Context) error {
	out, ctx, err := s.svc.SchemaByGUIDAnyContext(c.Param("guid"))
	if err != nil {
		return err
	}
	if !s.idReadable(c, s.svc.Snapshot(), ctx, out.ID) {
		return registry.Errorf(registry.CodeSchemaNotFound, "Schema %s not found", c.Param("guid"))
	}
	if out, err = s.svc.RenderIn(ctx, out, c.QueryParam("format")); err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

func (s *Server) subjectsByID(c *echo.Context) error {
	r, err := s.readByID(c, true)
	if err != nil {
		return err
	}
	out, err := r.sn.SubjectsOfID(r.ctx, r.id, r.deleted)
	if err != nil {
		return err
	}
	out = s.gov.ReadableSubjects(viewer(c), out)
	return writeJSON(c, http.StatusOK, out)
}

func (s *Server) versionsByID(c *echo.Context) error {
	r, err := s.readByID(c, true)
	if err != nil {
		return err
	}
	out, err := r.sn.VersionsOfID(r.ctx, r.id, r.deleted)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, s.readableVersions(c, out))
}

func (s *Server) listSchemas(c *echo.Context) error {
	var f registry.SchemaFilter
	var err error
	f.SubjectPrefix = c.QueryParam("subjectPrefix")
	if f.Deleted, err = boolQuery(c, "deleted"); err != nil {
		return err
	}
	if f.LatestOnly, err = boolQuery(c, "latestOnly"); err != nil {
		return err
	}
	if f.Offset, err = offsetQuery(c, "offset"); err != nil {
		return err
	}
	if f.Limit, err = limitQuery(c, "limit", 0); err != nil {
		return err
	}
	// Hidden subjects are left out before paging, so offset and limit
	// count what the request may read.
	offset, limit := f.Offset, f.Limit
	f.Offset, f.Limit = 0, 0
	all := s.readableSchemas(c, s.svc.Schemas(f))
	if offset >= len(all) {
		all = all[:0]
	} else {
		all = all[offset:]
	}
	if limit > 0 && limit < len(all) {
		all = all[:limit]
	}
	out, err := s.svc.RenderAll(all, c.QueryParam("format"))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}
