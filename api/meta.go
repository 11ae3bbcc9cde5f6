package api

// The routes about the server itself: the root, the cluster metadata and
// the state digest.

import (
	"net/http"
	"runtime/debug"

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

// metadataVersion answers Confluent's GET /v1/metadata/version with the
// module version and VCS revision the binary was built from, "unknown"
// for either when the build did not record it (as Kafka's AppInfoParser
// says when it cannot tell).
func (s *Server) metadataVersion(c *echo.Context) error {
	version, commit := "unknown", "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			version = v
		}
		for _, kv := range bi.Settings {
			if kv.Key == "vcs.revision" && kv.Value != "" {
				commit = kv.Value
			}
		}
	}
	return writeJSON(c, http.StatusOK, map[string]string{"version": version, "commitId": commit})
}

// metadataDeployment answers Confluent's GET /v1/metadata/deployment:
// charter has no deployment attributes (Confluent's
// schema.registry.metadata.deployment.attributes), so the list is empty.
func (s *Server) metadataDeployment(c *echo.Context) error {
	return writeJSON(c, http.StatusOK, map[string][]string{"attributes": {}})
}

// noAssociations answers every path of Confluent's associations API, which
// charter does not serve, with Confluent's 404 and a message saying so.
func (s *Server) noAssociations(c *echo.Context) error {
	return &httpError{http.StatusNotFound, http.StatusNotFound, "HTTP 404 Not Found: charter does not implement Confluent's associations API (/associations)"}
}

func (s *Server) stateDigest(c *echo.Context) error {
	applied, _ := s.svc.Progress()
	return writeJSON(c, http.StatusOK, map[string]any{"digest": s.svc.State().Digest(), "position": applied})
}
