package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/charter-registry/charter/compat"
)

// config is what the flags set.
type config struct {
	duration time.Duration
	warmup   time.Duration
	conns    int
	rounds   int
	schemas  int
	format   compat.Type
	target   string
}

func defaultConfig() config {
	return config{
		duration: 10 * time.Second,
		warmup:   time.Second,
		conns:    64,
		rounds:   1,
		schemas:  1000,
		format:   compat.Avro,
	}
}

// validate rejects settings that would make the run unbounded or point it
// away from this machine.
func (c config) validate() error {
	switch {
	case c.duration <= 0 || c.duration > time.Hour:
		return fmt.Errorf("-duration %s: use a positive duration of at most 1h", c.duration)
	case c.warmup < 0 || c.warmup > 10*time.Minute:
		return fmt.Errorf("-warmup %s: use 0 to 10m", c.warmup)
	case c.conns < 1 || c.conns > 4096:
		return fmt.Errorf("-conns %d: use 1 to 4096", c.conns)
	case c.rounds < 1 || c.rounds > 100:
		return fmt.Errorf("-rounds %d: use 1 to 100", c.rounds)
	case c.schemas < 1 || c.schemas > 1_000_000:
		return fmt.Errorf("-schemas %d: use 1 to 1000000", c.schemas)
	}
	switch c.format {
	case compat.Avro, compat.Protobuf, compat.JSON:
	default:
		return fmt.Errorf("-format %q: use AVRO, PROTOBUF or JSON", c.format)
	}
	if c.target != "" {
		return checkLoopback(c.target)
	}
	return nil
}

// checkLoopback accepts only http URLs whose host is a loopback address.
func checkLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("-target %q: %w", raw, err)
	}
	if u.Scheme != "http" {
		return fmt.Errorf("-target %q: only http:// URLs are supported", raw)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("-target %q: only loopback addresses (127.0.0.0/8, ::1, localhost) may be driven", raw)
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	cfg := defaultConfig()
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.DurationVar(&cfg.duration, "duration", cfg.duration, "how long to measure each target")
	fs.DurationVar(&cfg.warmup, "warmup", cfg.warmup, "unmeasured load before each measurement")
	fs.IntVar(&cfg.conns, "conns", cfg.conns, "concurrent keep-alive connections (one worker each)")
	fs.IntVar(&cfg.rounds, "rounds", cfg.rounds, "alternate charter and ceiling this many times (-duration each); figures are summed per target")
	fs.IntVar(&cfg.schemas, "schemas", cfg.schemas, "schemas to register before the run (with -target: most ids to use)")
	format := fs.String("format", string(cfg.format), "schema format to register: AVRO, PROTOBUF or JSON")
	fs.StringVar(&cfg.target, "target", "", "drive a running charter at this loopback URL instead of an in-process one")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	cfg.format = compat.Type(strings.ToUpper(*format))
	return cfg, cfg.validate()
}

func main() {
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		logger.Error("invalid flags", slog.Any("error", err))
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, cfg, os.Stdout, logger); err != nil {
		logger.Error("load test failed", slog.Any("error", err))
		stop()
		os.Exit(1)
	}
}
