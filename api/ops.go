package api

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/charter-registry/charter/registry"
)

func (s *Server) healthz(c *echo.Context) error {
	return writeJSON(c, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) readyz(c *echo.Context) error {
	applied, end := s.svc.Progress()
	body := map[string]any{"applied_offset": applied, "start_end_offset": end}
	if !s.svc.Ready() {
		body["status"] = "replaying"
		return writeJSON(c, http.StatusServiceUnavailable, body)
	}
	// Ready also means the log can be reached now: during a broker outage
	// reads are still served from memory, but writes cannot succeed, so a
	// load balancer should prefer an instance that can take them.
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	end, err := s.svc.LogEnd(ctx)
	if err == nil {
		err = s.svc.LogWritable(ctx)
	}
	if err != nil {
		body["status"] = "log unavailable"
		body["error"] = err.Error()
		return writeJSON(c, http.StatusServiceUnavailable, body)
	}
	body["log_end_offset"] = end
	body["status"] = "ready"
	return writeJSON(c, http.StatusOK, body)
}

func (s *Server) openapi(c *echo.Context) error {
	if len(s.cfg.OpenAPI) == 0 {
		return echo.ErrNotFound
	}
	c.Response().Header().Set("Content-Type", "application/yaml")
	c.Response().WriteHeader(http.StatusOK)
	_, err := c.Response().Write(s.cfg.OpenAPI)
	return err
}

func (s *Server) metricsHandler(c *echo.Context) error {
	s.metrics.handler.ServeHTTP(c.Response(), c.Request())
	return nil
}

type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	handler  http.Handler
}

func newMetrics(reg *prometheus.Registry, svc *registry.Service) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "charter_http_requests_total",
			Help: "HTTP requests by method, route and status code.",
		}, []string{"method", "route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "charter_http_request_duration_seconds",
			Help:    "HTTP request latency by method and route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route"}),
	}
	count := func(name, help string, pick func(subjects, schemas, versions int) int) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 {
			return float64(pick(svc.State().Counts()))
		})
	}
	reg.MustRegister(
		m.requests, m.latency,
		count("charter_subjects", "Subjects with at least one live version.", func(s, _, _ int) int { return s }),
		count("charter_schemas", "Distinct schema ids.", func(_, s, _ int) int { return s }),
		count("charter_versions", "Subject versions, soft-deleted ones included.", func(_, _, v int) int { return v }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "charter_log_applied_offset", Help: "Offset after the last log record applied to the state."}, func() float64 {
			a, _ := svc.Progress()
			return float64(a)
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "charter_log_end_offset", Help: "The log's end offset (next offset to be written); -1 when the log cannot be reached."}, func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			end, err := svc.LogEnd(ctx)
			if err != nil {
				return -1
			}
			return float64(end)
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "charter_ready", Help: "1 once the initial replay has caught up."}, func() float64 {
			if svc.Ready() {
				return 1
			}
			return 0
		}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "charter_log_records_skipped_total", Help: "Log records that could not be decoded and were skipped."}, func() float64 {
			return float64(svc.State().Skipped())
		}),
	)
	m.handler = promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	return m
}

// routeMetrics keeps the request counter and the latency observer of each
// method, route and status seen, so that a request finds its two series
// with one map read instead of formatting its OpenAPI path and status and
// hashing the label values on every request. It keeps at most
// maxRouteSeries of them (clients choose the method); requests beyond
// that resolve their series each time.
type routeMetrics struct {
	mu sync.RWMutex
	m  map[routeSeriesKey]routeSeries
}

const maxRouteSeries = 1024

type routeSeriesKey struct {
	method, route string
	status        int
}

type routeSeries struct {
	requests prometheus.Counter
	latency  prometheus.Observer
}

// observe counts one request to route (echo's path, ":id" style) and its
// latency.
func (r *routeMetrics) observe(m *metrics, method, route string, status int, d time.Duration) {
	k := routeSeriesKey{method, route, status}
	r.mu.RLock()
	ser, ok := r.m[k]
	r.mu.RUnlock()
	if !ok {
		path := openAPIPath(route)
		ser = routeSeries{
			requests: m.requests.WithLabelValues(method, path, strconv.Itoa(status)),
			latency:  m.latency.WithLabelValues(method, path),
		}
		r.mu.Lock()
		if r.m == nil {
			r.m = map[routeSeriesKey]routeSeries{}
		}
		if len(r.m) < maxRouteSeries {
			r.m[k] = ser
		}
		r.mu.Unlock()
	}
	ser.requests.Inc()
	ser.latency.Observe(d.Seconds())
}
