package registrytest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/charter-registry/charter"
	"github.com/charter-registry/charter/api"
	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/contracts/client"
	"github.com/charter-registry/charter/exporter"
	"github.com/charter-registry/charter/governance"
	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/registry/dek"
	"github.com/charter-registry/charter/storage"
	"github.com/charter-registry/charter/storage/memory"
)

// Registry is a running in-process charter: a Service over Log, served by
// API on URL.
type Registry struct {
	// URL is the base URL of the HTTP server, without a trailing slash.
	URL string
	// Service is the running registry.
	Service *registry.Service
	// Log is the storage log the Service runs over.
	Log storage.Log
	// API is the HTTP API in front of Service.
	API *api.Server
	// Exporters is the schema linking attached to Service; it runs its
	// exporters only with WithExporters.
	Exporters *exporter.Manager
}

// Handler returns the HTTP handler the server at URL serves.
func (r *Registry) Handler() http.Handler { return r.API.Handler() }

// Opt changes how Start or Run sets up the registry.
type Opt func(*options)

type options struct {
	log          storage.Log
	access       registry.AccessConfig
	now          func() time.Time
	api          api.Config
	mount        func(*api.Server, *registry.Service) error
	readyTimeout time.Duration
	keys         dek.Config
	formats      []compat.Format
	exporters    *exporter.Config
	governance   governance.Config
}

// WithGovernance attaches governance with c (a webhook secret, say)
// before the Service runs.
func WithGovernance(c governance.Config) Opt { return func(o *options) { o.governance = c } }

// WithExporters attaches the exporters' manager with c before the Service
// runs and runs it (takes the lease, runs the exporters) until t ends.
func WithExporters(c exporter.Config) Opt { return func(o *options) { o.exporters = &c } }

// WithFormats serves these schema formats instead of charter.Formats().
func WithFormats(f ...compat.Format) Opt { return func(o *options) { o.formats = f } }

// WithKeys configures the DEK registry attached to the Service (its KMS
// drivers, say).
func WithKeys(c dek.Config) Opt { return func(o *options) { o.keys = c } }

// WithLog runs the registry over l instead of a fresh memory log keyed by
// registry.LogicalKey. The caller keeps ownership of l.
func WithLog(l storage.Log) Opt { return func(o *options) { o.log = l } }

// WithAccess sets the ownership rules of the Service.
func WithAccess(a registry.AccessConfig) Opt { return func(o *options) { o.access = a } }

// WithNow gives the Service a clock (time.Now by default).
func WithNow(now func() time.Time) Opt { return func(o *options) { o.now = now } }

// WithAPIConfig sets the configuration of the HTTP API (the zero Config
// by default), for example its authentication.
func WithAPIConfig(c api.Config) Opt { return func(o *options) { o.api = c } }

// WithMount calls mount with the API server and the Service before the
// server starts, for example to mount the web catalogue on its echo
// instance with web.Mount.
func WithMount(mount func(*api.Server, *registry.Service) error) Opt {
	return func(o *options) { o.mount = mount }
}

// WithReadyTimeout bounds the wait for the Service to become ready (30 s
// by default). It is a hang guard, not a speed check.
func WithReadyTimeout(d time.Duration) Opt { return func(o *options) { o.readyTimeout = d } }

func newOptions(opts []Opt) options {
	o := options{readyTimeout: 30 * time.Second}
	for _, opt := range opts {
		opt(&o)
	}
	if o.log == nil {
		o.log = memory.New(memory.WithKeyFunc(registry.LogicalKey))
	}
	return o
}

// Run starts a Service with charter's formats, waits until it is ready
// and stops it when t ends. It serves no HTTP; WithAPIConfig and WithMount
// do not apply.
func Run(t testing.TB, opts ...Opt) *registry.Service {
	t.Helper()
	o := newOptions(opts)
	r := run(t, o)
	return r.svc
}

// RunStoppable is Run for tests that stop a Service and start another
// over the same log: it also returns the DEK registry attached to the
// Service and a stop function that ends the Service and waits for it. Stop
// also runs when t ends; a second call does nothing.
func RunStoppable(t testing.TB, opts ...Opt) (*registry.Service, *dek.Registry, func()) {
	t.Helper()
	r := run(t, newOptions(opts))
	return r.svc, r.keys, r.stop
}

type running struct {
	svc       *registry.Service
	keys      *dek.Registry
	exporters *exporter.Manager
	stop      func()
}

func run(t testing.TB, o options) running {
	t.Helper()
	formats := o.formats
	if formats == nil {
		formats = charter.Formats()
	}
	svc, err := registry.NewService(registry.ServiceConfig{Log: o.log, Formats: formats, Access: o.access, Now: o.now})
	if err != nil {
		t.Fatal(err)
	}
	governance.Attach(svc, o.governance)
	keys := dek.Attach(svc, o.keys)
	var exp *exporter.Manager
	if o.exporters != nil {
		if exp, err = exporter.Attach(svc, *o.exporters); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = svc.Run(ctx); close(done) }()
	// The exporters stop first: they give their lease up through the
	// Service.
	ectx, ecancel := context.WithCancel(ctx)
	expDone := make(chan struct{})
	if exp != nil {
		go func() { _ = exp.Run(ectx); close(expDone) }()
	} else {
		close(expDone)
	}
	stop := sync.OnceFunc(func() { ecancel(); <-expDone; cancel(); <-done })
	t.Cleanup(stop)
	wctx, wcancel := context.WithTimeout(ctx, o.readyTimeout)
	defer wcancel()
	if err := svc.WaitReady(wctx); err != nil {
		t.Fatal(err)
	}
	return running{svc: svc, keys: keys, exporters: exp, stop: stop}
}

// Start runs a Service as Run does and serves the HTTP API in front of it
// on an httptest server. Server and Service stop when t ends.
func Start(t testing.TB, opts ...Opt) *Registry {
	t.Helper()
	o := newOptions(opts)
	r := run(t, o)
	svc := r.svc
	if o.api.Keys == nil {
		o.api.Keys = r.keys
	}
	if o.api.Exporters == nil {
		o.api.Exporters = r.exporters
	}
	a := api.New(svc, o.api)
	if o.mount != nil {
		if err := o.mount(a, svc); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	return &Registry{URL: srv.URL, Service: svc, Log: o.log, API: a, Exporters: o.api.Exporters}
}

// Replay runs a Service over l until it is ready and stops it again,
// returning the Service with the replayed state. It is what an instance
// does at start-up, for benchmarks of that.
func Replay(ctx context.Context, t testing.TB, l storage.Log) *registry.Service {
	t.Helper()
	svc, err := registry.NewService(registry.ServiceConfig{Log: l, Formats: charter.Formats()})
	if err != nil {
		t.Fatal(err)
	}
	governance.Attach(svc, governance.Config{})
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { _ = svc.Run(rctx); close(done) }()
	wctx, wcancel := context.WithTimeout(rctx, 10*time.Minute) // a hang guard
	err = svc.WaitReady(wctx)
	wcancel()
	cancel()
	<-done
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// Client returns a contracts client for the registry at URL, configured
// further by opts.
func (r *Registry) Client(t testing.TB, opts ...client.Opt) *client.Client {
	t.Helper()
	cl, err := client.New(append([]client.Opt{client.URLs(r.URL)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return cl
}
