package api

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v5"
)

// Query parameters are read exactly as openapi.yaml states them: a value
// the document forbids is refused with 422 and a message naming the
// parameter and what it accepts, never silently taken for the default.
// A parameter given with an empty value (?deleted=) is a value, not an
// absent parameter, and is refused like any other malformed one.

// queryValue returns a query parameter's first value and whether the
// request carries the parameter at all.
func queryValue(c *echo.Context, name string) (string, bool) {
	if c.Request().URL.RawQuery == "" {
		return "", false
	}
	vs, ok := c.QueryParams()[name]
	if !ok || len(vs) == 0 {
		return "", false
	}
	return vs[0], true
}

// boolQuery reads a boolean query parameter; absent means false. Like
// Java's Boolean.parseBoolean on Confluent's side, true and false are
// matched in any letter case (Python clients send True), but charter
// refuses every other value instead of reading it as false.
func boolQuery(c *echo.Context, name string) (bool, error) {
	v, ok := queryValue(c, name)
	if !ok {
		return false, nil
	}
	switch strings.ToLower(v) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, unprocessable(fmt.Sprintf("Query parameter %s=%q is not a boolean; use true or false", name, v))
}

// intQuery reads an integer query parameter within [lo, hi]; absent means
// def.
func intQuery(c *echo.Context, name string, def, lo, hi int64) (int64, error) {
	v, ok := queryValue(c, name)
	if !ok {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, unprocessable(fmt.Sprintf("Query parameter %s=%q is not an integer from %d to %d", name, v, lo, hi))
	}
	return n, nil
}

// offsetQuery reads a paging offset: 0 to 2^31-1 (Confluent reads it as a
// Java int), 0 when absent.
func offsetQuery(c *echo.Context, name string) (int, error) {
	n, err := intQuery(c, name, 0, 0, math.MaxInt32)
	return int(n), err
}

// limitQuery reads a result limit in Java's int range, def when absent.
// Zero or a negative value (Confluent clients send -1 for "no limit") is
// handed on as def, and the registry applies its own cap.
func limitQuery(c *echo.Context, name string, def int) (int, error) {
	n, err := intQuery(c, name, int64(def), math.MinInt32, math.MaxInt32)
	if err != nil {
		return 0, err
	}
	if n < 0 {
		return def, nil
	}
	return int(n), nil
}

// page skips offset entries of all and keeps at most limit of the rest
// (all of them when limit is not positive), as Confluent's listings skip
// and limit; offset and limit come from pageQuery.
func page[T any](all []T, offset, limit int) []T {
	all = all[min(offset, len(all)):]
	if limit > 0 && limit < len(all) {
		all = all[:limit]
	}
	return all
}

// positionQuery reads a log position: a non-negative 64-bit integer, 0
// when absent.
func positionQuery(c *echo.Context, name string) (int64, error) {
	v, ok := queryValue(c, name)
	if !ok {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, unprocessable(fmt.Sprintf("Query parameter %s=%q is not a position: use an integer from 0 to %d", name, v, int64(math.MaxInt64)))
	}
	return n, nil
}

// timeQuery reads a time: RFC 3339 (its T and Z in either case, as the RFC
// allows), or milliseconds since the epoch. Absent is the zero time.
func timeQuery(c *echo.Context, name string) (time.Time, error) {
	v, ok := queryValue(c, name)
	if !ok {
		return time.Time{}, nil
	}
	if ms, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.UnixMilli(ms).UTC(), nil
	}
	t, err := time.Parse(time.RFC3339Nano, strings.ToUpper(v))
	if err != nil {
		return time.Time{}, unprocessable(fmt.Sprintf("Query parameter %s=%q is not a time: use RFC 3339 (2026-01-02T15:04:05Z) or milliseconds since the epoch", name, v))
	}
	return t, nil
}

// maxWaitSeconds is the largest timeout /v1/changes accepts; the wait
// itself is capped lower, by MaxChangesWait.
const maxWaitSeconds = 3600

// secondsQuery reads a duration in seconds, fractions allowed, from 0 to
// maxWaitSeconds; absent is 0.
func secondsQuery(c *echo.Context, name string) (time.Duration, error) {
	v, ok := queryValue(c, name)
	if !ok {
		return 0, nil
	}
	secs, err := strconv.ParseFloat(v, 64)
	// The negated range test also refuses NaN.
	if err != nil || !(secs >= 0 && secs <= maxWaitSeconds) {
		return 0, unprocessable(fmt.Sprintf("Query parameter %s=%q is not a number of seconds from 0 to %d", name, v, maxWaitSeconds))
	}
	return time.Duration(secs * float64(time.Second)), nil
}

// enumQuery reads a query parameter that must be one of values (exactly);
// absent is "".
func enumQuery[T ~string](c *echo.Context, name string, values []T) (T, error) {
	v, ok := queryValue(c, name)
	if !ok {
		return "", nil
	}
	names := make([]string, len(values))
	for i, e := range values {
		if string(e) == v {
			return e, nil
		}
		names[i] = string(e)
	}
	return "", unprocessable(fmt.Sprintf("Query parameter %s=%q is not one of %s", name, v, strings.Join(names, ", ")))
}

// plainQuery walks a raw query string's parameters without decoding or
// allocating, for the cached reads that only need to know that a query
// holds nothing but parameters they understand. Anything net/url would
// decode (an escape, a '+', a ';') or a parameter without '=' ends the
// walk with plain false: such requests take the ordinary path.
type plainQuery struct {
	raw         string
	name, value string
	plain       bool
	started     bool
}

// next moves to the next parameter; false at the end, or when the query
// is not plain.
func (q *plainQuery) next() bool {
	if !q.started {
		q.started, q.plain = true, true
	}
	for q.raw != "" {
		var seg string
		seg, q.raw, _ = strings.Cut(q.raw, "&")
		if seg == "" {
			continue
		}
		var found bool
		q.name, q.value, found = strings.Cut(seg, "=")
		if !found || strings.ContainsAny(seg, "%+;") {
			q.plain = false
			return false
		}
		return true
	}
	return false
}
