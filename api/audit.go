package api

import (
	"net/http"

	"github.com/labstack/echo/v5"

	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/registry/dek"
)

func (s *Server) audit(c *echo.Context) error {
	f := registry.AuditFilter{
		Subject:   c.QueryParam("subject"),
		Topic:     c.QueryParam("topic"),
		Team:      c.QueryParam("team"),
		Principal: c.QueryParam("principal"),
	}
	var err error
	if f.Operation, err = enumQuery(c, "operation", append(registry.Operations(), dek.Operations()...)); err != nil {
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
	return writeJSON(c, http.StatusOK, s.svc.Audit(f))
}
