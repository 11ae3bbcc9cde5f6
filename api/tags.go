package api

import (
	"net/http"

	"github.com/labstack/echo/v5"

	"github.com/charter-registry/charter/confluent"
	"github.com/charter-registry/charter/registry"
)

// tagBody is Confluent's TagSchemaRequest.
type tagBody struct {
	NewVersion    *int                   `json:"newVersion"`
	TagsToAdd     []confluent.SchemaTags `json:"tagsToAdd"`
	TagsToRemove  []confluent.SchemaTags `json:"tagsToRemove"`
	Metadata      *registry.Metadata     `json:"metadata"`
	RuleSet       *registry.RuleSet      `json:"ruleSet"`
	RulesToMerge  *registry.RuleSet      `json:"rulesToMerge"`
	RulesToRemove []string               `json:"rulesToRemove"`
}

// tagVersion is POST /subjects/{subject}/versions/{version}/tags: a new
// version with tags added and removed, answered as a registration.
func (s *Server) tagVersion(c *echo.Context) error {
	v, err := pathVersion(c)
	if err != nil {
		return err
	}
	var b tagBody
	if err := s.decodeBody(c, &b); err != nil {
		return err
	}
	out, err := s.svc.TagVersion(c.Request().Context(), c.Param("subject"), v, registry.TagRequest{
		NewVersion: b.NewVersion, TagsToAdd: b.TagsToAdd, TagsToRemove: b.TagsToRemove,
		Metadata: b.Metadata, RuleSet: b.RuleSet, RulesToMerge: b.RulesToMerge, RulesToRemove: b.RulesToRemove,
	})
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}
