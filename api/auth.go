package api

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/charter-registry/charter/registry"
)

// AuthConfig configures authentication.
type AuthConfig struct {
	// Required turns authentication on. Off (the default), requests are
	// not authenticated and the registry allows every write; the
	// registry's AccessConfig.Enforce must match.
	Required bool
	// AnonymousRead lets requests without credentials read. Writes always
	// need credentials when Required is set. Bad credentials are refused
	// even so: they never fall back to anonymous.
	AnonymousRead bool
	// Credentials resolve API keys and basic-auth secrets to principals.
	// Replace them at run time with Server.SetCredentials.
	Credentials *Credentials
	// MaxFailures and FailureWindow limit failed password checks: each
	// principal name and each client address may fail MaxFailures times
	// at once and then MaxFailures times per FailureWindow; beyond that,
	// basic authentication that needs a password check is answered 429
	// with Retry-After and no check. API keys and passwords verified
	// before (cached) are never limited. Zero means DefaultAuthFailures
	// and DefaultAuthFailureWindow.
	MaxFailures   int
	FailureWindow time.Duration
}

// SetCredentials replaces the credentials, for key rotation without a
// restart (charter serve calls it on SIGHUP). Requests in flight finish
// with the credentials they started with.
func (s *Server) SetCredentials(c *Credentials) {
	s.creds.Store(c)
}

// openRoutes answer without credentials: probes, metrics and the spec.
func openRoute(path string) bool {
	switch path {
	case "/healthz", "/readyz", "/metrics", "/openapi.yaml":
		return true
	}
	return false
}

const authChallenge = `Basic realm="charter", Bearer realm="charter"`

// authMiddleware resolves the request's credentials to a principal and
// puts it in the request context, where the registry reads it to authorise
// writes. Authorization itself is the registry's: this layer only decides
// whether a request may read at all.
func (s *Server) authMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		if !s.cfg.Auth.Required || openRoute(c.Path()) {
			return next(c)
		}
		p, present, retry, err := s.authenticate(c.Request())
		if retry > 0 {
			c.Response().Header().Set("Retry-After", retryAfter(retry))
			return err
		}
		if err != nil {
			var he *httpError
			if !errors.As(err, &he) || he.status == http.StatusUnauthorized {
				c.Response().Header().Set("WWW-Authenticate", authChallenge)
			}
			return err
		}
		if !present {
			if s.cfg.Auth.AnonymousRead {
				return next(c)
			}
			c.Response().Header().Set("WWW-Authenticate", authChallenge)
			return registry.Errorf(registry.CodeUnauthorized, "Authentication required: send an API key as 'Authorization: Bearer <key>' or HTTP basic credentials")
		}
		c.Set("principal", p.Name)
		c.SetRequest(c.Request().WithContext(registry.WithPrincipal(c.Request().Context(), p)))
		return next(c)
	}
}

// authenticate reads the Authorization header. present is false when
// there is none; an unusable header is an error, never anonymous. retry is
// set, with a 429 error, when a password check was refused because the
// name or the client address failed too often.
func (s *Server) authenticate(r *http.Request) (p registry.Principal, present bool, retry time.Duration, err error) {
	values := r.Header.Values("Authorization")
	if len(values) == 0 {
		return registry.Principal{}, false, 0, nil
	}
	if len(values) > 1 {
		return registry.Principal{}, true, 0, badRequest(fmt.Sprintf("Invalid credentials: the request has %d Authorization headers; send one", len(values)))
	}
	h := values[0]
	bad := func(why string) error {
		return registry.Errorf(registry.CodeUnauthorized, "Invalid credentials: %s", why)
	}
	creds := s.creds.Load()
	if creds == nil {
		return registry.Principal{}, true, 0, bad("the server has no credentials configured")
	}
	scheme, value, _ := strings.Cut(h, " ")
	value = strings.TrimSpace(value)
	switch strings.ToLower(scheme) {
	case "bearer":
		if p, ok := creds.byAPIKey(value); ok {
			return p, true, 0, nil
		}
		return registry.Principal{}, true, 0, bad("unknown API key")
	case "basic":
		raw, err := base64.StdEncoding.DecodeString(value)
		if err != nil {
			return registry.Principal{}, true, 0, bad("the basic credentials are not base64")
		}
		name, secret, ok := strings.Cut(string(raw), ":")
		if !ok {
			return registry.Principal{}, true, 0, bad("the basic credentials have no ':' between name and secret")
		}
		if p, ok := creds.byBasicFast(name, secret); ok {
			return p, true, 0, nil
		}
		if secret == "" {
			return registry.Principal{}, true, 0, bad("unknown principal or wrong secret")
		}
		ok, retry, err := s.passwords.check(r.Context(), r, name, func() bool {
			p, ok = creds.checkPassword(name, secret)
			return ok
		})
		switch {
		case retry > 0:
			return registry.Principal{}, true, retry, &httpError{http.StatusTooManyRequests, http.StatusTooManyRequests,
				fmt.Sprintf("Too many failed authentications for this principal or from this address; retry in %s", retryAfter(retry)+"s")}
		case err != nil:
			return registry.Principal{}, true, 0, err
		case ok:
			return p, true, 0, nil
		}
		return registry.Principal{}, true, 0, bad("unknown principal or wrong secret")
	}
	return registry.Principal{}, true, 0, bad("use the Bearer or Basic scheme")
}

// whoami reports the principal the request authenticated as.
func (s *Server) whoami(c *echo.Context) error {
	p, ok := registry.PrincipalFrom(c.Request().Context())
	body := struct {
		registry.Principal
		Authenticated bool `json:"authenticated"`
		AuthRequired  bool `json:"authRequired"`
	}{Principal: p, Authenticated: ok, AuthRequired: s.cfg.Auth.Required}
	if !ok {
		body.Name = registry.Anonymous
	}
	if body.Teams == nil {
		body.Teams = []string{}
	}
	return writeJSON(c, http.StatusOK, body)
}
