package api

import (
	"strconv"
	"strings"
	"sync"

	"github.com/labstack/echo/v5"
)

// responseTypes are the media types every JSON route can answer with, with
// the server-side quality Confluent gives each (Versions.java: the v1 type
// 1, the unversioned type qs=0.9, plain JSON qs=0.5).
var responseTypes = []struct {
	typ string
	qs  float64
}{
	{contentTypeV1, 1},
	{"application/vnd.schemaregistry+json", 0.9},
	{"application/json", 0.5},
}

// responseTypeKey is where negotiateMiddleware leaves the chosen type.
const responseTypeKey = "response_type"

// negotiate picks the response media type for an Accept header the way
// Jersey does for Confluent's resources: among the pairs of an accepted
// range and a type the server offers, the highest client quality wins,
// then the highest server quality, then the fewest wildcards. No header
// means */*. ok is false when no offered type is acceptable.
func negotiate(accept string) (string, bool) {
	if strings.TrimSpace(accept) == "" {
		return contentTypeV1, true
	}
	best, bestQ, bestQS, bestD := "", 0.0, 0.0, 0
	for _, part := range strings.Split(accept, ",") {
		rng, q, ok := parseRange(part)
		if !ok || q <= 0 {
			continue
		}
		for _, rt := range responseTypes {
			d, match := matchRange(rng, rt.typ)
			if !match {
				continue
			}
			if best == "" || q > bestQ || q == bestQ && (rt.qs > bestQS || rt.qs == bestQS && d < bestD) {
				best, bestQ, bestQS, bestD = rt.typ, q, rt.qs, d
			}
		}
	}
	return best, best != ""
}

// parseRange reads one element of an Accept header: a media range and its
// q parameter (1 when absent). Other parameters are ignored, as Jersey
// ignores them when it matches.
func parseRange(part string) (rng string, q float64, ok bool) {
	fields := strings.Split(part, ";")
	rng = strings.ToLower(strings.TrimSpace(fields[0]))
	if strings.Count(rng, "/") != 1 || strings.HasPrefix(rng, "/") || strings.HasSuffix(rng, "/") {
		return "", 0, false
	}
	q = 1
	for _, p := range fields[1:] {
		k, v, found := strings.Cut(strings.TrimSpace(p), "=")
		if !found || !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || f < 0 || f > 1 {
			return "", 0, false
		}
		q = f
	}
	return rng, q, true
}

// matchRange reports whether the media range rng covers typ, and how many
// wildcards it took (0 for an exact match, 1 for type/*, 2 for */*).
func matchRange(rng, typ string) (wildcards int, ok bool) {
	switch {
	case rng == "*/*":
		return 2, true
	case rng == typ:
		return 0, true
	case strings.HasSuffix(rng, "/*"):
		return 1, strings.HasPrefix(typ, strings.TrimSuffix(rng, "*"))
	}
	return 0, false
}

// negotiateMiddleware chooses the media type of the response from the
// Accept header, and answers 406 with Confluent's body (rest-utils maps
// Jersey's NotAcceptableException to error_code 406 and its message) when
// none of the registry's types is acceptable. Operations routes, and routes
// mounted beside the API such as the catalogue, serve their own types and
// are left alone.
func (s *Server) negotiateMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		switch p := c.Path(); {
		case !s.own[p], p == "/healthz", p == "/readyz", p == "/metrics", p == "/openapi.yaml":
			return next(c)
		}
		mt, ok := s.accepts.negotiate(strings.Join(c.Request().Header.Values("Accept"), ","))
		if !ok {
			return notAcceptable()
		}
		c.Set(responseTypeKey, responseTypeValues[mt])
		return next(c)
	}
}

// responseType is the media type negotiated for this request; the v1 type
// when none was (operations routes, a 406).
func responseType(c *echo.Context) string {
	if mt, ok := c.Get(responseTypeKey).(*string); ok {
		return *mt
	}
	return contentTypeV1
}

// responseTypeValues are the offered types as pointers, which the request
// context holds without allocating as it would for a string.
var responseTypeValues = func() map[string]*string {
	m := map[string]*string{}
	for _, rt := range responseTypes {
		m[rt.typ] = &rt.typ
	}
	return m
}()

// acceptCache remembers what negotiate chose for the Accept headers seen
// most: a client sends the same header on every request, and parsing it
// was a visible share of a cached read. It keeps at most maxAccepts
// headers; others are negotiated each time.
type acceptCache struct {
	mu sync.RWMutex
	m  map[string]acceptResult
}

const maxAccepts = 256

type acceptResult struct {
	typ string
	ok  bool
}

func (a *acceptCache) negotiate(accept string) (string, bool) {
	if accept == "" {
		return contentTypeV1, true
	}
	a.mu.RLock()
	r, hit := a.m[accept]
	a.mu.RUnlock()
	if hit {
		return r.typ, r.ok
	}
	r.typ, r.ok = negotiate(accept)
	if len(accept) <= 512 {
		a.mu.Lock()
		if a.m == nil {
			a.m = map[string]acceptResult{}
		}
		if len(a.m) < maxAccepts {
			a.m[strings.Clone(accept)] = r
		}
		a.mu.Unlock()
	}
	return r.typ, r.ok
}
