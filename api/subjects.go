package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v5"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/confluent"
	"github.com/charter-registry/charter/lint"
	"github.com/charter-registry/charter/registry"
)

// registerBody is the JSON body of register, lookup and compatibility
// requests. Fields that Confluent clients send and charter does not use
// (subject, guid, tag propagation) are declared so that their types are
// still checked; any other field is ignored, as Confluent ignores it.
type registerBody struct {
	Schema              *string                `json:"schema"`
	SchemaType          string                 `json:"schemaType,omitempty"`
	References          []registry.Reference   `json:"references,omitempty"`
	Metadata            *registry.Metadata     `json:"metadata,omitempty"`
	RuleSet             *registry.RuleSet      `json:"ruleSet,omitempty"`
	ID                  int                    `json:"id,omitempty"`
	Version             int                    `json:"version,omitempty"`
	Subject             string                 `json:"subject,omitempty"`
	GUID                string                 `json:"guid,omitempty"`
	SchemaTagsToAdd     []confluent.SchemaTags `json:"schemaTagsToAdd,omitempty"`
	SchemaTagsToRemove  []confluent.SchemaTags `json:"schemaTagsToRemove,omitempty"`
	PropagateSchemaTags *bool                  `json:"propagateSchemaTags,omitempty"`
}

func (s *Server) registerRequest(c *echo.Context) (registry.RegisterRequest, error) {
	var b registerBody
	if err := s.decodeBody(c, &b); err != nil {
		return registry.RegisterRequest{}, err
	}
	if b.Schema == nil {
		return registry.RegisterRequest{}, registry.Errorf(registry.CodeInvalidSchema, "Invalid schema: the request has no \"schema\" field")
	}
	normalize, err := boolQuery(c, "normalize")
	if err != nil {
		return registry.RegisterRequest{}, err
	}
	force, err := boolQuery(c, "force")
	if err != nil {
		return registry.RegisterRequest{}, err
	}
	// Confluent's id and version are Java ints: a larger number is refused
	// as its JSON mapping refuses it, never wrapped or truncated.
	if b.ID > registry.MaxID {
		return registry.RegisterRequest{}, unprocessable(fmt.Sprintf("Invalid id %d: schema ids are integers from 1 to %d", b.ID, registry.MaxID))
	}
	if b.Version > registry.MaxVersion {
		return registry.RegisterRequest{}, unprocessable(fmt.Sprintf("Invalid version %d: versions are integers from 1 to %d", b.Version, registry.MaxVersion))
	}
	if b.ID < 0 {
		b.ID = 0
	}
	if b.Version < 0 {
		b.Version = 0
	}
	return registry.RegisterRequest{
		Schema:     *b.Schema,
		SchemaType: compat.Type(b.SchemaType),
		References: b.References,
		Metadata:   b.Metadata,
		RuleSet:    b.RuleSet,
		ID:         b.ID,
		Version:    b.Version,
		Normalize:  normalize,
		Force:      force,

		TagsToAdd:    b.SchemaTagsToAdd,
		TagsToRemove: b.SchemaTagsToRemove,
	}, nil
}

func pathVersion(c *echo.Context) (int, error) {
	return registry.ParseVersion(c.Param("version"))
}

// latestWithMetadata serves GET /subjects/{subject}/metadata?key=k&value=v,
// which Confluent serializers call for use.latest.with.metadata. Repeated
// key/value pairs must all match; an unpaired key or value is ignored, as
// Confluent does.
func (s *Server) latestWithMetadata(c *echo.Context) error {
	q := c.QueryParams()
	keys, values := q["key"], q["value"]
	// Confluent pairs the i-th key with the i-th value and ignores the
	// surplus of the longer list.
	props := map[string]string{}
	for i := range min(len(keys), len(values)) {
		props[keys[i]] = values[i]
	}
	deleted, err := boolQuery(c, "deleted")
	if err != nil {
		return err
	}
	out, err := s.svc.LatestWithMetadata(c.Param("subject"), props, deleted)
	if err != nil {
		return err
	}
	if out, err = s.render(c, out); err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

// deletedFlags reads the deleted and deletedOnly query flags of the
// subject and version listings.
func deletedFlags(c *echo.Context) (deleted, deletedOnly bool, err error) {
	if deleted, err = boolQuery(c, "deleted"); err != nil {
		return false, false, err
	}
	deletedOnly, err = boolQuery(c, "deletedOnly")
	return deleted, deletedOnly, err
}

func (s *Server) listSubjects(c *echo.Context) error {
	deleted, deletedOnly, err := deletedFlags(c)
	if err != nil {
		return err
	}
	offset, limit, err := pageQuery(c)
	if err != nil {
		return err
	}
	// Confluent lists every context unless asked for a prefix.
	prefix, ok := queryValue(c, "subjectPrefix")
	if !ok {
		prefix = confluent.Wildcard
	}
	// Hidden subjects are left out before paging, so offset and limit
	// count what the request may read.
	return writeJSON(c, http.StatusOK, page(s.gov.ReadableSubjects(viewer(c), s.svc.Subjects(prefix, deleted, deletedOnly)), offset, limit))
}

func (s *Server) lookup(c *echo.Context) error {
	req, err := s.registerRequest(c)
	if err != nil {
		return err
	}
	deleted, err := boolQuery(c, "deleted")
	if err != nil {
		return err
	}
	out, err := s.svc.UsingContexts(c.Param("subject"), func(subject string) (registry.Schema, error) {
		return s.svc.Lookup(subject, req, deleted)
	})
	if err != nil {
		return err
	}
	if out, err = s.render(c, out); err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

func (s *Server) register(c *echo.Context) error {
	req, err := s.registerRequest(c)
	if err != nil {
		return err
	}
	out, findings, err := s.svc.RegisterLinted(c.Request().Context(), c.Param("subject"), req)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, registerResponse{Schema: out, Lint: findings})
}

// registerResponse is the registered schema plus, under a warn lint
// policy, the findings it was accepted with (charter's addition; clients
// that do not know the field ignore it).
type registerResponse struct {
	registry.Schema
	Lint []lint.Finding `json:"lint,omitempty"`
}

func (s *Server) listVersions(c *echo.Context) error {
	deleted, deletedOnly, err := deletedFlags(c)
	if err != nil {
		return err
	}
	asNegative, err := boolQuery(c, "deletedAsNegative")
	if err != nil {
		return err
	}
	offset, limit, err := pageQuery(c)
	if err != nil {
		return err
	}
	var out []int
	if asNegative { // Confluent: every version, whatever deleted and deletedOnly say
		out, err = s.svc.VersionsAsNegative(c.Param("subject"), deleted || deletedOnly)
	} else {
		out, err = s.svc.Versions(c.Param("subject"), deleted, deletedOnly)
	}
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, page(out, offset, limit))
}

func (s *Server) versionOf(c *echo.Context) (registry.Schema, error) {
	v, err := pathVersion(c)
	if err != nil {
		return registry.Schema{}, err
	}
	deleted, err := boolQuery(c, "deleted")
	if err != nil {
		return registry.Schema{}, err
	}
	out, err := s.svc.UsingContexts(c.Param("subject"), func(subject string) (registry.Schema, error) {
		return s.svc.Version(subject, v, deleted)
	})
	if err != nil {
		return registry.Schema{}, err
	}
	return s.render(c, out)
}

func (s *Server) getVersion(c *echo.Context) error {
	// The cache is asked with the same inputs as versionOf's lookup.
	key, plain := versionKey(c)
	if plain {
		if rev, ok := s.svc.Snapshot().VersionRevision(key.subject, key.version, key.deleted); ok {
			if e, ok := s.bodies.get(key, rev); ok {
				return writeBody(c, e.body)
			}
		}
	}
	out, err := s.versionOf(c)
	if err != nil {
		return err
	}
	if !plain {
		return writeJSON(c, http.StatusOK, qualifiedReferences(c, out))
	}
	body, err := json.Marshal(out)
	if err != nil {
		return err
	}
	if rev, ok := registry.RevisionOf(out); ok {
		s.bodies.put(key, rev, body)
	}
	return writeBody(c, body)
}

// versionKey is the cache key of GET /subjects/{subject}/versions/{version},
// and whether the request is one the cache answers: a valid version, and
// no query or only deleted=true|false, once and without escapes.
func versionKey(c *echo.Context) (bodyKey, bool) {
	v, err := pathVersion(c)
	if err != nil {
		return bodyKey{}, false
	}
	k := bodyKey{route: routeVersion, subject: c.Param("subject"), version: v}
	seen := false
	q := plainQuery{raw: c.Request().URL.RawQuery}
	for q.next() {
		if q.name != "deleted" || seen {
			return k, false
		}
		seen = true
		switch {
		case strings.EqualFold(q.value, "true"):
			k.deleted = true
		case strings.EqualFold(q.value, "false"):
		default:
			return k, false
		}
	}
	return k, q.plain
}

func (s *Server) getVersionText(c *echo.Context) error {
	out, err := s.versionOf(c)
	if err != nil {
		return err
	}
	return writeRawSchema(c, out.Schema)
}

func (s *Server) referencedBy(c *echo.Context) error {
	v, err := pathVersion(c)
	if err != nil {
		return err
	}
	deleted, err := boolQuery(c, "deleted")
	if err != nil {
		return err
	}
	offset, limit, err := pageQuery(c)
	if err != nil {
		return err
	}
	out, err := s.svc.ReferencedBy(c.Param("subject"), v, deleted)
	if err != nil {
		return err
	}
	ctx := registry.SubjectContext(c.Param("subject"))
	sn := s.svc.Snapshot()
	readable := []int{}
	for _, id := range out {
		if s.idReadable(c, sn, ctx, id) {
			readable = append(readable, id)
		}
	}
	return writeJSON(c, http.StatusOK, page(readable, offset, limit))
}

func (s *Server) deleteSubject(c *echo.Context) error {
	permanent, err := boolQuery(c, "permanent")
	if err != nil {
		return err
	}
	out, err := s.svc.DeleteSubject(c.Request().Context(), c.Param("subject"), permanent)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

func (s *Server) deleteVersion(c *echo.Context) error {
	v, err := pathVersion(c)
	if err != nil {
		return err
	}
	permanent, err := boolQuery(c, "permanent")
	if err != nil {
		return err
	}
	out, err := s.svc.DeleteVersion(c.Request().Context(), c.Param("subject"), v, permanent)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}
