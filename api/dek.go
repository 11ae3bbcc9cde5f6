package api

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v5"

	"github.com/charter-registry/charter/contracts/encryption"
	"github.com/charter-registry/charter/registry/dek"
)

// The DEK registry's routes, Confluent's /dek-registry/v1. Handlers decode,
// call one dek.Registry method and encode; errors carry their Confluent
// codes and are mapped in errors.go.
func (s *Server) dekRoutes(e *echo.Echo) {
	const keks = "/dek-registry/v1/keks"
	e.GET(keks, s.kekNames)
	e.POST(keks, s.createKek)
	e.GET(keks+"/:name", s.getKek)
	e.PUT(keks+"/:name", s.updateKek)
	e.DELETE(keks+"/:name", s.deleteKek)
	e.POST(keks+"/:name/test", s.testKek)
	e.POST(keks+"/:name/undelete", s.undeleteKek)
	e.GET(keks+"/:name/deks", s.dekSubjects)
	e.POST(keks+"/:name/deks", s.createDekLegacy)
	e.GET(keks+"/:name/deks/:subject", s.getDek)
	e.POST(keks+"/:name/deks/:subject", s.createDek)
	e.DELETE(keks+"/:name/deks/:subject", s.deleteDek)
	e.POST(keks+"/:name/deks/:subject/undelete", s.undeleteDek)
	e.GET(keks+"/:name/deks/:subject/versions", s.dekVersions)
	e.GET(keks+"/:name/deks/:subject/versions/:version", s.getDekVersion)
	e.DELETE(keks+"/:name/deks/:subject/versions/:version", s.deleteDekVersion)
	e.POST(keks+"/:name/deks/:subject/versions/:version/undelete", s.undeleteDekVersion)
}

func pageQuery(c *echo.Context) (offset, limit int, err error) {
	if offset, err = offsetQuery(c, "offset"); err != nil {
		return 0, 0, err
	}
	if limit, err = limitQuery(c, "limit", -1); err != nil {
		return 0, 0, err
	}
	return offset, limit, nil
}

// algorithmQuery reads ?algorithm=; empty means the default.
func algorithmQuery(c *echo.Context) (encryption.Format, error) {
	v := c.QueryParam("algorithm")
	if v == "" {
		return "", nil
	}
	f, err := encryption.ParseFormat(v)
	if err != nil {
		return "", dek.ErrInvalidKey("algorithm")
	}
	return f, nil
}

// dekReadQuery reads the ?deleted= and ?algorithm= of the DEK reads.
func dekReadQuery(c *echo.Context) (deleted bool, alg encryption.Format, err error) {
	if deleted, err = boolQuery(c, "deleted"); err != nil {
		return false, "", err
	}
	if alg, err = algorithmQuery(c); err != nil {
		return false, "", err
	}
	return deleted, alg, nil
}

func (s *Server) kekNames(c *echo.Context) error {
	deleted, err := boolQuery(c, "deleted")
	if err != nil {
		return err
	}
	offset, limit, err := pageQuery(c)
	if err != nil {
		return err
	}
	prefixes := c.QueryParams()["subjectPrefix"]
	return writeJSON(c, http.StatusOK, dek.Page(s.keys.KekNames(prefixes, deleted), offset, limit))
}

func (s *Server) getKek(c *echo.Context) error {
	deleted, err := boolQuery(c, "deleted")
	if err != nil {
		return err
	}
	out, err := s.keys.Kek(c.Param("name"), deleted)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

func (s *Server) createKek(c *echo.Context) error {
	testSharing, err := boolQuery(c, "testSharing")
	if err != nil {
		return err
	}
	var req dek.CreateKek
	if err := s.decodeBody(c, &req); err != nil {
		return err
	}
	out, err := s.keys.CreateKek(c.Request().Context(), req, testSharing)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

func (s *Server) updateKek(c *echo.Context) error {
	testSharing, err := boolQuery(c, "testSharing")
	if err != nil {
		return err
	}
	var raw map[string]json.RawMessage
	if err := s.decodeBody(c, &raw); err != nil {
		return err
	}
	var u dek.UpdateKek
	if v, ok := raw["kmsProps"]; ok {
		u.SetKmsProps = true
		if err := decodeJSONAt(v, &u.KmsProps, "kmsProps"); err != nil && string(v) != "null" {
			return err
		}
	}
	if v, ok := raw["doc"]; ok {
		u.SetDoc = true
		if string(v) != "null" {
			if err := decodeJSONAt(v, &u.Doc, "doc"); err != nil {
				return err
			}
		}
	}
	if v, ok := raw["shared"]; ok && string(v) != "null" {
		if err := decodeJSONAt(v, &u.Shared, "shared"); err != nil {
			return err
		}
	}
	out, err := s.keys.UpdateKek(c.Request().Context(), c.Param("name"), u, testSharing)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

func (s *Server) deleteKek(c *echo.Context) error {
	permanent, err := boolQuery(c, "permanent")
	if err != nil {
		return err
	}
	if err := s.keys.DeleteKek(c.Request().Context(), c.Param("name"), permanent); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) testKek(c *echo.Context) error {
	out, err := s.keys.TestKek(c.Request().Context(), c.Param("name"))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

func (s *Server) undeleteKek(c *echo.Context) error {
	if err := s.keys.UndeleteKek(c.Request().Context(), c.Param("name")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) dekSubjects(c *echo.Context) error {
	deleted, err := boolQuery(c, "deleted")
	if err != nil {
		return err
	}
	offset, limit, err := pageQuery(c)
	if err != nil {
		return err
	}
	out, err := s.keys.DekSubjects(c.Param("name"), deleted)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, dek.Page(out, offset, limit))
}

func (s *Server) dekVersions(c *echo.Context) error {
	deleted, alg, err := dekReadQuery(c)
	if err != nil {
		return err
	}
	offset, limit, err := pageQuery(c)
	if err != nil {
		return err
	}
	out, err := s.keys.DekVersions(c.Param("name"), c.Param("subject"), alg, deleted)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, dek.Page(out, offset, limit))
}

func (s *Server) readDek(c *echo.Context, version int) error {
	deleted, alg, err := dekReadQuery(c)
	if err != nil {
		return err
	}
	out, err := s.keys.Dek(c.Request().Context(), c.Param("name"), c.Param("subject"), version, alg, deleted)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

// getDek answers version 1, as Confluent's GET .../deks/{subject} does.
func (s *Server) getDek(c *echo.Context) error { return s.readDek(c, 1) }

func (s *Server) getDekVersion(c *echo.Context) error {
	v, err := pathVersion(c)
	if err != nil {
		return err
	}
	return s.readDek(c, v)
}

func (s *Server) createDekWith(c *echo.Context, subject *string) error {
	rewrap, err := boolQuery(c, "rewrap")
	if err != nil {
		return err
	}
	var req dek.CreateDek
	if err := s.decodeBody(c, &req); err != nil {
		return err
	}
	if subject != nil {
		req.Subject = *subject
	}
	out, err := s.keys.CreateDek(c.Request().Context(), c.Param("name"), req, rewrap)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

func (s *Server) createDek(c *echo.Context) error {
	subject := c.Param("subject")
	return s.createDekWith(c, &subject)
}

// createDekLegacy is the deprecated POST .../deks with the subject in the
// body.
func (s *Server) createDekLegacy(c *echo.Context) error { return s.createDekWith(c, nil) }

func (s *Server) deleteDek(c *echo.Context) error {
	permanent, err := boolQuery(c, "permanent")
	if err != nil {
		return err
	}
	return changeDeks(c, func(ctx context.Context, name, subject string, alg encryption.Format) error {
		return s.keys.DeleteDek(ctx, name, subject, alg, permanent)
	})
}

func (s *Server) deleteDekVersion(c *echo.Context) error {
	v, err := pathVersion(c)
	if err != nil {
		return err
	}
	permanent, err := boolQuery(c, "permanent")
	if err != nil {
		return err
	}
	return changeDeks(c, func(ctx context.Context, name, subject string, alg encryption.Format) error {
		return s.keys.DeleteDekVersion(ctx, name, subject, v, alg, permanent)
	})
}

func (s *Server) undeleteDek(c *echo.Context) error { return changeDeks(c, s.keys.UndeleteDek) }

func (s *Server) undeleteDekVersion(c *echo.Context) error {
	v, err := pathVersion(c)
	if err != nil {
		return err
	}
	return changeDeks(c, func(ctx context.Context, name, subject string, alg encryption.Format) error {
		return s.keys.UndeleteDekVersion(ctx, name, subject, v, alg)
	})
}

// changeDeks is the shared tail of the DEK deletes and undeletes: it reads
// ?algorithm=, runs the registry call for the path's KEK and subject, and
// answers 204.
func changeDeks(c *echo.Context, call func(ctx context.Context, name, subject string, alg encryption.Format) error) error {
	alg, err := algorithmQuery(c)
	if err != nil {
		return err
	}
	if err := call(c.Request().Context(), c.Param("name"), c.Param("subject"), alg); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
