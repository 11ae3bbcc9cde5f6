package api

import (
	"net/http"
	"slices"

	"github.com/labstack/echo/v5"

	"github.com/charter-registry/charter/exporter"
	"github.com/charter-registry/charter/governance"
	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/registry/dek"
)

func (s *Server) audit(c *echo.Context) error {
	f := governance.AuditFilter{
		Subject:   c.QueryParam("subject"),
		Topic:     c.QueryParam("topic"),
		Team:      c.QueryParam("team"),
		Principal: c.QueryParam("principal"),
		Viewer:    viewer(c),
	}
	var err error
	if f.Operation, err = enumQuery(c, "operation", slices.Concat(registry.Operations(), governance.Operations(), dek.Operations(), exporter.Operations())); err != nil {
		return err
	}
	if f.From, err = timeQuery(c, "from"); err != nil {
		return err
	}
	if f.To, err = timeQuery(c, "to"); err != nil {
		return err
	}
	if f.Before, err = positionQuery(c, "before"); err != nil {
		return err
	}
	if f.Limit, err = limitQuery(c, "limit", 100); err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, s.gov.Audit(f))
}
