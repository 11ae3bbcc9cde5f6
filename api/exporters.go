package api

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v5"

	"github.com/charter-registry/charter/exporter"
)

// The exporters' routes, Confluent's /exporters (schema linking).
// Handlers decode, call one exporter.Manager method and encode; errors
// carry their Confluent codes and are mapped in errors.go.
func (s *Server) exporterRoutes(e *echo.Echo) {
	e.GET("/exporters", s.exporterNames)
	e.POST("/exporters", s.createExporter)
	e.GET("/exporters/:name", s.getExporter)
	e.PUT("/exporters/:name", s.updateExporter)
	e.DELETE("/exporters/:name", s.deleteExporter)
	e.PUT("/exporters/:name/pause", s.exporterAction((*exporter.Manager).Pause))
	e.PUT("/exporters/:name/resume", s.exporterAction((*exporter.Manager).Resume))
	e.PUT("/exporters/:name/reset", s.exporterAction((*exporter.Manager).Reset))
	e.GET("/exporters/:name/status", s.exporterStatus)
	e.GET("/exporters/:name/config", s.exporterConfig)
	e.PUT("/exporters/:name/config", s.putExporterConfig)
}

// nameBody is Confluent's ExporterResponse.
type nameBody struct {
	Name string `json:"name"`
}

func (s *Server) exporterNames(c *echo.Context) error {
	return writeJSON(c, http.StatusOK, s.exporters.Names())
}

func (s *Server) createExporter(c *echo.Context) error {
	var req exporter.Exporter
	if err := s.decodeBody(c, &req); err != nil {
		return err
	}
	name, err := s.exporters.Create(c.Request().Context(), req)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, nameBody{name})
}

func (s *Server) getExporter(c *echo.Context) error {
	out, err := s.exporters.Get(c.Param("name"))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

func (s *Server) updateExporter(c *echo.Context) error {
	var u exporter.Update
	if err := s.decodeBody(c, &u); err != nil {
		return err
	}
	name := c.Param("name")
	if err := s.exporters.Update(c.Request().Context(), name, u); err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, nameBody{name})
}

func (s *Server) deleteExporter(c *echo.Context) error {
	if err := s.exporters.Delete(c.Request().Context(), c.Param("name")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) exporterAction(fn func(*exporter.Manager, context.Context, string) error) echo.HandlerFunc {
	return func(c *echo.Context) error {
		name := c.Param("name")
		if err := fn(s.exporters, c.Request().Context(), name); err != nil {
			return err
		}
		return writeJSON(c, http.StatusOK, nameBody{name})
	}
}

func (s *Server) exporterStatus(c *echo.Context) error {
	out, err := s.exporters.Status(c.Param("name"))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

func (s *Server) exporterConfig(c *echo.Context) error {
	out, err := s.exporters.Config(c.Param("name"))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

// putExporterConfig takes the config as a flat map, as GET answers it, or
// wrapped as {"config": {...}}.
func (s *Server) putExporterConfig(c *echo.Context) error {
	var raw map[string]json.RawMessage
	if err := s.decodeBody(c, &raw); err != nil {
		return err
	}
	if inner, ok := raw["config"]; ok && len(raw) == 1 && len(inner) > 0 && inner[0] == '{' {
		raw = nil
		if err := decodeJSONAt(inner, &raw, "config"); err != nil {
			return err
		}
	}
	cfg := make(map[string]string, len(raw))
	for k, v := range raw {
		var str string
		if err := json.Unmarshal(v, &str); err != nil {
			return unprocessable("Wrong type for config key " + k + ": want a string")
		}
		cfg[k] = str
	}
	name := c.Param("name")
	if err := s.exporters.SetConfig(c.Request().Context(), name, cfg); err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, nameBody{name})
}
