package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/charter-registry/charter/compat"
)

// run measures what cfg asks for and writes the report to out.
func run(ctx context.Context, cfg config, out io.Writer, logger *slog.Logger) error {
	dir, err := os.MkdirTemp("", "charter-loadtest-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := cfg.charter
	if bin == "" {
		logger.Info("building charter")
		if bin, err = buildCharter(ctx, dir); err != nil {
			return err
		}
	}
	m := describeMachine()
	fmt.Fprintf(out, "machine: %d CPUs (%s), %s, GOMAXPROCS of the load generator %d\n", m.cpus, m.model, runtime.Version(), runtime.GOMAXPROCS(0))
	storage := "file log"
	if cfg.kafkaBrokers != "" {
		storage = "file log, the register scenario on Kafka"
	}
	fmt.Fprintf(out, "charter: %s serve, default settings, %s; the ceiling and the load generator are processes of their own\n", bin, storage)
	fmt.Fprintf(out, "load average at start: %s\n", loadAverage())
	steps := []struct {
		name string
		fn   func(context.Context, config, string, string, io.Writer, *slog.Logger) error
	}{
		{"read", readScenario},
		{"register", registerScenario},
		{"compat", compatScenario},
		{"memory", memoryScenario},
		{"mixed", mixedScenario},
	}
	for _, s := range steps {
		if !cfg.runs(s.name) {
			continue
		}
		sub := filepath.Join(dir, s.name)
		if err := os.Mkdir(sub, 0o700); err != nil {
			return err
		}
		if err := s.fn(ctx, cfg, bin, sub, out, logger); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	fmt.Fprintf(out, "\nload average at end: %s\n", loadAverage())
	return nil
}

// registerMany registers n distinct schemas of typ, one subject each
// (prefix-i-value), from 8 writers, and returns their ids.
func registerMany(ctx context.Context, base, prefix string, typ compat.Type, n int) ([]int, error) {
	return registerEach(ctx, base, prefix, typ, n, func(i int) string { return sampleSchema(typ, i) })
}

// registerEach registers schema(i) under prefix-i-value for each i below
// n, from 8 writers, and returns their ids.
func registerEach(ctx context.Context, base, prefix string, typ compat.Type, n int, schema func(int) string) ([]int, error) {
	client := &http.Client{Timeout: time.Minute}
	defer client.CloseIdleConnections()
	ids := make([]int, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				id, err := register(ctx, client, base, prefix+"-"+strconv.Itoa(i)+"-value", typ, schema(i))
				if err != nil {
					errs <- err
					return
				}
				ids[i] = id
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, err
	}
	return ids, ctx.Err()
}

func register(ctx context.Context, client *http.Client, base, subject string, typ compat.Type, text string) (int, error) {
	body, status, err := do(ctx, client, http.MethodPost, base+"/subjects/"+subject+"/versions", registerBody(typ, text))
	if err != nil {
		return 0, err
	}
	if status != http.StatusOK {
		return 0, fmt.Errorf("register %s: %d %.300s", subject, status, body)
	}
	var res struct{ ID int }
	if err := json.Unmarshal(body, &res); err != nil {
		return 0, fmt.Errorf("register %s: %w", subject, err)
	}
	return res.ID, nil
}

// typicalResponse fetches up to 32 of the ids and returns the body of
// median size and its content type: what the ceiling server will send.
func typicalResponse(ctx context.Context, base string, ids []int) ([]byte, string, error) {
	type sample struct {
		body []byte
		ct   string
	}
	client := &http.Client{Timeout: 30 * time.Second}
	defer client.CloseIdleConnections()
	var samples []sample
	for _, id := range ids[:min(len(ids), 32)] {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/schemas/ids/"+strconv.Itoa(id), nil)
		if err != nil {
			return nil, "", err
		}
		res, err := client.Do(req)
		if err != nil {
			return nil, "", err
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			return nil, "", err
		}
		if res.StatusCode != http.StatusOK {
			return nil, "", fmt.Errorf("GET /schemas/ids/%d: %s", id, res.Status)
		}
		samples = append(samples, sample{body, res.Header.Get("Content-Type")})
	}
	slices.SortFunc(samples, func(a, b sample) int { return len(a.body) - len(b.body) })
	m := samples[len(samples)/2]
	return m.body, m.ct, nil
}

// readScenario is Apicurio's READ_ID profile: GET /schemas/ids/{id} for
// random ids among cfg.schemas, against charter and against the ceiling,
// alternating round by round, at each connection count.
func readScenario(ctx context.Context, cfg config, bin, dir string, out io.Writer, logger *slog.Logger) error {
	c, err := startCharter(ctx, bin, filepath.Join(dir, "data"))
	if err != nil {
		return err
	}
	defer c.stop()
	logger.Info("preloading schemas", slog.Int("schemas", cfg.schemas), slog.String("format", string(cfg.format)))
	ids, err := registerMany(ctx, c.url, "loadtest", cfg.format, cfg.schemas)
	if err != nil {
		return fmt.Errorf("preload: %w", err)
	}
	body, contentType, err := typicalResponse(ctx, c.url, ids)
	if err != nil {
		return err
	}
	ceil, err := startCeiling(ctx, dir, body, contentType)
	if err != nil {
		return err
	}
	defer ceil.stop()

	fmt.Fprintf(out, "\n## READ_ID: GET /schemas/ids/{id}, %d %s schemas, %d-byte median body, %d round(s) of %s per target after %s warm-up\n\n",
		len(ids), cfg.format, len(body), cfg.rounds, cfg.duration, cfg.warmup)
	fmt.Fprintln(out, "| conns | target | req/s | p50 | p99 | p99.9 | server CPU µs/req | errors | load average |")
	fmt.Fprintln(out, "|---|---|---|---|---|---|---|---|---|")
	var summary []string
	for _, conns := range cfg.conns {
		ch, ce := &result{}, &result{}
		var ratios []float64
		var loads []string
		for r := range cfg.rounds {
			for _, t := range []struct {
				p   *proc
				sum *result
			}{{c, ch}, {ceil, ce}} {
				logger.Info("driving", slog.String("target", t.p.name), slog.Int("conns", conns), slog.Int("round", r+1))
				res, err := drive(ctx, load{
					conns: conns, warmup: cfg.warmup, duration: cfg.duration, want: http.StatusOK, pids: []int{t.p.pid()},
					request: func(_ int, rng *rand.Rand) (string, string, []byte) {
						return http.MethodGet, t.p.url + "/schemas/ids/" + strconv.Itoa(ids[rng.IntN(len(ids))]), nil
					},
				})
				if err != nil {
					return err
				}
				t.sum.add(res)
				if t.p == c {
					ratios = append(ratios, res.rate())
				} else {
					ratios[len(ratios)-1] /= max(res.rate(), 1)
				}
			}
			loads = append(loads, loadAverage())
		}
		for _, t := range []struct {
			name string
			r    *result
		}{{"charter", ch}, {"ceiling", ce}} {
			h := &t.r.hist
			fmt.Fprintf(out, "| %d | %s | %.0f | %s | %s | %s | %s | %d | %s |\n", conns, t.name, t.r.rate(),
				ms(h.quantile(0.5)), ms(h.quantile(0.99)), ms(h.quantile(0.999)), t.r.cpuPerRequest(), t.r.errors, loads[len(loads)-1])
		}
		for _, t := range []*result{ch, ce} {
			if t.firstErr != nil {
				fmt.Fprintf(out, "first error: %v\n", t.firstErr)
			}
		}
		if ch.requests == 0 || ce.requests == 0 {
			return fmt.Errorf("no successful requests at %d connections (charter %d, ceiling %d)", conns, ch.requests, ce.requests)
		}
		summary = append(summary, fmt.Sprintf("%d connections: charter/ceiling req/s %.2f (rounds %s), p50 %.2f, p99 %.2f; load average after each round %v",
			conns, ch.rate()/ce.rate(), fmtRatios(ratios), ratio(ch.hist.quantile(0.5), ce.hist.quantile(0.5)), ratio(ch.hist.quantile(0.99), ce.hist.quantile(0.99)), loads))
	}
	fmt.Fprintln(out)
	for _, s := range summary {
		fmt.Fprintln(out, s)
	}
	fmt.Fprintf(out, "charter wrote %d bytes of request log to stderr in this scenario\n", c.logBytes.Load())
	return nil
}

// registerScenario registers distinct schemas under new subjects from
// each number of writers: on a file log, or on cfg.instances instances
// sharing a fresh Kafka topic, the writers spread over them.
func registerScenario(ctx context.Context, cfg config, bin, dir string, out io.Writer, logger *slog.Logger) error {
	ins, where, err := startRegisterTargets(ctx, cfg, bin, dir, logger)
	for _, c := range ins {
		defer c.stop()
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\n## Register: POST /subjects/{new subject}/versions, distinct %s schemas, %s, %s per writer count after %s warm-up\n\n", cfg.format, where, cfg.duration, cfg.warmup)
	fmt.Fprintln(out, "| writers | registrations/s | p50 | p99 | server CPU µs/registration | errors | load average |")
	fmt.Fprintln(out, "|---|---|---|---|---|---|---|")
	var n atomic.Int64
	for _, writers := range cfg.writers {
		logger.Info("registering", slog.Int("writers", writers), slog.Int("instances", len(ins)))
		pids := make([]int, len(ins))
		for i, c := range ins {
			pids[i] = c.pid()
		}
		res, err := drive(ctx, load{
			conns: writers, warmup: cfg.warmup, duration: cfg.duration, want: http.StatusOK, pids: pids,
			request: func(w int, _ *rand.Rand) (string, string, []byte) {
				i := int(n.Add(1))
				return http.MethodPost, ins[w%len(ins)].url + "/subjects/reg-" + strconv.Itoa(i) + "-value/versions", registerBody(cfg.format, sampleSchema(cfg.format, 1_000_000+i))
			},
		})
		if err != nil {
			return err
		}
		h := &res.hist
		fmt.Fprintf(out, "| %d | %.0f | %s | %s | %s | %d | %s |\n", writers, res.rate(), ms(h.quantile(0.5)), ms(h.quantile(0.99)), res.cpuPerRequest(), res.errors, loadAverage())
		if res.firstErr != nil {
			fmt.Fprintf(out, "first error: %v\n", res.firstErr)
		}
	}
	if len(ins) > 1 && cfg.forward {
		fmt.Fprintf(out, "\nforwarded writes per instance (charter_forwarded_requests_total{result=\"forwarded\"}): %s\n", forwardedCounts(ctx, ins))
	}
	return nil
}

// startRegisterTargets starts the charter instances the register
// scenario drives and says where they keep their log. On Kafka the first
// creates the topic and the others join it; with cfg.forward each may hold
// the writer lease, and it returns once one does.
func startRegisterTargets(ctx context.Context, cfg config, bin, dir string, logger *slog.Logger) ([]*proc, string, error) {
	if cfg.kafkaBrokers == "" {
		c, err := startCharter(ctx, bin, filepath.Join(dir, "data"))
		if err != nil {
			return nil, "", err
		}
		return []*proc{c}, "file log (fsync per acknowledged write)", nil
	}
	topic := fmt.Sprintf("charter-loadtest-%d", time.Now().UnixNano())
	args := []string{"--kafka-brokers", cfg.kafkaBrokers, "--kafka-topic", topic, "--kafka-replication-factor", "1"}
	if cfg.forward {
		args = append(args, "--advertised-url", "http://127.0.0.1:0")
	}
	var ins []*proc
	for i := range cfg.instances {
		logger.Info("starting charter on Kafka", slog.Int("instance", i), slog.String("topic", topic))
		c, err := startServe(ctx, bin, fmt.Sprintf("charter-%d", i), args...)
		if err != nil {
			return ins, "", err
		}
		ins = append(ins, c)
	}
	where := fmt.Sprintf("Kafka topic %s on %s, %d instance(s), writers spread round-robin, forwarding %s", topic, cfg.kafkaBrokers, len(ins), map[bool]string{true: "on", false: "off"}[cfg.forward])
	if cfg.forward {
		if err := waitLeaseHeld(ctx, ins); err != nil {
			return ins, "", err
		}
	}
	return ins, where, nil
}

// waitLeaseHeld polls the instances' metrics until one holds the writer
// lease; the minute is a hang guard.
func waitLeaseHeld(ctx context.Context, ins []*proc) error {
	client := &http.Client{Timeout: 5 * time.Second}
	defer client.CloseIdleConnections()
	deadline := time.Now().Add(time.Minute)
	for {
		for _, c := range ins {
			if b, status, err := do(ctx, client, http.MethodGet, c.url+"/metrics", nil); err == nil && status == http.StatusOK &&
				strings.Contains(string(b), "\ncharter_writer_lease_held 1\n") {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return errors.New("no instance took the writer lease within a minute (does the binary have --advertised-url?)")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// forwardedCounts lists each instance's count of forwarded writes.
func forwardedCounts(ctx context.Context, ins []*proc) string {
	client := &http.Client{Timeout: 5 * time.Second}
	defer client.CloseIdleConnections()
	var parts []string
	for _, c := range ins {
		v := "?"
		if b, status, err := do(ctx, client, http.MethodGet, c.url+"/metrics", nil); err == nil && status == http.StatusOK {
			for line := range strings.SplitSeq(string(b), "\n") {
				if rest, ok := strings.CutPrefix(line, `charter_forwarded_requests_total{result="forwarded"} `); ok {
					v = rest
				}
			}
		}
		parts = append(parts, c.name+" "+v)
	}
	return strings.Join(parts, ", ")
}

// compatScenario checks a cfg.compatFields-field schema against a subject
// of cfg.compatVersions versions at FULL_TRANSITIVE, for each format.
func compatScenario(ctx context.Context, cfg config, bin, dir string, out io.Writer, logger *slog.Logger) error {
	c, err := startCharter(ctx, bin, filepath.Join(dir, "data"))
	if err != nil {
		return err
	}
	defer c.stop()
	client := &http.Client{Timeout: 5 * time.Minute}
	defer client.CloseIdleConnections()
	fmt.Fprintf(out, "\n## Compatibility: POST /compatibility/subjects/{s}/versions, a %d-field schema against %d versions at FULL_TRANSITIVE (all compatible, so every version is compared both ways), %d concurrent, %s after %s warm-up; the time includes parsing the request's schema\n\n",
		cfg.compatFields, cfg.compatVersions, cfg.compatConns, cfg.duration, cfg.warmup)
	fmt.Fprintln(out, "| format | checks/s | p50 | p99 | server CPU ms/check | errors | load average |")
	fmt.Fprintln(out, "|---|---|---|---|---|---|---|")
	for _, typ := range []compat.Type{compat.Avro, compat.Protobuf, compat.JSON} {
		subject := "compat-" + string(typ)
		if b, status, err := do(ctx, client, http.MethodPut, c.url+"/config/"+subject, []byte(`{"compatibility":"FULL_TRANSITIVE"}`)); err != nil || status != http.StatusOK {
			return fmt.Errorf("PUT /config/%s: %d %s %v", subject, status, b, err)
		}
		logger.Info("registering versions", slog.String("format", string(typ)), slog.Int("versions", cfg.compatVersions))
		for v := range cfg.compatVersions {
			if _, err := register(ctx, client, c.url, subject, typ, versionSchema(typ, cfg.compatFields, cfg.compatVersions, v)); err != nil {
				return err
			}
		}
		body := registerBody(typ, wideSchema(typ, cfg.compatFields, cfg.compatFields/2, cfg.compatVersions))
		u := c.url + "/compatibility/subjects/" + subject + "/versions"
		b, status, err := do(ctx, client, http.MethodPost, u, body)
		if err != nil {
			return err
		}
		var verdict struct {
			Compatible bool `json:"is_compatible"`
		}
		if status != http.StatusOK || json.Unmarshal(b, &verdict) != nil || !verdict.Compatible {
			return fmt.Errorf("%s: the checked schema should be compatible: %d %.300s", typ, status, b)
		}
		res, err := drive(ctx, load{
			conns: cfg.compatConns, warmup: cfg.warmup, duration: cfg.duration, want: http.StatusOK, pids: []int{c.pid()},
			request: func(int, *rand.Rand) (string, string, []byte) { return http.MethodPost, u, body },
		})
		if err != nil {
			return err
		}
		h := &res.hist
		cpu := "-"
		if res.cpu > 0 && res.requests > 0 {
			cpu = fmt.Sprintf("%.2f", float64(res.cpu)/float64(res.requests)/float64(time.Millisecond))
		}
		fmt.Fprintf(out, "| %s | %.1f | %s | %s | %s | %d | %s |\n", typ, res.rate(), ms(h.quantile(0.5)), ms(h.quantile(0.99)), cpu, res.errors, loadAverage())
		if res.firstErr != nil {
			fmt.Fprintf(out, "first error: %v\n", res.firstErr)
		}
	}
	return nil
}

// versionSchema is version v (0-based) of versions: Avro and JSON Schema
// grow from half the fields to all but the last few, Protobuf keeps every
// field and renames one per version.
func versionSchema(typ compat.Type, fields, versions, v int) string {
	half := fields / 2
	if typ == compat.Protobuf {
		return wideSchema(typ, fields, half, v)
	}
	return wideSchema(typ, half+v*(fields-half)/versions, half, v)
}

// memoryScenario registers cfg.memorySubjects distinct schemas, one
// subject each, into a fresh charter and reports how its RSS grew.
func memoryScenario(ctx context.Context, cfg config, bin, dir string, out io.Writer, logger *slog.Logger) error {
	c, err := startCharter(ctx, bin, filepath.Join(dir, "data"))
	if err != nil {
		return err
	}
	defer c.stop()
	before, _, ok := processMemory(c.pid())
	if !ok {
		fmt.Fprintln(out, "\n## Memory: no /proc on this system; skipped")
		return nil
	}
	logger.Info("registering subjects", slog.Int("subjects", cfg.memorySubjects))
	start := time.Now()
	if _, err := registerMany(ctx, c.url, "memory", cfg.format, cfg.memorySubjects); err != nil {
		return err
	}
	took := time.Since(start)
	after, peak, _ := processMemory(c.pid())
	perK := float64(after-before) / float64(cfg.memorySubjects) * 1000
	fmt.Fprintf(out, "\n## Memory: %d subjects, one distinct %s schema of about 300 bytes each, into a fresh charter (8 writers, %s)\n\n", cfg.memorySubjects, cfg.format, took.Round(time.Millisecond))
	fmt.Fprintln(out, "| RSS ready | RSS after | peak RSS | RSS per 1k subjects | load average |")
	fmt.Fprintln(out, "|---|---|---|---|---|")
	fmt.Fprintf(out, "| %s | %s | %s | %s | %s |\n", mib(before), mib(after), mib(peak), mib(int64(perK)), loadAverage())
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

func ratio(a, b time.Duration) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func fmtRatios(rs []float64) string {
	s := ""
	for i, r := range rs {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%.2f", r)
	}
	return s
}
