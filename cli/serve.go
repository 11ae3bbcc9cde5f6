package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/charter-registry/charter"
	"github.com/charter-registry/charter/api"
	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/compat/jsonschema"
	"github.com/charter-registry/charter/exporter"
	"github.com/charter-registry/charter/governance"
	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/registry/dek"
	"github.com/charter-registry/charter/storage"
	"github.com/charter-registry/charter/storage/file"
	"github.com/charter-registry/charter/storage/kafka"
	"github.com/charter-registry/charter/storage/memory"
	"github.com/charter-registry/charter/web"
)

type serveFlags struct {
	addr                 string
	dataDir              string
	storage              string
	logLevel             string
	maxSchemaBytes       int
	maxBodyBytes         int64
	requestTimeout       time.Duration
	changesMaxWait       time.Duration
	shutdownTimeout      time.Duration
	exporterLease        time.Duration
	advertisedURL        string
	writerLease          time.Duration
	clusterID            string
	exporterPoll         time.Duration
	defaultCompatibility string
	compactOnStart       bool
	lenientJSONPatterns  bool
	conn                 api.ConnConfig

	kafka            kafkaConnFlags
	kafkaTopic       string
	kafkaReplication int
	kafkaMinISR      int

	auth              string
	authConfig        string
	anonymousRead     bool
	authMaxFailures   int
	authFailureWindow time.Duration
	unowned           string
	changesTopic      string
	webhookSecretFile string
	deliverWebhooks   bool
}

func newServeCommand() *cobra.Command {
	f := serveFlags{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the registry server",
		Long: `Run the registry server. With no flags it serves on 127.0.0.1:8081 and keeps
its state in an embedded file log under ./charter-data. Give --kafka-brokers to
keep the state in a compacted Kafka topic shared by several instances.`,
		Example: `  charter serve
  charter serve --addr 0.0.0.0:8081 --data-dir /var/lib/charter
  CHARTER_KAFKA_BROKERS=kafka-1:9092,kafka-2:9092 charter serve --kafka-topic _schemas`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(cmd.Context(), f)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&f.addr, "addr", "127.0.0.1:8081", "address to listen on")
	fs.StringVar(&f.dataDir, "data-dir", "./charter-data", "directory of the embedded file log")
	fs.StringVar(&f.storage, "storage", "", "log backend: file, memory or kafka (default: kafka when --kafka-brokers is set, else file)")
	fs.StringVar(&f.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	fs.IntVar(&f.maxSchemaBytes, "max-schema-bytes", 1<<20, "largest schema accepted, in bytes")
	fs.Int64Var(&f.maxBodyBytes, "max-body-bytes", 4<<20, "largest request body accepted, in bytes")
	fs.DurationVar(&f.requestTimeout, "request-timeout", 30*time.Second, "how long a request may wait for the log")
	fs.DurationVar(&f.changesMaxWait, "changes-max-wait", 30*time.Second, "longest wait of a GET /v1/changes long poll, whatever timeout it asks for")
	fs.DurationVar(&f.shutdownTimeout, "shutdown-timeout", 30*time.Second, "how long in-flight requests may take to finish on SIGTERM")
	defConn := api.DefaultConnConfig()
	fs.DurationVar(&f.conn.ReadHeaderTimeout, "read-header-timeout", defConn.ReadHeaderTimeout, "how long a client may take to send a request's headers")
	fs.DurationVar(&f.conn.ReadTimeout, "read-timeout", defConn.ReadTimeout, "how long a client may take to send a whole request, body included")
	fs.DurationVar(&f.conn.WriteTimeout, "write-timeout", defConn.WriteTimeout, "how long a request may take from its headers to the end of its response; must exceed --request-timeout")
	fs.DurationVar(&f.conn.IdleTimeout, "idle-timeout", defConn.IdleTimeout, "how long a keep-alive connection may wait for its next request")
	fs.IntVar(&f.conn.MaxHeaderBytes, "max-header-bytes", defConn.MaxHeaderBytes, "largest request line and headers accepted, in bytes (431 beyond)")
	fs.IntVar(&f.conn.MaxConnections, "max-connections", defConn.MaxConnections, "connections open at once; more are answered 503 and closed (0: no cap)")
	fs.StringVar(&f.defaultCompatibility, "default-compatibility", "BACKWARD", "compatibility level when no config sets one")
	fs.BoolVar(&f.lenientJSONPatterns, "json-schema-lenient-patterns", false, "accept JSON schemas whose pattern or patternProperties regular expressions RE2 cannot compile (lookaround, backreferences), as Confluent does; charter then does not enforce them")
	fs.BoolVar(&f.compactOnStart, "compact-on-start", true, "compact the file log before serving")
	f.kafka.bind(fs, "Kafka seed brokers (host:port, comma-separated); selects Kafka storage")
	fs.StringVar(&f.kafkaTopic, "kafka-topic", "_schemas", "compacted topic that holds the registry's log")
	fs.IntVar(&f.kafkaReplication, "kafka-replication-factor", 0, "replication factor for a new topic (0: min(3, brokers))")
	fs.IntVar(&f.kafkaMinISR, "kafka-min-insync-replicas", 0, "min.insync.replicas for a new topic (0: broker default)")
	fs.StringVar(&f.auth, "auth", "off", "authentication: off, or required (needs --auth-config); writes are then authorised by topic ownership")
	fs.StringVar(&f.authConfig, "auth-config", "", "YAML file of principals, their teams and hashed API keys and passwords; re-read on SIGHUP")
	fs.IntVar(&f.authMaxFailures, "auth-max-failures", api.DefaultAuthFailures, "with --auth=required, failed password checks allowed per principal name and per client address at once, and per --auth-failure-window; then 429")
	fs.DurationVar(&f.authFailureWindow, "auth-failure-window", api.DefaultAuthFailureWindow, "the window of --auth-max-failures")
	fs.BoolVar(&f.anonymousRead, "anonymous-read", false, "with --auth=required, let requests without credentials read")
	fs.StringVar(&f.unowned, "unowned-subjects", "open", "with --auth=required, who may write subjects no topic binds: open (any principal) or admin-only")
	fs.StringVar(&f.clusterID, "cluster-id", "charter", "this cluster's id: answered by /v1/metadata/id, and the context (.<id>) exporters with contextType AUTO write into on their destinations")
	fs.DurationVar(&f.exporterLease, "exporter-lease", 15*time.Second, "how long the instance running the exporters may go without renewing its lease before another instance takes over")
	fs.StringVar(&f.advertisedURL, "advertised-url", "", "URL the other instances on the same Kafka topic reach this one at (http://host:port; a port of 0 stands for the port --addr bound); with it the instance may hold the writer lease, and the others forward their writes to the holder (without it, the instance only forwards)")
	fs.DurationVar(&f.writerLease, "writer-lease", registry.DefaultWriterLeaseTTL, "how long the instance the others forward their writes to may go without renewing its lease before another instance with --advertised-url takes over")
	fs.DurationVar(&f.exporterPoll, "exporter-poll", 10*time.Second, "longest an exporter waits before comparing source and destination again when no change was announced")
	fs.StringVar(&f.changesTopic, "changes-topic", "", "Kafka topic to publish change events to (Kafka storage only); created if absent")
	fs.StringVar(&f.webhookSecretFile, "webhook-secret-file", "", "file holding the secret webhook signatures derive from (the same file on every instance); webhooks cannot be created without it")
	fs.BoolVar(&f.deliverWebhooks, "deliver-webhooks", true, "deliver change events to the configured webhooks from this instance (with several instances on one Kafka topic, leave it on for one)")
	annotateEnv(fs)
	return cmd
}

// newLogger logs JSON lines to w, with request lines batched (see
// logWriter).
func newLogger(level string, w *logWriter) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: use debug, info, warn or error", level)
	}
	return slog.New(bufferedHandler{Handler: slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}), w: w}), nil
}

// Formats returns every schema format charter serves.
func Formats() []compat.Format {
	return charter.Formats()
}

func openLog(ctx context.Context, f serveFlags, logger *slog.Logger) (storage.Log, error) {
	kind := f.storage
	if kind == "" {
		kind = "file"
		if len(f.kafka.brokers) > 0 {
			kind = "kafka"
		}
	}
	switch kind {
	case "memory":
		return memory.New(memory.WithKeyFunc(registry.LogicalKey)), nil
	case "file":
		if err := os.MkdirAll(f.dataDir, 0o755); err != nil {
			return nil, fmt.Errorf("create data dir: %w", err)
		}
		l, err := file.Open(ctx, f.dataDir, append(fileLogOpts(), file.WithLogger(logger))...)
		if err != nil {
			return nil, repairHint(err, f.dataDir)
		}
		if f.compactOnStart {
			if err := l.Compact(ctx); err != nil {
				logger.Warn("compaction failed; serving the log as it is", slog.Any("error", err))
			}
		}
		return l, nil
	case "kafka":
		return kafka.Open(ctx, kafkaConfig(f), logger)
	}
	return nil, fmt.Errorf("--storage %q: use file, memory or kafka", kind)
}

// kafkaConfig fills storage/kafka's Config from the flags.
func kafkaConfig(f serveFlags) kafka.Config {
	cfg := f.kafka.config()
	cfg.Topic = f.kafkaTopic
	cfg.ReplicationFactor = f.kafkaReplication
	cfg.MinInsyncReplicas = f.kafkaMinISR
	return cfg
}

func runServe(parent context.Context, f serveFlags) error {
	if parent == nil {
		parent = context.Background()
	}
	logOut := newLogWriter(os.Stderr)
	defer logOut.Close()
	logger, err := newLogger(f.logLevel, logOut)
	if err != nil {
		return err
	}
	level, err := compat.ParseLevel(f.defaultCompatibility)
	if err != nil {
		return fmt.Errorf("--default-compatibility: %w", err)
	}
	if err := f.conn.Validate(f.requestTimeout); err != nil {
		return fmt.Errorf("connection limits (--read-header-timeout, --read-timeout, --write-timeout, --idle-timeout, --max-header-bytes, --max-connections): %w", err)
	}
	access, authCfg, err := authSettings(f)
	if err != nil {
		return err
	}
	if err := checkAdvertisedURL(f.advertisedURL); err != nil {
		return err
	}
	if f.writerLease <= 0 {
		return fmt.Errorf("--writer-lease %v: give a positive duration (10s by default)", f.writerLease)
	}
	if f.changesTopic != "" && len(f.kafka.brokers) == 0 {
		return errors.New("--changes-topic needs Kafka: give --kafka-brokers")
	}
	if f.advertisedURL != "" && len(f.kafka.brokers) == 0 {
		// Only instances on one Kafka topic share a log: alone, the
		// instance would renew a lease nobody follows, every few seconds.
		return errors.New("--advertised-url needs Kafka: give --kafka-brokers")
	}
	ctx, stop := signal.NotifyContext(parent, syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	log, err := openLog(ctx, f, logger)
	if err != nil {
		return err
	}
	defer log.Close()
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", f.addr, err)
	}
	defer ln.Close()
	advertised := advertisedURL(f.advertisedURL, ln.Addr())
	var jsonOpts []jsonschema.Opt
	if f.lenientJSONPatterns {
		jsonOpts = append(jsonOpts, jsonschema.LenientPatterns())
	}
	formats := charter.Formats(jsonOpts...)
	svc, err := registry.NewService(registry.ServiceConfig{
		Log:                  log,
		Formats:              formats,
		Logger:               logger,
		MaxSchemaBytes:       f.maxSchemaBytes,
		DefaultCompatibility: level,
		Access:               access,
	})
	if err != nil {
		return err
	}
	// Governance's and the DEK registry's records replay with the rest:
	// attach them before Run.
	govCfg := governance.Config{}
	if f.webhookSecretFile != "" {
		secret, err := os.ReadFile(f.webhookSecretFile)
		if err != nil {
			return fmt.Errorf("--webhook-secret-file: %w", err)
		}
		if govCfg.WebhookSecret = bytes.TrimSpace(secret); len(govCfg.WebhookSecret) < 16 {
			return fmt.Errorf("--webhook-secret-file %s: give a secret of at least 16 bytes", f.webhookSecretFile)
		}
	}
	// The writer lease: an instance with --advertised-url contends for it;
	// every instance forwards its writes to the holder.
	lease := registry.AttachWriterLease(svc, registry.WriterLeaseConfig{URL: advertised, TTL: f.writerLease, Logger: logger})
	gov := governance.Attach(svc, govCfg)
	keys := dek.Attach(svc, dek.Config{})
	exporters, err := exporter.Attach(svc, exporter.Config{ClusterID: f.clusterID, LeaseTTL: f.exporterLease, Poll: f.exporterPoll, RequestTimeout: f.requestTimeout, Logger: logger})
	if err != nil {
		return err
	}
	srv := api.New(svc, api.Config{
		Keys:           keys,
		Exporters:      exporters,
		ClusterID:      f.clusterID,
		Governance:     gov,
		MaxBodyBytes:   f.maxBodyBytes,
		RequestTimeout: f.requestTimeout,
		MaxChangesWait: f.changesMaxWait,
		OpenAPI:        charter.OpenAPI(),
		Logger:         logger,
		Auth:           authCfg,
		Forward:        api.ForwardConfig{Lease: lease},
	})
	catalogue, err := web.Mount(srv.Echo(), svc, web.WithFormats(formats...), web.WithLogger(logger), web.WithExporters(exporters))
	if err != nil {
		return err
	}
	defer catalogue.Close()
	if authCfg.Required {
		logger.Info("authentication required", slog.String("auth_config", f.authConfig), slog.Int("principals", authCfg.Credentials.Principals()),
			slog.Bool("anonymous_read", f.anonymousRead), slog.String("unowned_subjects", string(access.Unowned)))
		stopReload := reloadOnHangup(srv, f.authConfig, logger)
		defer stopReload()
	}
	runCtx, cancelRun := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelRun()
	runDone := make(chan error, 1)
	go func() { runDone <- svc.Run(runCtx) }()
	if f.deliverWebhooks {
		hookCtx, stopHooks := context.WithCancel(runCtx)
		hooksDone := make(chan struct{})
		go func() {
			defer close(hooksDone)
			_ = gov.Deliver(hookCtx, api.NewWebhookSender(f.requestTimeout), governance.DeliveryConfig{})
		}()
		defer func() { stopHooks(); <-hooksDone }()
	}
	// The exporters stop before the log does: they give their lease up.
	expCtx, stopExp := context.WithCancel(runCtx)
	expDone := make(chan struct{})
	go func() {
		defer close(expDone)
		if err := exporters.Run(expCtx); err != nil && expCtx.Err() == nil {
			logger.Error("exporters stopped", slog.Any("error", err))
		}
	}()
	stopExporters := func() { stopExp(); <-expDone }
	defer stopExporters()
	// So does the writer lease, after the last request was answered.
	leaseCtx, stopLeaseRun := context.WithCancel(runCtx)
	leaseDone := make(chan struct{})
	go func() {
		defer close(leaseDone)
		if err := lease.Run(leaseCtx); err != nil && leaseCtx.Err() == nil {
			logger.Error("writer lease stopped", slog.Any("error", err))
		}
	}()
	stopLease := func() { stopLeaseRun(); <-leaseDone }
	defer stopLease()
	if f.changesTopic != "" {
		stopPublisher, err := startPublisher(runCtx, gov, f, logger)
		if err != nil {
			cancelRun()
			<-runDone
			return err
		}
		defer stopPublisher()
	}

	hs := srv.HTTPServer(f.conn)
	serveDone := make(chan error, 1)
	go func() { serveDone <- hs.Serve(srv.Listener(ln, f.conn.MaxConnections)) }()
	logger.Info("charter serving", slog.String("addr", ln.Addr().String()), slog.String("storage", describe(f)),
		slog.String("instance", lease.Instance()), slog.String("advertised_url", advertised))

	select {
	case <-ctx.Done():
	case err := <-serveDone:
		cancelRun()
		<-runDone
		return err
	case err := <-runDone:
		_ = hs.Close()
		return fmt.Errorf("log replay stopped: %w", err)
	}
	logger.Info("shutting down: waiting for in-flight requests", slog.Duration("timeout", f.shutdownTimeout))
	sctx, cancel := context.WithTimeout(context.Background(), f.shutdownTimeout)
	defer cancel()
	err = hs.Shutdown(sctx)
	stopLease()
	stopExporters()
	cancelRun()
	<-runDone
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	logger.Info("stopped")
	return nil
}

// checkAdvertisedURL accepts an empty --advertised-url or an absolute
// http(s) URL without a query or fragment.
func checkAdvertisedURL(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("--advertised-url %q: give the URL the other instances reach this one at, such as http://10.0.0.5:8081", s)
	}
	return nil
}

// advertisedURL is --advertised-url with a port of 0 replaced by the
// port the server bound (for --addr host:0).
func advertisedURL(s string, bound net.Addr) string {
	u, err := url.Parse(s)
	if s == "" || err != nil || u.Port() != "0" {
		return s
	}
	if tcp, ok := bound.(*net.TCPAddr); ok {
		u.Host = net.JoinHostPort(u.Hostname(), strconv.Itoa(tcp.Port))
	}
	return u.String()
}

func describe(f serveFlags) string {
	if f.storage == "memory" {
		return "memory"
	}
	if len(f.kafka.brokers) > 0 || f.storage == "kafka" {
		return "kafka topic " + f.kafkaTopic
	}
	return "file log in " + f.dataDir
}

// startPublisher publishes change events to --changes-topic until ctx ends
// or the returned stop is called.
func startPublisher(ctx context.Context, gov *governance.Governance, f serveFlags, logger *slog.Logger) (stop func(), err error) {
	opts, err := changesClientOpts(f)
	if err != nil {
		return nil, err
	}
	octx, cancelOpen := context.WithTimeout(ctx, f.requestTimeout)
	pub, err := kafka.NewPublisher[governance.ChangeEvent](octx, kafka.PublisherConfig{Topic: f.changesTopic, ClientOpts: opts})
	cancelOpen()
	if err != nil {
		return nil, err
	}
	pctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := gov.PublishChanges(pctx, pub); err != nil && pctx.Err() == nil {
			logger.Error("change publisher stopped", slog.Any("error", err))
		}
	}()
	logger.Info("publishing change events", slog.String("topic", f.changesTopic))
	return func() {
		cancel()
		<-done
		pub.Close()
	}, nil
}

// changesClientOpts connects the change publisher the way the log's
// clients connect: same brokers, TLS and SASL.
func changesClientOpts(f serveFlags) ([]kgo.Opt, error) {
	cfg := kafkaConfig(f)
	cfg.ClientID = "charter-changes"
	return cfg.ClientOptions()
}
