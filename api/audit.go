package api

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/charter-registry/charter/registry"
)

// timeQuery reads a time: RFC 3339, or milliseconds since the epoch.
func timeQuery(c *echo.Context, name string) (time.Time, error) {
	v := c.QueryParam(name)
	if v == "" {
		return time.Time{}, nil
	}
	if ms, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.UnixMilli(ms).UTC(), nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, unprocessable(fmt.Sprintf("Query parameter %s=%q is not a time: use RFC 3339 (2026-01-02T15:04:05Z) or milliseconds since the epoch", name, v))
	}
	return t, nil
}

func int64Query(c *echo.Context, name string) (int64, error) {
	v := c.QueryParam(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, unprocessable(fmt.Sprintf("Query parameter %s=%q is not a position: use a non-negative integer", name, v))
	}
	return n, nil
}

func (s *Server) audit(c *echo.Context) error {
	f := registry.AuditFilter{
		Subject:   c.QueryParam("subject"),
		Topic:     c.QueryParam("topic"),
		Team:      c.QueryParam("team"),
		Principal: c.QueryParam("principal"),
		Operation: registry.Operation(c.QueryParam("operation")),
	}
	var err error
	if f.From, err = timeQuery(c, "from"); err != nil {
		return err
	}
	if f.To, err = timeQuery(c, "to"); err != nil {
		return err
	}
	if f.Before, err = int64Query(c, "before"); err != nil {
		return err
	}
	if f.Limit, err = intQuery(c, "limit", 100); err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, s.svc.Audit(f))
}
