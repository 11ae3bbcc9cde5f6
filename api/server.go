package api

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/charter-registry/charter/exporter"
	"github.com/charter-registry/charter/governance"
	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/registry/dek"
)

// Config configures the HTTP API.
type Config struct {
	// MaxBodyBytes limits request bodies (413 beyond).
	MaxBodyBytes int64
	// RequestTimeout bounds how long one request may wait for the log.
	RequestTimeout time.Duration
	// OpenAPI is the document served at /openapi.yaml.
	OpenAPI []byte
	// Logger receives one line per request.
	Logger *slog.Logger
	// Registerer receives the API's metrics; nil means a private registry.
	Registerer *prometheus.Registry
	// ClusterID is reported by /v1/metadata/id.
	ClusterID string
	// Auth configures authentication; off by default.
	Auth AuthConfig
	// MaxChangesWait bounds the long poll of GET /v1/changes; 30 s by
	// default, and always below RequestTimeout.
	MaxChangesWait time.Duration
	// ResponseCacheBytes bounds the cache of encoded bodies of
	// GET /schemas/ids/{id} and GET /subjects/{subject}/versions/{version}
	// (see bodyCache); zero means DefaultResponseCacheBytes, negative
	// turns the cache off.
	ResponseCacheBytes int64
	// Keys is the DEK registry served under /dek-registry/v1. Attach it
	// to the service before the service runs; nil attaches one with the
	// defaults here, which sees only keys written after it was attached.
	Keys *dek.Registry
	// Exporters is the schema linking served under /exporters. Attach it
	// to the service before the service runs; nil attaches one with the
	// defaults here, whose exporters run nowhere until its Run is called.
	Exporters *exporter.Manager
	// Governance is the catalogue and audit trail served under /v1/catalog,
	// /v1/audit and /v1/changes. Attach it to the service before the
	// service runs; nil uses the one attached to the service, or attaches
	// one that sees only records written after it was attached.
	Governance *governance.Governance
	// Forward sends the writes of Confluent's API to the instance holding
	// the writer lease (see forwardMiddleware); off without a lease.
	Forward ForwardConfig
}

// DefaultConfig returns 4 MiB bodies and a 30 s request timeout.
func DefaultConfig() Config {
	return Config{
		MaxBodyBytes:   4 << 20,
		RequestTimeout: 30 * time.Second,
		Logger:         slog.New(slog.DiscardHandler),
		ClusterID:      "charter",
		MaxChangesWait: 30 * time.Second,
	}
}

// Server is charter's HTTP API.
type Server struct {
	cfg       Config
	svc       *registry.Service
	echo      *echo.Echo
	logger    *slog.Logger
	metrics   *metrics
	creds     atomic.Pointer[Credentials]
	conns     connStats
	passwords *passwordGate
	// own holds the paths of the routes the API registered itself, and
	// ownSegments their first path segments ("subjects", "config", ...):
	// the REST-only middleware (trailing slashes, content negotiation)
	// leaves routes mounted beside the API, such as the catalogue, alone
	// without knowing them.
	own         map[string]bool
	ownSegments map[string]bool
	keys        *dek.Registry
	exporters   *exporter.Manager
	gov         *governance.Governance
	bodies      *bodyCache
	ids         *requestIDs
	routeStats  routeMetrics
	accepts     acceptCache
	// lines writes request lines when the logger's handler can (nil
	// otherwise).
	lines RequestLineHandler
	// fwd forwards writes to the writer (nil: never).
	fwd *forwarder
	// maxHeaderBytes is the header limit HTTPServer enforces (0: none).
	maxHeaderBytes atomic.Int64
}

// New builds the API over svc.
func New(svc *registry.Service, cfg Config) *Server {
	def := DefaultConfig()
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = def.MaxBodyBytes
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = def.RequestTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = def.Logger
	}
	if cfg.ClusterID == "" {
		cfg.ClusterID = def.ClusterID
	}
	if cfg.Registerer == nil {
		cfg.Registerer = prometheus.NewRegistry()
	}
	if cfg.MaxChangesWait <= 0 {
		cfg.MaxChangesWait = def.MaxChangesWait
	}
	if cfg.Keys == nil {
		cfg.Keys = dek.Attach(svc, dek.Config{})
	}
	if cfg.Governance == nil {
		cfg.Governance = governance.Attach(svc, governance.Config{})
	}
	if cfg.Exporters == nil {
		m, err := exporter.Attach(svc, exporter.Config{ClusterID: cfg.ClusterID})
		if err != nil {
			// A cluster id that cannot name a context: AUTO uses the default.
			m, _ = exporter.Attach(svc, exporter.Config{})
		}
		cfg.Exporters = m
	}
	if cfg.ResponseCacheBytes == 0 {
		cfg.ResponseCacheBytes = DefaultResponseCacheBytes
	}
	s := &Server{cfg: cfg, svc: svc, logger: cfg.Logger, keys: cfg.Keys, exporters: cfg.Exporters, gov: cfg.Governance,
		bodies: newBodyCache(cfg.ResponseCacheBytes), ids: newRequestIDs()}
	s.lines, _ = cfg.Logger.Handler().(RequestLineHandler)
	s.creds.Store(cfg.Auth.Credentials)
	s.metrics = newMetrics(cfg.Registerer, svc)
	s.fwd = newForwarder(cfg.Forward, cfg.Registerer)
	cfg.Registerer.MustRegister(s.conns.collectors()...)
	cfg.Registerer.MustRegister(cfg.Exporters.Collectors()...)
	if cfg.Auth.MaxFailures <= 0 {
		cfg.Auth.MaxFailures = DefaultAuthFailures
	}
	if cfg.Auth.FailureWindow <= 0 {
		cfg.Auth.FailureWindow = DefaultAuthFailureWindow
	}
	s.cfg.Auth = cfg.Auth
	s.passwords = newPasswordGate(cfg.Auth.MaxFailures, cfg.Auth.FailureWindow)
	cfg.Registerer.MustRegister(s.passwords.collectors()...)
	s.echo = echo.NewWithConfig(echo.Config{
		Logger: cfg.Logger,
		Router: echo.NewRouter(echo.RouterConfig{UnescapePathParamValues: true}),
	})
	s.echo.HTTPErrorHandler = s.handleError
	// Every GET route answers HEAD too, as Jersey's do for Confluent: the
	// same handler, status and headers, without the body (writeJSON and
	// net/http drop it). Routes added later (the catalogue's) get theirs.
	s.echo.OnAddRoute = func(r echo.Route) error {
		if r.Method != http.MethodGet {
			return nil
		}
		head := r
		head.Method, head.Name = http.MethodHead, ""
		_, err := s.echo.Router().Add(head)
		return err
	}
	s.echo.Pre(s.trimTrailingSlash, s.contextPaths, s.resolveAliases)
	s.echo.Use(s.requestIDMiddleware, s.observeMiddleware, s.headerLimitMiddleware, s.authMiddleware, s.forwardMiddleware, s.negotiateMiddleware, s.readyMiddleware, s.timeoutMiddleware)
	// A write's change headers reach the registry through its context.
	s.echo.Use(provenanceMiddleware)
	// Private topics' subjects do not exist for those who may not read them.
	s.echo.Use(s.visibilityMiddleware)
	s.routes()
	s.own, s.ownSegments = map[string]bool{}, map[string]bool{}
	for _, r := range s.echo.Router().Routes() {
		s.own[r.Path] = true
		if seg, _, _ := strings.Cut(strings.TrimPrefix(r.Path, "/"), "/"); seg != "" {
			s.ownSegments[seg] = true
		}
	}
	return s
}

// Handler returns the server as an http.Handler.
func (s *Server) Handler() http.Handler { return s.echo }

// Echo returns the underlying router, for adding routes (the catalogue).
func (s *Server) Echo() *echo.Echo { return s.echo }

// Route is one registered route, with OpenAPI-style path parameters.
type Route struct {
	Method string
	Path   string
}

// Routes lists every route the server answers, for the OpenAPI sync test.
func (s *Server) Routes() []Route {
	var out []Route
	for _, r := range s.echo.Router().Routes() {
		out = append(out, Route{Method: r.Method, Path: openAPIPath(r.Path)})
	}
	return out
}

func openAPIPath(p string) string {
	parts := strings.Split(p, "/")
	for i, part := range parts {
		if strings.HasPrefix(part, ":") {
			parts[i] = "{" + part[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}

func (s *Server) routes() {
	e := s.echo
	e.GET("/", s.root)
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", s.metricsHandler)
	e.GET("/openapi.yaml", s.openapi)

	e.GET("/schemas/types", s.schemaTypes)
	e.GET("/schemas", s.listSchemas)
	e.GET("/schemas/ids/:id", s.schemaByID)
	e.GET("/schemas/ids/:id/schema", s.schemaTextByID)
	e.GET("/schemas/ids/:id/subjects", s.subjectsByID)
	e.GET("/schemas/ids/:id/versions", s.versionsByID)
	e.GET("/schemas/guids/:guid", s.schemaByGUID)
	e.GET("/schemas/guids/:guid/ids", s.idsByGUID)

	e.GET("/subjects", s.listSubjects)
	e.POST("/subjects/:subject", s.lookup)
	e.DELETE("/subjects/:subject", s.deleteSubject)
	e.POST("/subjects/:subject/versions", s.register)
	e.GET("/subjects/:subject/versions", s.listVersions)
	e.GET("/subjects/:subject/versions/:version", s.getVersion)
	e.DELETE("/subjects/:subject/versions/:version", s.deleteVersion)
	e.GET("/subjects/:subject/versions/:version/schema", s.getVersionText)
	e.GET("/subjects/:subject/versions/:version/referencedby", s.referencedBy)
	e.POST("/subjects/:subject/versions/:version/tags", s.tagVersion)
	e.GET("/subjects/:subject/metadata", s.latestWithMetadata)

	e.POST("/compatibility/subjects/:subject/versions", s.compatibilityAll)
	e.POST("/compatibility/subjects/:subject/versions/:version", s.compatibilityVersion)

	e.GET("/config", s.getConfig)
	e.PUT("/config", s.putConfig)
	e.DELETE("/config", s.deleteConfig)
	e.GET("/config/:subject", s.getConfig)
	e.PUT("/config/:subject", s.putConfig)
	e.DELETE("/config/:subject", s.deleteConfig)

	e.GET("/mode", s.getMode)
	e.PUT("/mode", s.putMode)
	e.DELETE("/mode", s.deleteMode)
	e.GET("/mode/:subject", s.getMode)
	e.PUT("/mode/:subject", s.putMode)
	e.DELETE("/mode/:subject", s.deleteMode)

	e.GET("/contexts", s.contexts)
	e.DELETE("/contexts/:context", s.deleteContext)
	e.GET("/v1/metadata/id", s.metadataID)
	e.GET("/v1/metadata/digest", s.stateDigest)
	e.GET("/v1/metadata/version", s.metadataVersion)
	e.GET("/v1/metadata/deployment", s.metadataDeployment)
	e.RouteNotFound("/associations*", s.noAssociations)

	e.GET("/v1/auth/whoami", s.whoami)
	s.catalogRoutes(e)
	e.GET("/v1/audit", s.audit)
	e.GET("/v1/changes", s.changes)
	s.webhookRoutes(e)
	s.dekRoutes(e)
	s.exporterRoutes(e)
}

// trimTrailingSlash lets every REST route be called with one trailing
// slash (GET /config/, which python-schema-registry-client sends), as
// Confluent's Jersey routes allow. It works on the escaped path, so a
// subject whose name ends in an encoded slash (%2F) keeps it. Paths outside
// the API's own top-level segments (the catalogue's, for one) keep theirs.
func (s *Server) trimTrailingSlash(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		u := c.Request().URL
		ep := u.EscapedPath()
		seg, _, _ := strings.Cut(strings.TrimPrefix(ep, "/"), "/")
		if len(ep) > 1 && strings.HasSuffix(ep, "/") && s.ownSegments[seg] {
			u.Path = strings.TrimSuffix(u.Path, "/")
			if u.RawPath != "" {
				u.RawPath = strings.TrimSuffix(u.RawPath, "/")
			}
		}
		return next(c)
	}
}

func requestID(c *echo.Context) string {
	if v, ok := c.Get("request_id").(*string); ok {
		return *v
	}
	return ""
}

// requestIDMiddleware gives the request its id and sends it back in
// X-Request-Id. The context holds a pointer to the id, which an interface
// holds without allocating as it would for a string, and the response's
// header value slice is the one made with the id (requestIDs.next) or the
// request's own.
func (s *Server) requestIDMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		vals := c.Request().Header["X-Request-Id"]
		if len(vals) == 0 || vals[0] == "" || len(vals[0]) > 128 {
			vals = s.ids.next()
		} else {
			// The request's slice, capped so that an append copies it.
			vals = vals[:1:1]
		}
		c.Set("request_id", &vals[0])
		c.Response().Header()["X-Request-Id"] = vals
		return next(c)
	}
}

// requestIDs makes the ids of requests that bring none: 16 hex digits,
// unique within the process (a bijective mix of a counter, so no two
// requests share one before 2^64 of them) and unlikely to repeat across
// processes (the counter starts at a random value). They name a request
// in the logs; they are not secrets, so a counter replaces the
// crypto/rand read every request used to cost.
type requestIDs struct {
	n atomic.Uint64
}

func newRequestIDs() *requestIDs {
	var b [8]byte
	_, _ = rand.Read(b[:])
	r := &requestIDs{}
	r.n.Store(binary.LittleEndian.Uint64(b[:]))
	return r
}

func (r *requestIDs) next() []string {
	// splitmix64's finalizer: a bijection on 64 bits.
	x := r.n.Add(1)
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], x)
	var h [16]byte
	hex.Encode(h[:], b[:])
	return []string{string(h[:])}
}

// readyMiddleware answers 503 on registry routes until the initial replay
// has caught up, so no client ever reads a partial state. Operations routes
// stay open.
func (s *Server) readyMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		if s.svc.Ready() {
			return next(c)
		}
		switch c.Path() {
		case "/healthz", "/readyz", "/metrics", "/openapi.yaml":
			return next(c)
		}
		applied, end := s.svc.Progress()
		return registry.Errorf(registry.CodeUnavailable, "The registry is replaying its log (%d of %d records applied); retry shortly", applied, end)
	}
}

func (s *Server) timeoutMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		if neverWaits(c) {
			return next(c)
		}
		ctx, cancel := context.WithTimeout(c.Request().Context(), s.cfg.RequestTimeout)
		defer cancel()
		c.SetRequest(c.Request().WithContext(ctx))
		return next(c)
	}
}

// neverWaits reports the reads that answer from memory and never wait for
// the log, which need no request timeout: the two a serializer's cache
// miss makes, whose deadline and copied request were a visible share of
// their cost.
func neverWaits(c *echo.Context) bool {
	if m := c.Request().Method; m != http.MethodGet && m != http.MethodHead {
		return false
	}
	switch c.Path() {
	case "/schemas/ids/:id", "/subjects/:subject/versions/:version":
		return true
	}
	return false
}

func (s *Server) observeMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			s.handleError(c, err)
		}
		status := http.StatusOK
		if r, _ := echo.UnwrapResponse(c.Response()); r != nil && r.Status != 0 {
			status = r.Status
		}
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		// One monotonic clock read times the request; the line's time is
		// start plus that, which spares the wall clock read time.Now adds.
		elapsed := time.Since(start)
		end := start.Add(elapsed)
		s.routeStats.observe(s.metrics, c.Request().Method, route, status, elapsed)
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		ctx := c.Request().Context()
		if !s.logger.Enabled(ctx, level) {
			return nil
		}
		principal, _ := c.Get("principal").(string)
		line := RequestLine{Time: end, ID: requestID(c), Principal: principal, Method: c.Request().Method,
			Route: route, Path: c.Request().URL.EscapedPath(), Status: status, Duration: elapsed}
		if level == slog.LevelInfo && s.lines != nil && s.lines.HandleRequestLine(line) {
			return nil
		}
		s.logger.LogAttrs(ctx, level, RequestMessage, line.Attrs()...)
		return nil
	}
}

// RequestMessage is the message of the line logged for every request.
const RequestMessage = "request"

// RequestLine is the line logged for every request: the record's time
// (when the answer was complete) and its attributes.
type RequestLine struct {
	Time      time.Time
	ID        string
	Principal string
	Method    string
	Route     string
	Path      string
	Status    int
	Duration  time.Duration
}

// Attrs returns the line's attributes in the order they are logged.
func (l RequestLine) Attrs() []slog.Attr {
	return []slog.Attr{
		slog.String("request_id", l.ID),
		slog.String("principal", l.Principal),
		slog.String("method", l.Method),
		slog.String("route", l.Route),
		slog.String("path", l.Path),
		slog.Int("status", l.Status),
		slog.Duration("duration", l.Duration),
	}
}

// RequestLineHandler is a slog.Handler that can write a request line of
// level INFO without a slog.Record: it must write exactly what it would
// for the record of message RequestMessage, time l.Time and l.Attrs(),
// or report false to have the record logged. Making the record (its
// attributes, the caller's program counter, the clock read) was most of
// what logging cost a cached read; `charter serve`'s handler implements
// it.
type RequestLineHandler interface {
	HandleRequestLine(l RequestLine) bool
}
