package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/charter-registry/charter/compat"
)

// config is what the flags set.
type config struct {
	charter   string
	scenarios []string
	duration  time.Duration
	warmup    time.Duration
	rounds    int
	conns     []int
	schemas   int
	format    compat.Type
	writers   []int

	compatVersions int
	compatFields   int
	compatConns    int
	memorySubjects int
	mixedDuration  time.Duration
	mixedReaders   int
	mixedWriters   int

	// kafkaBrokers, instances and forward move the register scenario to
	// instances of charter on one fresh Kafka topic.
	kafkaBrokers string
	instances    int
	forward      bool
}

// allScenarios are the scenarios -scenarios accepts; defaultScenarios
// run when it is not given (mixed takes minutes of its own).
var (
	allScenarios     = []string{"read", "register", "compat", "memory", "mixed"}
	defaultScenarios = []string{"read", "register", "compat", "memory"}
)

func defaultConfig() config {
	return config{
		scenarios:      defaultScenarios,
		duration:       10 * time.Second,
		warmup:         2 * time.Second,
		rounds:         3,
		conns:          []int{100, 32},
		schemas:        1000,
		format:         compat.Avro,
		writers:        []int{1, 8, 16},
		compatVersions: 100,
		compatFields:   200,
		compatConns:    1,
		memorySubjects: 5000,
		mixedDuration:  3 * time.Minute,
		mixedReaders:   16,
		mixedWriters:   4,
		instances:      1,
		forward:        true,
	}
}

// validate rejects settings that would make the run unbounded.
func (c config) validate() error {
	switch {
	case c.duration <= 0 || c.duration > time.Hour:
		return fmt.Errorf("-duration %s: use a positive duration of at most 1h", c.duration)
	case c.warmup < 0 || c.warmup > 10*time.Minute:
		return fmt.Errorf("-warmup %s: use 0 to 10m", c.warmup)
	case c.rounds < 1 || c.rounds > 100:
		return fmt.Errorf("-rounds %d: use 1 to 100", c.rounds)
	case c.schemas < 1 || c.schemas > 1_000_000:
		return fmt.Errorf("-schemas %d: use 1 to 1000000", c.schemas)
	case c.compatVersions < 1 || c.compatVersions > 1000:
		return fmt.Errorf("-compat-versions %d: use 1 to 1000", c.compatVersions)
	case c.compatFields < 2 || c.compatFields > 10000:
		return fmt.Errorf("-compat-fields %d: use 2 to 10000", c.compatFields)
	case c.compatConns < 1 || c.compatConns > 4096:
		return fmt.Errorf("-compat-conns %d: use 1 to 4096", c.compatConns)
	case c.memorySubjects < 1 || c.memorySubjects > 1_000_000:
		return fmt.Errorf("-memory-subjects %d: use 1 to 1000000", c.memorySubjects)
	case c.mixedDuration < time.Second || c.mixedDuration > 2*time.Hour:
		return fmt.Errorf("-mixed-duration %s: use 1s to 2h", c.mixedDuration)
	case c.mixedReaders < 1 || c.mixedReaders > 4096 || c.mixedWriters < 1 || c.mixedWriters > 4096:
		return fmt.Errorf("-mixed-readers %d, -mixed-writers %d: use 1 to 4096", c.mixedReaders, c.mixedWriters)
	case c.instances < 1 || c.instances > 16:
		return fmt.Errorf("-instances %d: use 1 to 16", c.instances)
	case c.instances > 1 && c.kafkaBrokers == "":
		return fmt.Errorf("-instances %d: several instances share a Kafka topic; give -kafka-brokers", c.instances)
	case len(c.scenarios) == 0:
		return errors.New("-scenarios: name at least one")
	}
	for _, s := range c.scenarios {
		if !slices.Contains(allScenarios, s) {
			return fmt.Errorf("-scenarios: unknown %q; use %s", s, strings.Join(allScenarios, ","))
		}
	}
	for _, n := range append(slices.Clone(c.conns), c.writers...) {
		if n < 1 || n > 4096 {
			return fmt.Errorf("-conns and -writers: %d is not between 1 and 4096", n)
		}
	}
	switch c.format {
	case compat.Avro, compat.Protobuf, compat.JSON:
	default:
		return fmt.Errorf("-format %q: use AVRO, PROTOBUF or JSON", c.format)
	}
	return nil
}

func (c config) runs(scenario string) bool { return slices.Contains(c.scenarios, scenario) }

// intList is a comma-separated list of integers flag.
type intList struct{ v *[]int }

func (l intList) String() string {
	if l.v == nil {
		return ""
	}
	s := make([]string, len(*l.v))
	for i, n := range *l.v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}

func (l intList) Set(s string) error {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return fmt.Errorf("%q is not an integer", f)
		}
		out = append(out, n)
	}
	*l.v = out
	return nil
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	cfg := defaultConfig()
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.charter, "charter", "", "charter binary to run (default: build ./cmd/charter of this module)")
	scenarios := fs.String("scenarios", strings.Join(defaultScenarios, ","), "what to measure: read, register, compat, memory, mixed")
	fs.DurationVar(&cfg.duration, "duration", cfg.duration, "how long to measure each target, round or writer count")
	fs.DurationVar(&cfg.warmup, "warmup", cfg.warmup, "unmeasured load before each measurement")
	fs.IntVar(&cfg.rounds, "rounds", cfg.rounds, "read: alternate charter and the ceiling this many times (-duration each)")
	fs.Var(intList{&cfg.conns}, "conns", "read: keep-alive connections (one worker each), one run per value")
	fs.IntVar(&cfg.schemas, "schemas", cfg.schemas, "read: schemas registered before the reads (one subject each)")
	format := fs.String("format", string(cfg.format), "read, register and memory: schema format, AVRO, PROTOBUF or JSON")
	fs.Var(intList{&cfg.writers}, "writers", "register: concurrent writers, one run per value")
	fs.IntVar(&cfg.compatVersions, "compat-versions", cfg.compatVersions, "compat: versions in the subject checked against")
	fs.IntVar(&cfg.compatFields, "compat-fields", cfg.compatFields, "compat: fields of the schema checked")
	fs.IntVar(&cfg.compatConns, "compat-conns", cfg.compatConns, "compat: concurrent checks")
	fs.IntVar(&cfg.memorySubjects, "memory-subjects", cfg.memorySubjects, "memory: subjects registered (one distinct schema each) into a fresh charter")
	fs.DurationVar(&cfg.mixedDuration, "mixed-duration", cfg.mixedDuration, "mixed: how long the mixed read and write load lasts")
	fs.IntVar(&cfg.mixedReaders, "mixed-readers", cfg.mixedReaders, "mixed: reading connections")
	fs.IntVar(&cfg.mixedWriters, "mixed-writers", cfg.mixedWriters, "mixed: writing connections (registrations and compatibility checks)")
	fs.StringVar(&cfg.kafkaBrokers, "kafka-brokers", "", "register: run charter on a fresh topic of these Kafka brokers (host:port,...) instead of a file log")
	fs.IntVar(&cfg.instances, "instances", cfg.instances, "register: charter instances on the Kafka topic, the writers spread over them round-robin (needs -kafka-brokers)")
	fs.BoolVar(&cfg.forward, "forward", cfg.forward, "register on Kafka: start the instances with --advertised-url, so they forward writes to the one holding the writer lease (false for a charter that predates it)")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	cfg.format = compat.Type(strings.ToUpper(*format))
	cfg.scenarios = nil
	for s := range strings.SplitSeq(*scenarios, ",") {
		if s = strings.TrimSpace(s); s != "" {
			cfg.scenarios = append(cfg.scenarios, s)
		}
	}
	return cfg, cfg.validate()
}

func main() {
	if serveCeilingFromEnv() {
		return
	}
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
