package api

import (
	"net/http"

	"github.com/labstack/echo/v5"

	"github.com/charter-registry/charter/registry"
)

// The request headers that carry a write's provenance. Any write may send
// them; the registry records them in the write's audit entry and change
// event. Reads ignore them.
const (
	HeaderChangeReason = "X-Charter-Change-Reason"
	HeaderChangeLink   = "X-Charter-Change-Link"
)

// provenanceMiddleware puts the change headers of a write into the
// request's context; the registry validates them (a bad value refuses the
// write with 42212) and stores them.
func provenanceMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		r := c.Request()
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		p := registry.Provenance{Reason: r.Header.Get(HeaderChangeReason), Link: r.Header.Get(HeaderChangeLink)}
		if p != (registry.Provenance{}) {
			c.SetRequest(r.WithContext(registry.WithProvenance(r.Context(), p)))
		}
		return next(c)
	}
}
