package api

import (
	"fmt"
	"net/http"
	"strconv"

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

func (s *Server) root(c *echo.Context) error {
	return writeJSON(c, http.StatusOK, map[string]any{})
}

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

func pathVersion(c *echo.Context) (int, error) {
	return registry.ParseVersion(c.Param("version"))
}

// render applies the format query parameter (Confluent's rendering of a
// schema, such as Protobuf's format=serialized) to sc.
func (s *Server) render(c *echo.Context, sc registry.Schema) (registry.Schema, error) {
	return s.svc.Render(sc, c.QueryParam("format"))
}

func (s *Server) schemaByID(c *echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	sc, err := s.svc.SchemaByID(id)
	if err != nil {
		return err
	}
	if sc, err = s.render(c, sc); err != nil {
		return err
	}
	out := struct {
		registry.Schema
		MaxID int `json:"maxId,omitempty"`
	}{Schema: sc}
	fetchMax, err := boolQuery(c, "fetchMaxId")
	if err != nil {
		return err
	}
	if fetchMax {
		out.MaxID = s.svc.MaxID()
	}
	return writeJSON(c, http.StatusOK, out)
}

func (s *Server) schemaTextByID(c *echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	sc, err := s.svc.SchemaByID(id)
	if err != nil {
		return err
	}
	if sc, err = s.render(c, sc); err != nil {
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
	out, err := s.svc.SchemaByGUID(c.Param("guid"))
	if err != nil {
		return err
	}
	if out, err = s.render(c, out); err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
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

// idAndDeleted reads the {id} path parameter and the deleted query flag
// that the /schemas/ids/{id}/... listings share.
func idAndDeleted(c *echo.Context) (int, bool, error) {
	id, err := pathID(c)
	if err != nil {
		return 0, false, err
	}
	deleted, err := boolQuery(c, "deleted")
	return id, deleted, err
}

func (s *Server) subjectsByID(c *echo.Context) error {
	id, deleted, err := idAndDeleted(c)
	if err != nil {
		return err
	}
	out, err := s.svc.SubjectsOfID(id, deleted)
	if err != nil {
		return err
	}
	if out == nil {
		out = []string{}
	}
	return writeJSON(c, http.StatusOK, out)
}

func (s *Server) versionsByID(c *echo.Context) error {
	id, deleted, err := idAndDeleted(c)
	if err != nil {
		return err
	}
	out, err := s.svc.VersionsOfID(id, deleted)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
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
	out, err := s.svc.RenderAll(s.svc.Schemas(f), c.QueryParam("format"))
	if err != nil {
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
	return writeJSON(c, http.StatusOK, s.svc.Subjects(c.QueryParam("subjectPrefix"), deleted, deletedOnly))
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
	out, err := s.svc.Lookup(c.Param("subject"), req, deleted)
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
	out, err := s.svc.Versions(c.Param("subject"), deleted, deletedOnly)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
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
	out, err := s.svc.Version(c.Param("subject"), v, deleted)
	if err != nil {
		return registry.Schema{}, err
	}
	return s.render(c, out)
}

func (s *Server) getVersion(c *echo.Context) error {
	out, err := s.versionOf(c)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
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
	out, err := s.svc.ReferencedBy(c.Param("subject"), v)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
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

type compatibilityResponse struct {
	IsCompatible bool                `json:"is_compatible"`
	Messages     *[]string           `json:"messages,omitempty"`
	Violations   []violationResponse `json:"violations,omitempty"`
	// Lint lists, with verbose=true, the schema's findings under the
	// subject's lint policy (absent when the policy is off).
	Lint *[]lint.Finding `json:"lint,omitempty"`
}

// violationResponse is the structured form of one verbose message, the same
// shape for every format.
type violationResponse struct {
	Rule       string `json:"rule"`
	Kind       string `json:"errorType"`
	Path       string `json:"path"`
	Message    string `json:"message"`
	OldVersion int    `json:"oldVersion"`
	Direction  string `json:"direction"`
	Line       int    `json:"line,omitempty"`
	Column     int    `json:"column,omitempty"`
}

func (s *Server) compatibility(c *echo.Context, version int) error {
	req, err := s.registerRequest(c)
	if err != nil {
		return err
	}
	verbose, err := boolQuery(c, "verbose")
	if err != nil {
		return err
	}
	res, err := s.svc.CheckCompatibility(c.Param("subject"), version, req)
	if err != nil {
		return err
	}
	out := compatibilityResponse{IsCompatible: res.Compatible}
	if verbose {
		msgs := []string{}
		if !res.Compatible {
			msgs = registry.ViolationMessages(res.Level, res.Violations)
		}
		out.Messages = &msgs
		for _, v := range res.Violations {
			out.Violations = append(out.Violations, violationResponse{
				Rule: v.Rule, Kind: v.Kind, Path: v.Path, Message: v.Message,
				OldVersion: v.OldVersion, Direction: v.Direction, Line: v.Line, Column: v.Column,
			})
		}
		if res.Lint != nil {
			out.Lint = &res.Lint
		}
	}
	return writeJSON(c, http.StatusOK, out)
}

func (s *Server) compatibilityAll(c *echo.Context) error { return s.compatibility(c, 0) }

func (s *Server) compatibilityVersion(c *echo.Context) error {
	v, err := pathVersion(c)
	if err != nil {
		return err
	}
	return s.compatibility(c, v)
}

// configUpdate is the body of PUT /config: Confluent names the level
// "compatibility" here, although GET returns "compatibilityLevel".
type configUpdate struct {
	Compatibility       *compat.Level        `json:"compatibility,omitempty"`
	CompatibilityLevel  *compat.Level        `json:"compatibilityLevel,omitempty"`
	Normalize           *bool                `json:"normalize,omitempty"`
	ValidateFields      *bool                `json:"validateFields,omitempty"`
	ValidateNewSchemas  *bool                `json:"validateNewSchemas,omitempty"`
	ValidateRules       *bool                `json:"validateRules,omitempty"`
	Alias               *string              `json:"alias,omitempty"`
	CompatibilityGroup  *string              `json:"compatibilityGroup,omitempty"`
	CompatibilityPolicy *string              `json:"compatibilityPolicy,omitempty"`
	DefaultMetadata     *registry.Metadata   `json:"defaultMetadata,omitempty"`
	OverrideMetadata    *registry.Metadata   `json:"overrideMetadata,omitempty"`
	DefaultRuleSet      *registry.RuleSet    `json:"defaultRuleSet,omitempty"`
	OverrideRuleSet     *registry.RuleSet    `json:"overrideRuleSet,omitempty"`
	Lint                *registry.LintPolicy `json:"lint,omitempty"`
}

func (s *Server) getConfig(c *echo.Context) error {
	def, err := boolQuery(c, "defaultToGlobal")
	if err != nil {
		return err
	}
	out, err := s.svc.GetConfig(c.Param("subject"), def)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

func (s *Server) putConfig(c *echo.Context) error {
	var b configUpdate
	if err := s.decodeBody(c, &b); err != nil {
		return err
	}
	if b.Compatibility == nil {
		b.Compatibility = b.CompatibilityLevel
	}
	u := registry.Config{
		Compatibility: b.Compatibility, Normalize: b.Normalize, ValidateFields: b.ValidateFields, ValidateNewSchemas: b.ValidateNewSchemas,
		Alias: b.Alias, CompatibilityGroup: b.CompatibilityGroup, CompatibilityPolicy: b.CompatibilityPolicy,
		DefaultMetadata: b.DefaultMetadata, OverrideMetadata: b.OverrideMetadata,
		DefaultRuleSet: b.DefaultRuleSet, OverrideRuleSet: b.OverrideRuleSet, Lint: b.Lint,
	}
	merged, err := s.svc.SetConfig(c.Request().Context(), c.Param("subject"), u)
	if err != nil {
		return err
	}
	b.Compatibility, b.CompatibilityLevel = merged.Compatibility, nil
	if b.CompatibilityPolicy != nil {
		b.CompatibilityPolicy = merged.CompatibilityPolicy
	}
	return writeJSON(c, http.StatusOK, b)
}

func (s *Server) deleteConfig(c *echo.Context) error {
	out, err := s.svc.DeleteConfig(c.Request().Context(), c.Param("subject"))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

type modeBody struct {
	Mode registry.Mode `json:"mode"`
}

func (s *Server) getMode(c *echo.Context) error {
	def, err := boolQuery(c, "defaultToGlobal")
	if err != nil {
		return err
	}
	m, err := s.svc.GetMode(c.Param("subject"), def)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, modeBody{m})
}

func (s *Server) putMode(c *echo.Context) error {
	var b modeBody
	if err := s.decodeBody(c, &b); err != nil {
		return err
	}
	force, err := boolQuery(c, "force")
	if err != nil {
		return err
	}
	m, err := s.svc.SetMode(c.Request().Context(), c.Param("subject"), b.Mode, force)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, modeBody{m})
}

func (s *Server) deleteMode(c *echo.Context) error {
	m, err := s.svc.DeleteMode(c.Request().Context(), c.Param("subject"))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, modeBody{m})
}

func (s *Server) contexts(c *echo.Context) error {
	return writeJSON(c, http.StatusOK, s.svc.Contexts())
}

func (s *Server) metadataID(c *echo.Context) error {
	return writeJSON(c, http.StatusOK, map[string]any{
		"scope": map[string]any{
			"path":     []string{},
			"clusters": map[string]string{"schema-registry-cluster": s.cfg.ClusterID},
		},
	})
}

func (s *Server) stateDigest(c *echo.Context) error {
	applied, _ := s.svc.Progress()
	return writeJSON(c, http.StatusOK, map[string]any{"digest": s.svc.State().Digest(), "position": applied})
}
