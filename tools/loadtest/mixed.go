package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// mixedSample is one reading of charter's memory during the mixed load.
type mixedSample struct {
	at            time.Duration
	rss           int64
	registrations int64
}

// mixedScenario holds a sustained mixed load on one charter for
// cfg.mixedDuration: -mixed-readers connections reading schemas by id and
// subjects' latest versions, -mixed-writers connections registering (new
// versions of the preloaded subjects, new subjects) and checking
// compatibility. It samples charter's RSS as it goes, then restarts
// charter on the same log and reads its RSS once it is ready: memory that
// scales with the data comes back after a restart, memory that the load
// left behind (a leak, a cache without a bound) does not.
func mixedScenario(ctx context.Context, cfg config, bin, dir string, out io.Writer, logger *slog.Logger) error {
	data := filepath.Join(dir, "data")
	c, err := startCharter(ctx, bin, data)
	if err != nil {
		return err
	}
	defer func() { c.stop() }()
	if _, _, ok := processMemory(c.pid()); !ok {
		fmt.Fprintln(out, "\n## Mixed load memory: no /proc on this system; skipped")
		return nil
	}
	subjects := cfg.schemas
	logger.Info("preloading subjects", slog.Int("subjects", subjects))
	ids, err := registerEach(ctx, c.url, "mixed", "AVRO", subjects, func(i int) string { return evolvingSchema(i, 0) })
	if err != nil {
		return fmt.Errorf("preload: %w", err)
	}
	var (
		registrations atomic.Int64
		next          atomic.Int64
		versions      = make([]atomic.Int64, subjects)
	)
	reads := load{
		conns: cfg.mixedReaders, duration: cfg.mixedDuration, want: http.StatusOK, pids: []int{c.pid()},
		request: func(_ int, rng *rand.Rand) (string, string, []byte) {
			if rng.IntN(4) == 0 {
				return http.MethodGet, c.url + "/subjects/mixed-" + strconv.Itoa(rng.IntN(subjects)) + "-value/versions/latest", nil
			}
			return http.MethodGet, c.url + "/schemas/ids/" + strconv.Itoa(ids[rng.IntN(len(ids))]), nil
		},
	}
	writes := load{
		conns: cfg.mixedWriters, duration: cfg.mixedDuration, want: http.StatusOK, pids: []int{c.pid()},
		request: func(_ int, rng *rand.Rand) (string, string, []byte) {
			s := rng.IntN(subjects)
			subject := "mixed-" + strconv.Itoa(s) + "-value"
			switch rng.IntN(4) {
			case 0:
				// A compatibility check against the subject's latest version.
				return http.MethodPost, c.url + "/compatibility/subjects/" + subject + "/versions/latest", registerBody("AVRO", evolvingSchema(s, int(versions[s].Load())+1))
			case 1:
				// A new subject with a schema of its own.
				n := int(next.Add(1))
				registrations.Add(1)
				return http.MethodPost, c.url + "/subjects/mixed-new-" + strconv.Itoa(n) + "-value/versions", registerBody("AVRO", sampleSchema("AVRO", 3_000_000+n))
			default:
				// A new (BACKWARD-compatible) version of a preloaded subject.
				registrations.Add(1)
				return http.MethodPost, c.url + "/subjects/" + subject + "/versions", registerBody("AVRO", evolvingSchema(s, int(versions[s].Add(1))))
			}
		},
	}
	fmt.Fprintf(out, "\n## Mixed load memory: %d Avro subjects preloaded, then %s of %d readers (GET /schemas/ids/{id} 3 in 4, the latest version of a subject 1 in 4) and %d writers (new versions 2 in 4, new subjects 1 in 4, compatibility checks 1 in 4)\n\n",
		subjects, cfg.mixedDuration, cfg.mixedReaders, cfg.mixedWriters)
	var samples []mixedSample
	sample := func(at time.Duration) {
		if rss, _, ok := processMemory(c.pid()); ok {
			samples = append(samples, mixedSample{at: at, rss: rss, registrations: registrations.Load()})
		}
	}
	sample(0)
	start := time.Now()
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg         sync.WaitGroup
		rres, wres *result
		rerr, werr error
	)
	wg.Go(func() { rres, rerr = drive(lctx, reads) })
	wg.Go(func() { wres, werr = drive(lctx, writes) })
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	tick := time.NewTicker(cfg.mixedDuration / 8)
	defer tick.Stop()
wait:
	for {
		select {
		case <-done:
			break wait
		case <-tick.C:
			sample(time.Since(start))
		}
	}
	if rerr != nil || werr != nil {
		return fmt.Errorf("mixed load: reads %v, writes %v", rerr, werr)
	}
	if at := time.Since(start); at-samples[len(samples)-1].at > time.Second {
		sample(at)
	}
	end := samples[len(samples)-1]
	_, peak, _ := processMemory(c.pid())

	logger.Info("restarting charter on the same log")
	c.stop()
	c = nil
	r, err := startCharter(ctx, bin, data)
	if err != nil {
		return fmt.Errorf("restart: %w", err)
	}
	restarted, _, _ := processMemory(r.pid())
	r.stop()

	fmt.Fprintln(out, "| elapsed | RSS | registrations sent |")
	fmt.Fprintln(out, "|---|---|---|")
	for _, s := range samples {
		fmt.Fprintf(out, "| %s | %s | %d |\n", s.at.Round(time.Second), mib(s.rss), s.registrations)
	}
	fmt.Fprintln(out)
	fmt.Fprintf(out, "reads %.0f/s (%d errors), writes %.0f/s (%d errors), load average %s\n", rres.rate(), rres.errors, wres.rate(), wres.errors, loadAverage())
	for _, r := range []*result{rres, wres} {
		if r.firstErr != nil {
			fmt.Fprintf(out, "first error: %v\n", r.firstErr)
		}
	}
	fmt.Fprintf(out, "RSS at start %s, at the end %s (peak %s); the same log restarted: %s, so the load left %s beyond what its data needs\n",
		mib(samples[0].rss), mib(end.rss), mib(peak), mib(restarted), mib(end.rss-restarted))
	return nil
}

// evolvingSchema is version v of subject s's Avro record in the mixed
// load: every version differs from the one before only in a default, so
// each is BACKWARD compatible with all the others and has an id of its
// own.
func evolvingSchema(s, v int) string {
	return fmt.Sprintf(`{"type":"record","name":"Order","namespace":"com.acme.mixed.s%d","fields":[`+
		`{"name":"id","type":"string"},{"name":"customer","type":"long"},`+
		`{"name":"amount","type":"double","default":0},`+
		`{"name":"tag","type":"string","default":"v%d"}]}`, s, v)
}
