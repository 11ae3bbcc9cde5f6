package api

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/charter-registry/charter/registry"
)

// changes serves GET /v1/changes?since=<position>&timeout=<seconds>: the
// change events at or after since, waiting up to timeout seconds (at most
// MaxChangesWait, and always less than the request timeout) when there are
// none yet. The answer's next is the since of the following poll.
func (s *Server) changes(c *echo.Context) error {
	since, err := int64Query(c, "since")
	if err != nil {
		return err
	}
	limit, err := intQuery(c, "limit", 100)
	if err != nil {
		return err
	}
	var wait time.Duration
	if v := c.QueryParam("timeout"); v != "" {
		secs, err := strconv.ParseFloat(v, 64)
		if err != nil || secs < 0 || secs > 3600 {
			return unprocessable(fmt.Sprintf("Query parameter timeout=%q is not a number of seconds", v))
		}
		wait = time.Duration(secs * float64(time.Second))
	}
	wait = min(wait, s.cfg.MaxChangesWait, s.cfg.RequestTimeout-time.Second)
	b, err := s.svc.Changes(c.Request().Context(), registry.ChangeQuery{
		Since:   since,
		Limit:   limit,
		Wait:    max(wait, 0),
		Subject: c.QueryParam("subject"),
		Topic:   c.QueryParam("topic"),
	})
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, b)
}
