package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v5"

	"github.com/charter-registry/charter/confluent"
	"github.com/charter-registry/charter/lint"
	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/storage"
)

// errorBody is Confluent's error response (confluent.ErrorResponse).
type errorBody struct {
	confluent.ErrorResponse
	// Lint lists the findings of a registration its subject's lint
	// policy refused (error code 42250, charter's own).
	Lint []lint.Finding `json:"lint,omitempty"`
}

// httpError is an error the API layer itself raises (bad JSON, wrong
// content type, body too large) with its own status and code.
type httpError struct {
	status int
	code   int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func badRequest(msg string) error { return &httpError{http.StatusBadRequest, 400, msg} }

// notFound is Confluent's answer when a path parameter does not convert to
// its Java type (GET /schemas/ids/abc): Jersey raises a 404 whose message
// rest-utils returns as is.
func notFound() error {
	return &httpError{http.StatusNotFound, http.StatusNotFound, "HTTP 404 Not Found"}
}

// notAcceptable is Confluent's answer to an Accept header that allows none
// of its media types: Jersey's NotAcceptableException, whose message
// rest-utils returns with the status as the error code.
func notAcceptable() error {
	return &httpError{http.StatusNotAcceptable, http.StatusNotAcceptable, "HTTP 406 Not Acceptable"}
}

func unprocessable(msg string) error {
	return &httpError{http.StatusUnprocessableEntity, 422, msg}
}

// statusOf maps a registry error code to its HTTP status. This is the one
// place where domain errors meet HTTP.
func statusOf(c confluent.Code) int {
	switch {
	case c == confluent.CodeSchemaTooLarge:
		return http.StatusUnprocessableEntity
	case c == confluent.CodeUnavailable:
		return http.StatusServiceUnavailable
	case c >= 40100 && c < 40200:
		return http.StatusUnauthorized
	case c >= 40300 && c < 40400:
		return http.StatusForbidden
	case c >= 40400 && c < 40500:
		return http.StatusNotFound
	case c >= 40900 && c < 41000:
		return http.StatusConflict
	case c >= 42200 && c < 42300:
		return http.StatusUnprocessableEntity
	default:
		return http.StatusInternalServerError
	}
}

// errorResponse turns any error into a status and a Confluent error body.
func errorResponse(err error) (int, errorBody) {
	var re *registry.Error
	if errors.As(err, &re) {
		body := errorOf(re.Code, re.Message)
		var le *registry.LintError
		if errors.As(err, &le) {
			body.Lint = le.Findings
		}
		return statusOf(re.Code), body
	}
	var he *httpError
	if errors.As(err, &he) {
		return he.status, errorOf(confluent.Code(he.code), he.msg)
	}
	var sc echo.HTTPStatusCoder
	if errors.As(err, &sc) {
		code := sc.StatusCode()
		msg := http.StatusText(code)
		var ee *echo.HTTPError
		if errors.As(err, &ee) && ee.Message != "" {
			msg = ee.Message
		}
		return code, errorOf(confluent.Code(code), "HTTP "+fmt.Sprint(code)+" "+msg)
	}
	if errors.Is(err, storage.ErrUnavailable) {
		return http.StatusServiceUnavailable, errorOf(confluent.CodeStoreError, "The log is unavailable: "+err.Error())
	}
	return http.StatusInternalServerError, errorOf(confluent.CodeStoreError, "Internal error: "+err.Error())
}

func errorOf(code confluent.Code, msg string) errorBody {
	return errorBody{ErrorResponse: confluent.ErrorResponse{ErrorCode: code, Message: msg}}
}

func (s *Server) handleError(c *echo.Context, err error) {
	if r, _ := echo.UnwrapResponse(c.Response()); r != nil && r.Committed {
		return
	}
	status, body := errorResponse(err)
	if status >= 500 {
		s.logger.Error("request failed", "request_id", requestID(c), "error", err)
	}
	writeJSON(c, status, body)
}

func writeJSON(c *echo.Context, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return writeEncoded(c, status, b)
}

// writeBody answers 200 with a JSON body already encoded (a cached one).
func writeBody(c *echo.Context, body []byte) error {
	return writeEncoded(c, http.StatusOK, body)
}

func writeEncoded(c *echo.Context, status int, body []byte) error {
	setContentType(c.Response().Header(), responseType(c))
	c.Response().WriteHeader(status)
	if c.Request().Method == http.MethodHead {
		return nil
	}
	_, err := c.Response().Write(body)
	return err
}

// contentTypeValues holds one header value slice per media type the API
// answers with, so that setting Content-Type allocates nothing. The
// slices are shared: net/http only reads them, and a handler that sets
// the header again replaces the slice rather than writing into it.
var contentTypeValues = map[string][]string{
	contentTypeV1:                         {contentTypeV1},
	"application/vnd.schemaregistry+json": {"application/vnd.schemaregistry+json"},
	"application/json":                    {"application/json"},
}

func setContentType(h http.Header, mt string) {
	if v, ok := contentTypeValues[mt]; ok {
		h["Content-Type"] = v
		return
	}
	h.Set("Content-Type", mt)
}

const contentTypeV1 = "application/vnd.schemaregistry.v1+json"

var acceptedContentTypes = []string{
	"application/vnd.schemaregistry.v1+json",
	"application/vnd.schemaregistry+json",
	"application/json",
	"application/octet-stream",
}

func contentTypeOK(ct string) bool {
	if ct == "" {
		return true
	}
	mt := strings.ToLower(strings.TrimSpace(strings.SplitN(ct, ";", 2)[0]))
	for _, a := range acceptedContentTypes {
		if mt == a {
			return true
		}
	}
	return false
}
