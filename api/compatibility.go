package api

import (
	"net/http"

	"github.com/labstack/echo/v5"

	"github.com/charter-registry/charter/lint"
	"github.com/charter-registry/charter/registry"
)

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
