package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/charter-registry/charter"
	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/registry"
)

//go:embed templates/*.html static/*
var assets embed.FS

// Prefix is where the catalogue is served.
const Prefix = "/ui"

// Option configures the catalogue.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	formats    []compat.Format
	logger     *slog.Logger
	middleware []echo.MiddlewareFunc
	directory  Directory
	cacheSize  int
	exporters  exporterSource
}

// WithFormats sets the schema formats used to compare versions on the diff
// page. The default is charter.Formats(), the formats charter serves; pass
// the same list the registry.Service was built with if it differs.
func WithFormats(formats ...compat.Format) Option {
	return optionFunc(func(c *config) { c.formats = formats })
}

// WithLogger sets where rendering failures are logged. The default
// discards them.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(c *config) { c.logger = l })
}

// WithMiddleware runs middleware on every catalogue route, after any the
// echo instance already has. Use it for authentication: give the same
// middleware the API uses and the catalogue asks for the same credentials.
func WithMiddleware(mw ...echo.MiddlewareFunc) Option {
	return optionFunc(func(c *config) { c.middleware = append(c.middleware, mw...) })
}

// WithDirectory replaces where governance data comes from: topics with
// owners and lifecycle, teams with contacts, and who registered each
// version. The default is GovernanceDirectory over the same service.
func WithDirectory(d Directory) Option {
	return optionFunc(func(c *config) { c.directory = d })
}

// WithCacheSize bounds how many highlighted schemas are kept (default
// 1024). Highlighting is the most expensive part of a subject page.
func WithCacheSize(n int) Option {
	return optionFunc(func(c *config) { c.cacheSize = n })
}

// Catalogue serves the /ui pages over one registry.Service.
type Catalogue struct {
	svc     *registry.Service
	cfg     config
	formats map[compat.Type]compat.Format
	pages   map[string]*template.Template
	static  map[string]staticFile
	cache   *renderCache

	mu       sync.Mutex // serialises index builds
	idx      atomic.Pointer[index]
	building atomic.Bool    // a background build is running
	builds   sync.WaitGroup // background builds, for Close
}

type staticFile struct {
	body        []byte
	contentType string
	version     string
}

// New builds the catalogue over svc. It fails only if the embedded
// templates do not parse.
func New(svc *registry.Service, opts ...Option) (*Catalogue, error) {
	cfg := config{logger: slog.New(slog.DiscardHandler), cacheSize: 1024}
	for _, o := range opts {
		o.apply(&cfg)
	}
	if svc == nil {
		return nil, fmt.Errorf("web: no registry service")
	}
	if cfg.formats == nil {
		cfg.formats = charter.Formats()
	}
	if cfg.cacheSize <= 0 {
		cfg.cacheSize = 1024
	}
	if cfg.directory == nil {
		cfg.directory = GovernanceDirectory(svc)
	}
	c := &Catalogue{svc: svc, cfg: cfg, formats: map[compat.Type]compat.Format{}, cache: newRenderCache(cfg.cacheSize)}
	for _, f := range cfg.formats {
		c.formats[f.Type()] = f
	}
	if err := c.loadStatic(); err != nil {
		return nil, err
	}
	if err := c.loadTemplates(); err != nil {
		return nil, err
	}
	return c, nil
}

// Mount builds the catalogue and registers its routes on e under /ui.
func Mount(e *echo.Echo, svc *registry.Service, opts ...Option) (*Catalogue, error) {
	c, err := New(svc, opts...)
	if err != nil {
		return nil, err
	}
	c.Register(e)
	return c, nil
}

// Register adds the catalogue's routes to e: GET /ui (a redirect to /ui/)
// and GET /ui/... pages and assets. It also sends browsers that open GET /
// to the catalogue, before routing, so that the API's own GET / keeps
// answering JSON to API clients and the API knows nothing of the catalogue,
// and answers a browser the API's authentication turned away from a
// catalogue page with a sign-in page (see signIn).
func (c *Catalogue) Register(e *echo.Echo) {
	e.Pre(redirectBrowsers, signIn)
	e.GET(Prefix, func(ctx *echo.Context) error {
		return ctx.Redirect(http.StatusMovedPermanently, Prefix+"/")
	}, c.cfg.middleware...)
	g := e.Group(Prefix, c.cfg.middleware...)
	g.GET("/", c.home)
	g.GET("/search", c.search)
	g.GET("/subjects", c.subjectList)
	g.GET("/subjects/*", c.subject)
	g.GET("/diff", c.diff)
	g.GET("/topics", c.topicList)
	g.GET("/topics/*", c.topic)
	g.GET("/teams", c.teamList)
	g.GET("/teams/*", c.team)
	g.GET("/audit", c.audit)
	g.GET("/audit/*", c.auditEntry)
	g.GET("/exporters", c.exporterList)
	g.GET("/static/:name", c.serveStatic)
	// A page's address with a trailing slash (typed or pasted) goes to
	// the page, its query kept: 308, as the API takes either form.
	for _, page := range []string{"search", "subjects", "diff", "topics", "teams", "audit", "exporters"} {
		g.GET("/"+page+"/", func(ctx *echo.Context) error {
			to := Prefix + "/" + page
			if q := ctx.Request().URL.RawQuery; q != "" {
				to += "?" + q
			}
			return ctx.Redirect(http.StatusPermanentRedirect, to)
		})
	}
	g.RouteNotFound("/*", func(ctx *echo.Context) error { return c.notFound(ctx, "There is no such page.") })
}

// redirectBrowsers sends a browser's GET / to the catalogue.
func redirectBrowsers(next echo.HandlerFunc) echo.HandlerFunc {
	return func(ctx *echo.Context) error {
		r := ctx.Request()
		if r.Method == http.MethodGet && r.URL.Path == "/" && WantsHTML(r) {
			return ctx.Redirect(http.StatusFound, Prefix+"/")
		}
		return next(ctx)
	}
}

// WantsHTML reports whether a request comes from a browser that prefers
// HTML, so that GET / can redirect it to the catalogue while API clients
// keep their JSON.
func WantsHTML(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(mt), "text/html") {
			return true
		}
	}
	return false
}

// index returns the search index. On a small registry it is rebuilt on
// the request that finds the state has moved, so every page sees every
// write at once. An index of at least largeSubjects subjects that took
// more than largeBuild to build is rebuilt in the background instead, one
// build at a time and no sooner than four build times (at most a second)
// after the last, while requests go on being served the previous one:
// pages on a large registry never wait for a rebuild, and a stream of
// writes costs at most about a fifth of one core.
func (c *Catalogue) index() *index {
	pos := c.svc.State().Position()
	ix := c.idx.Load()
	if ix != nil && ix.pos == pos {
		return ix
	}
	if ix != nil && ix.large {
		if time.Since(ix.builtAt) >= min(4*ix.built, maxRebuildWait) && c.building.CompareAndSwap(false, true) {
			c.builds.Add(1)
			go func() {
				defer c.builds.Done()
				defer c.building.Store(false)
				c.rebuild()
			}()
		}
		return ix
	}
	return c.rebuild()
}

// rebuild builds the index for the current position unless another
// build got there first.
func (c *Catalogue) rebuild() *index {
	c.mu.Lock()
	defer c.mu.Unlock()
	prev := c.idx.Load()
	pos := c.svc.State().Position()
	if prev != nil && prev.pos == pos {
		return prev
	}
	next := buildIndex(c.svc, c.cfg.directory, pos, prev)
	c.idx.Store(next)
	return next
}

// largeBuild is the build time above which the index is rebuilt in the
// background; maxRebuildWait caps the pause between background builds
// (the first build, which parses every schema, is much slower than the
// rest).
const (
	largeBuild     = 5 * time.Millisecond
	largeSubjects  = 500
	maxRebuildWait = time.Second
)

// Close waits for a background index build to finish. Call it after the
// HTTP server has stopped; the catalogue holds nothing else to release.
func (c *Catalogue) Close() {
	c.builds.Wait()
}

func (c *Catalogue) loadStatic() error {
	c.static = map[string]staticFile{}
	entries, err := fs.ReadDir(assets, "static")
	if err != nil {
		return fmt.Errorf("web: read static assets: %w", err)
	}
	add := func(name string, body []byte) {
		sum := sha256.Sum256(body)
		ct := "application/octet-stream"
		switch path.Ext(name) {
		case ".css":
			ct = "text/css; charset=utf-8"
		case ".js":
			ct = "text/javascript; charset=utf-8"
		case ".svg":
			ct = "image/svg+xml"
		}
		c.static[name] = staticFile{body: body, contentType: ct, version: hex.EncodeToString(sum[:6])}
	}
	for _, e := range entries {
		body, err := assets.ReadFile("static/" + e.Name())
		if err != nil {
			return fmt.Errorf("web: read %s: %w", e.Name(), err)
		}
		add(e.Name(), body)
	}
	add("chroma.css", highlightCSS())
	return nil
}

func (c *Catalogue) loadTemplates() error {
	funcs := template.FuncMap{
		"subjectURL": subjectURL,
		"versionURL": versionURL,
		"topicURL":   topicURL,
		"teamURL":    teamURL,
		"diffURL":    diffURL,
		"searchURL":  searchURL,
		"asset":      c.assetURL,
		"date":       formatDate,
		"mailto":     func(addr string) template.URL { return template.URL("mailto:" + url.PathEscape(addr)) }, //nolint:gosec // a mailto: scheme with an escaped address
		"add":        func(a, b int) int { return a + b },
		// The caps on what one page shows of a schema.
		"maxFieldRows":  func() int { return maxFieldRows },
		"maxSymbolRows": func() int { return maxSymbolRows },
		"maxTables":     func() int { return maxTables },
		"maxCodeLines":  func() int { return maxCodeLines },
	}
	pages, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return err
	}
	c.pages = map[string]*template.Template{}
	for _, p := range pages {
		name := path.Base(p)
		if name == "layout.html" || name == "parts.html" {
			continue
		}
		t, err := template.New(name).Funcs(funcs).ParseFS(assets, "templates/layout.html", "templates/parts.html", p)
		if err != nil {
			return fmt.Errorf("web: parse %s: %w", name, err)
		}
		c.pages[strings.TrimSuffix(name, ".html")] = t
	}
	return nil
}

func (c *Catalogue) assetURL(name string) string {
	f, ok := c.static[name]
	if !ok {
		return Prefix + "/static/" + name
	}
	return Prefix + "/static/" + name + "?v=" + f.version
}

func (c *Catalogue) serveStatic(ctx *echo.Context) error {
	f, ok := c.static[ctx.Param("name")]
	if !ok {
		return c.notFound(ctx, "No such file.")
	}
	h := ctx.Response().Header()
	h.Set("X-Content-Type-Options", "nosniff")
	if ctx.QueryParam("v") == f.version {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	return ctx.Blob(http.StatusOK, f.contentType, f.body)
}

// page is what the layout needs around every page's own data.
type page struct {
	Title   string
	Section string
	Query   string
	Data    any
}

// contentSecurityPolicy allows only the catalogue's own scripts and
// styles: even if some text escaped escaping, no inline script would run.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func (c *Catalogue) render(ctx *echo.Context, status int, name string, p page) error {
	t := c.pages[name]
	var b bytes.Buffer
	tmpl := "layout"
	if name == "search" && ctx.QueryParam("fragment") == "1" {
		tmpl = "results"
	}
	if t == nil {
		return c.fail(ctx, fmt.Errorf("no template %q", name))
	}
	if err := t.ExecuteTemplate(&b, tmpl, p); err != nil {
		return c.fail(ctx, err)
	}
	setPageHeaders(ctx)
	return ctx.HTMLBlob(status, b.Bytes())
}

func setPageHeaders(ctx *echo.Context) {
	h := ctx.Response().Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-cache")
}

// fail answers 500 with a plain page when rendering itself failed.
func (c *Catalogue) fail(ctx *echo.Context, err error) error {
	c.cfg.logger.Error("catalogue page failed", slog.String("path", ctx.Request().URL.Path), slog.Any("error", err))
	setPageHeaders(ctx)
	return ctx.Blob(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("The catalogue could not render this page.\n"))
}

func (c *Catalogue) notFound(ctx *echo.Context, msg string) error {
	return c.render(ctx, http.StatusNotFound, "error", page{Title: "Not found", Data: msg})
}

// tail returns the part of the request path after prefix, unescaped once.
// Names come from the raw path rather than the router's parameter so that
// a subject containing "/" (sent as %2F) or "%" reads back exactly,
// whatever the router's unescaping setting.
func tail(ctx *echo.Context, prefix string) (string, bool) {
	raw := ctx.Request().URL.EscapedPath()
	rest, ok := strings.CutPrefix(raw, prefix)
	if !ok || rest == "" {
		return "", false
	}
	name, err := url.PathUnescape(rest)
	if err != nil {
		return "", false
	}
	return name, true
}

func subjectURL(subject string) string { return Prefix + "/subjects/" + url.PathEscape(subject) }

func versionURL(subject string, version int) string {
	return subjectURL(subject) + "#v" + strconv.Itoa(version)
}

func topicURL(topic string) string { return Prefix + "/topics/" + url.PathEscape(topic) }
func teamURL(team string) string   { return Prefix + "/teams/" + url.PathEscape(team) }

func diffURL(subject string, from, to int) string {
	v := url.Values{}
	v.Set("subject", subject)
	v.Set("from", strconv.Itoa(from))
	v.Set("to", strconv.Itoa(to))
	return Prefix + "/diff?" + v.Encode()
}

func searchURL(q string) string { return Prefix + "/search?q=" + url.QueryEscape(q) }

func formatDate(ms int64) string {
	if ms <= 0 {
		return ""
	}
	return time.UnixMilli(ms).UTC().Format("2006-01-02 15:04 UTC")
}
