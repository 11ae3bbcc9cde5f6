package api

// The routes about the server itself: the root, the cluster metadata and
// the state digest.

import (
	"net/http"

	"github.com/labstack/echo/v5"
)

func (s *Server) root(c *echo.Context) error {
	return writeJSON(c, http.StatusOK, map[string]any{})
}

func (s *Server) metadataID(c *echo.Context) error {
	return writeJSON(c, http.StatusOK, map[string]any{
		"scope": map[string]any{
			"path":     []string{},
			"clusters": map[string]string{"schema-registry-cluster": s.cfg.ClusterID},
		},
	})
}

func (s *Server) stateDigest(c *echo.Context) error {
	applied, _ := s.svc.Progress()
	return writeJSON(c, http.StatusOK, map[string]any{"digest": s.svc.State().Digest(), "position": applied})
}
