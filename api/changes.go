package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/charter-registry/charter/governance"
)

// changes serves GET /v1/changes?since=<position>&timeout=<seconds>: the
// change events at or after since, waiting up to timeout seconds (at most
// MaxChangesWait, and always less than the request timeout) when there are
// none yet. The answer's next is the since of the following poll.
func (s *Server) changes(c *echo.Context) error {
	since, err := positionQuery(c, "since")
	if err != nil {
		return err
	}
	limit, err := limitQuery(c, "limit", 100)
	if err != nil {
		return err
	}
	wait, err := secondsQuery(c, "timeout")
	if err != nil {
		return err
	}
	wait = min(wait, s.cfg.MaxChangesWait, s.cfg.RequestTimeout-time.Second)
	b, err := s.gov.Changes(c.Request().Context(), governance.ChangeQuery{
		Since:   since,
		Limit:   limit,
		Wait:    max(wait, 0),
		Subject: c.QueryParam("subject"),
		Topic:   c.QueryParam("topic"),
		Viewer:  viewer(c),
	})
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, b)
}
