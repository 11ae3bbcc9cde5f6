package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"text/tabwriter"
	"time"
)

// run measures charter (in-process, or cfg.target) and then the ceiling
// server, and writes the comparison to out.
func run(ctx context.Context, cfg config, out io.Writer, logger *slog.Logger) error {
	client := &http.Client{Timeout: 30 * time.Second}
	base := cfg.target
	var ids []int
	if base == "" {
		c, err := startCharter(ctx)
		if err != nil {
			return err
		}
		defer c.close(ctx)
		base = c.url
		logger.Info("preloading schemas", slog.Int("schemas", cfg.schemas), slog.String("format", string(cfg.format)), slog.String("url", base))
		start := time.Now()
		ids, err = c.preload(ctx, cfg.format, cfg.schemas)
		if err != nil {
			return fmt.Errorf("preload: %w", err)
		}
		logger.Info("preloaded", slog.Duration("took", time.Since(start)))
	} else {
		var err error
		ids, err = remoteIDs(ctx, client, base, cfg.schemas)
		if err != nil {
			return err
		}
	}
	body, contentType, err := typicalResponse(ctx, client, base, ids)
	if err != nil {
		return err
	}
	client.CloseIdleConnections()

	ceil, err := listen(ceiling(body, contentType))
	if err != nil {
		return err
	}
	defer ceil.stop(ctx)

	// Alternating the targets round by round keeps a change in the
	// machine's other load from landing on one target only.
	charterRes := &result{name: "charter"}
	ceilRes := &result{name: "ceiling"}
	var rounds []roundRates
	for r := range cfg.rounds {
		l := load{base: base, ids: ids, conns: cfg.conns, warmup: cfg.warmup, duration: cfg.duration}
		logger.Info("driving charter", slog.Int("round", r+1), slog.String("url", base), slog.Int("conns", cfg.conns), slog.Duration("duration", cfg.duration))
		a, err := drive(ctx, "charter", l)
		if err != nil {
			return err
		}
		l.base = ceil.url
		logger.Info("driving ceiling", slog.Int("round", r+1), slog.String("url", ceil.url), slog.Int("body_bytes", len(body)))
		b, err := drive(ctx, "ceiling", l)
		if err != nil {
			return err
		}
		charterRes.add(a)
		ceilRes.add(b)
		rounds = append(rounds, roundRates{charter: a.rate(), ceiling: b.rate()})
	}
	if err := ceil.stop(ctx); err != nil {
		return err
	}
	return report(out, cfg, len(ids), len(body), charterRes, ceilRes, rounds)
}

// roundRates are the request rates of one round.
type roundRates struct{ charter, ceiling float64 }

func report(out io.Writer, cfg config, ids, bodyBytes int, charter, ceil *result, rounds []roundRates) error {
	fmt.Fprintf(out, "GET /schemas/ids/{id}: %d connections, %d round(s) of %s per target after %s warm-up each, %d ids, %d-byte body, GOMAXPROCS=%d\n\n",
		cfg.conns, cfg.rounds, cfg.duration, cfg.warmup, ids, bodyBytes, runtime.GOMAXPROCS(0))
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "target\trequests\treq/s\tmean\tp50\tp90\tp99\tp99.9\tmax\terrors\tdials\tCPU/req\t")
	for _, r := range []*result{charter, ceil} {
		h := &r.hist
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\t\n", r.name, r.requests, r.rate(),
			us(h.mean()), us(h.quantile(0.5)), us(h.quantile(0.9)), us(h.quantile(0.99)), us(h.quantile(0.999)), us(h.max), r.errors, r.dials, r.cpuPerRequest())
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range []*result{charter, ceil} {
		if r.firstErr != nil {
			fmt.Fprintf(out, "%s: first error: %v\n", r.name, r.firstErr)
		}
	}
	if len(rounds) > 1 {
		fmt.Fprintln(out)
		for i, r := range rounds {
			q := 0.0
			if r.ceiling > 0 {
				q = r.charter / r.ceiling
			}
			fmt.Fprintf(out, "round %d: charter %.0f req/s, ceiling %.0f req/s, charter/ceiling %.2f\n", i+1, r.charter, r.ceiling, q)
		}
	}
	if ceil.requests == 0 || charter.requests == 0 {
		return fmt.Errorf("no successful requests (charter %d, ceiling %d)", charter.requests, ceil.requests)
	}
	fmt.Fprintf(out, "\ncharter/ceiling over all rounds: req/s %.2f, p50 %.2f, p99 %.2f (latency ratios above 1 mean charter is slower)\n",
		charter.rate()/ceil.rate(),
		ratio(charter.hist.quantile(0.5), ceil.hist.quantile(0.5)),
		ratio(charter.hist.quantile(0.99), ceil.hist.quantile(0.99)))
	if charter.cpu > 0 && ceil.cpu > 0 {
		extra := float64(charter.cpu)/float64(charter.requests) - float64(ceil.cpu)/float64(ceil.requests)
		fmt.Fprintf(out, "charter's extra CPU per request over the ceiling server: %.1fµs (client and server share this process)\n", extra/float64(time.Microsecond))
	}
	return nil
}

// cpuPerRequest is the process's CPU time (client and server) per
// measured request.
func (r *result) cpuPerRequest() string {
	if r.cpu <= 0 || r.requests == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1fµs", float64(r.cpu)/float64(r.requests)/float64(time.Microsecond))
}

func us(d time.Duration) string { return fmt.Sprintf("%.0fµs", float64(d)/float64(time.Microsecond)) }

func ratio(a, b time.Duration) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
