package api

import (
	"net/http"

	"github.com/labstack/echo/v5"

	"github.com/charter-registry/charter/governance"
)

func (s *Server) catalogRoutes(e *echo.Echo) {
	e.GET("/v1/catalog/teams", s.listTeams)
	e.POST("/v1/catalog/teams", s.createTeam)
	e.GET("/v1/catalog/teams/:team", s.getTeam)
	e.PUT("/v1/catalog/teams/:team", s.updateTeam)
	e.DELETE("/v1/catalog/teams/:team", s.deleteTeam)

	e.GET("/v1/catalog/topics", s.listTopics)
	e.POST("/v1/catalog/topics", s.createTopic)
	e.GET("/v1/catalog/topics/:topic", s.getTopic)
	e.PUT("/v1/catalog/topics/:topic", s.updateTopic)
	e.DELETE("/v1/catalog/topics/:topic", s.deleteTopic)
	e.PUT("/v1/catalog/topics/:topic/bindings", s.putBindings)
	e.GET("/v1/catalog/topics/:topic/window", s.getWindow)
	e.GET("/v1/catalog/topics/:topic/fields", s.getTopicFields)
	e.PUT("/v1/catalog/topics/:topic/subscribers/:team", s.subscribe)
	e.DELETE("/v1/catalog/topics/:topic/subscribers/:team", s.unsubscribe)
	e.GET("/v1/catalog/reviews", s.listReviews)
	e.GET("/v1/catalog/reviews/:review", s.getReview)
	e.POST("/v1/catalog/reviews/:review/approve", s.approveReview)
	e.POST("/v1/catalog/reviews/:review/reject", s.rejectReview)
	e.POST("/v1/catalog/reviews/:review/withdraw", s.withdrawReview)
	e.PUT("/v1/catalog/topics/:topic/migrations/:consumer", s.putMigration)

	e.GET("/v1/catalog/subjects/:subject", s.subjectOwnership)
	e.GET("/v1/catalog/search", s.search)
}

func (s *Server) listTeams(c *echo.Context) error {
	return writeJSON(c, http.StatusOK, s.gov.Teams())
}

func (s *Server) createTeam(c *echo.Context) error {
	var t governance.Team
	if err := s.decodeBody(c, &t); err != nil {
		return err
	}
	out, err := s.gov.CreateTeam(c.Request().Context(), t)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

func (s *Server) getTeam(c *echo.Context) error {
	out, err := s.gov.Team(viewer(c), c.Param("team"))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

func (s *Server) updateTeam(c *echo.Context) error {
	var u governance.TeamUpdate
	if err := s.decodeBody(c, &u); err != nil {
		return err
	}
	out, err := s.gov.UpdateTeam(c.Request().Context(), c.Param("team"), u)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

func (s *Server) deleteTeam(c *echo.Context) error {
	out, err := s.gov.DeleteTeam(c.Request().Context(), c.Param("team"))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

func (s *Server) listTopics(c *echo.Context) error {
	lifecycle, err := enumQuery(c, "lifecycle", governance.Lifecycles())
	if err != nil {
		return err
	}
	f := governance.TopicFilter{Owner: c.QueryParam("owner"), Lifecycle: lifecycle, Tag: c.QueryParam("tag"), Viewer: viewer(c)}
	return writeJSON(c, http.StatusOK, s.gov.Topics(f))
}

// topicCreate is the body of POST /v1/catalog/topics: the topic's name and
// any of the fields of an update.
type topicCreate struct {
	Name string `json:"name"`
	governance.TopicUpdate
}

func (s *Server) createTopic(c *echo.Context) error {
	var b topicCreate
	if err := s.decodeBody(c, &b); err != nil {
		return err
	}
	out, err := s.gov.CreateTopic(c.Request().Context(), b.Name, b.TopicUpdate)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

func (s *Server) getTopic(c *echo.Context) error {
	out, err := s.gov.Topic(viewer(c), c.Param("topic"))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

func (s *Server) updateTopic(c *echo.Context) error {
	var u governance.TopicUpdate
	if err := s.decodeBody(c, &u); err != nil {
		return err
	}
	force, err := boolQuery(c, "force")
	if err != nil {
		return err
	}
	u.Force = force
	out, err := s.gov.UpdateTopic(c.Request().Context(), c.Param("topic"), u)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

func (s *Server) deleteTopic(c *echo.Context) error {
	out, err := s.gov.DeleteTopic(c.Request().Context(), c.Param("topic"))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

func (s *Server) putBindings(c *echo.Context) error {
	var b governance.BindingsUpdate
	if err := s.decodeBody(c, &b); err != nil {
		return err
	}
	out, err := s.gov.UpdateTopic(c.Request().Context(), c.Param("topic"), governance.TopicUpdate{Bindings: &b})
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

func (s *Server) subjectOwnership(c *echo.Context) error {
	out, err := s.gov.SubjectOwnership(viewer(c), c.Param("subject"))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

func (s *Server) search(c *echo.Context) error {
	q := c.QueryParam("q")
	if q == "" {
		return unprocessable("Query parameter q is required: the text to find in topics, subjects, teams and field names")
	}
	limit, err := limitQuery(c, "limit", 100)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, s.gov.Search(viewer(c), q, limit))
}

func (s *Server) getWindow(c *echo.Context) error {
	out, err := s.gov.Window(viewer(c), c.Param("topic"))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

// migrationBody is the body of PUT .../migrations/{consumer}.
type migrationBody struct {
	State governance.MigrationState `json:"state"`
}

func (s *Server) putMigration(c *echo.Context) error {
	var b migrationBody
	if err := s.decodeBody(c, &b); err != nil {
		return err
	}
	out, err := s.gov.SetMigration(c.Request().Context(), c.Param("topic"), c.Param("consumer"), b.State)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

func (s *Server) getTopicFields(c *echo.Context) error {
	out, err := s.gov.Fields(viewer(c), c.Param("topic"))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

func (s *Server) subscribe(c *echo.Context) error {
	out, err := s.gov.Subscribe(c.Request().Context(), c.Param("topic"), c.Param("team"), true)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

func (s *Server) unsubscribe(c *echo.Context) error {
	out, err := s.gov.Subscribe(c.Request().Context(), c.Param("topic"), c.Param("team"), false)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

func (s *Server) listReviews(c *echo.Context) error {
	state, err := enumQuery(c, "state", governance.ReviewStates())
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, s.gov.Reviews(governance.ReviewFilter{Topic: c.QueryParam("topic"), Subject: c.QueryParam("subject"), State: state, Viewer: viewer(c)}))
}

func (s *Server) getReview(c *echo.Context) error {
	out, err := s.gov.Review(viewer(c), c.Param("review"))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

func (s *Server) approveReview(c *echo.Context) error {
	override, err := boolQuery(c, "override")
	if err != nil {
		return err
	}
	out, err := s.gov.Approve(c.Request().Context(), c.Param("review"), override)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

func (s *Server) rejectReview(c *echo.Context) error {
	out, err := s.gov.Reject(c.Request().Context(), c.Param("review"))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

func (s *Server) withdrawReview(c *echo.Context) error {
	out, err := s.gov.Withdraw(c.Request().Context(), c.Param("review"))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}
