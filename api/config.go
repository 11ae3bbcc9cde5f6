package api

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v5"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/registry"
)

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

// configNulls are the fields of a PUT /config body that a JSON null
// clears, as Confluent clears them (a field left out keeps its value), by
// the name of the registry's Config field each stands for.
var configNulls = map[string]registry.ConfigField{
	"compatibility": "compatibilityLevel", "compatibilityLevel": "compatibilityLevel",
	"normalize": "normalize", "validateFields": "validateFields", "validateNewSchemas": "validateNewSchemas",
	"validateRules": "validateRules", "alias": "alias", "compatibilityGroup": "compatibilityGroup", "compatibilityPolicy": "compatibilityPolicy",
	"defaultMetadata": "defaultMetadata", "overrideMetadata": "overrideMetadata",
	"defaultRuleSet": "defaultRuleSet", "overrideRuleSet": "overrideRuleSet", "lint": "lint",
}

// putConfig merges the body into the config and answers the config that
// results, as Confluent does: {} changes nothing and answers the config
// as it is, a field sent as null is cleared, unknown fields are ignored.
func (s *Server) putConfig(c *echo.Context) error {
	var b configUpdate
	body, err := s.decodeBodyText(c, &b)
	if err != nil {
		return err
	}
	if b.Compatibility == nil {
		b.Compatibility = b.CompatibilityLevel
	}
	var clear []registry.ConfigField
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) == nil {
		for name, v := range fields {
			if f, ok := configNulls[name]; ok && string(bytes.TrimSpace(v)) == "null" {
				clear = append(clear, f)
			}
		}
	}
	u := registry.Config{
		Compatibility: b.Compatibility, Normalize: b.Normalize, ValidateFields: b.ValidateFields, ValidateNewSchemas: b.ValidateNewSchemas,
		ValidateRules: b.ValidateRules, Alias: b.Alias, CompatibilityGroup: b.CompatibilityGroup, CompatibilityPolicy: b.CompatibilityPolicy,
		DefaultMetadata: b.DefaultMetadata, OverrideMetadata: b.OverrideMetadata,
		DefaultRuleSet: b.DefaultRuleSet, OverrideRuleSet: b.OverrideRuleSet, Lint: b.Lint,
	}
	m, err := s.svc.SetConfig(c.Request().Context(), c.Param("subject"), u, clear...)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, configUpdate{
		Compatibility: m.Compatibility, Normalize: m.Normalize, ValidateFields: m.ValidateFields, ValidateNewSchemas: m.ValidateNewSchemas,
		ValidateRules: m.ValidateRules,
		Alias:         m.Alias, CompatibilityGroup: m.CompatibilityGroup, CompatibilityPolicy: m.CompatibilityPolicy,
		DefaultMetadata: m.DefaultMetadata, OverrideMetadata: m.OverrideMetadata,
		DefaultRuleSet: m.DefaultRuleSet, OverrideRuleSet: m.OverrideRuleSet, Lint: m.Lint,
	})
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
	recursive, err := boolQuery(c, "recursive")
	if err != nil {
		return err
	}
	if recursive {
		return s.deleteModeRecursive(c)
	}
	m, err := s.svc.DeleteMode(c.Request().Context(), c.Param("subject"))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, modeBody{m})
}
