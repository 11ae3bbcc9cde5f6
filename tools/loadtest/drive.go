package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// load says how to drive one target.
type load struct {
	base     string
	ids      []int
	conns    int
	warmup   time.Duration
	duration time.Duration
}

// result is what one target achieved in the measured window.
type result struct {
	name     string
	requests uint64
	errors   uint64
	firstErr error
	window   time.Duration
	dials    int64
	// cpu is the CPU time the whole process (load generator and server
	// alike) used during the window; zero when unknown.
	cpu  time.Duration
	hist histogram
}

func (r *result) rate() float64 {
	if r.window <= 0 {
		return 0
	}
	return float64(r.requests) / r.window.Seconds()
}

// add sums another round of the same target into r.
func (r *result) add(o *result) {
	r.requests += o.requests
	r.errors += o.errors
	if r.firstErr == nil {
		r.firstErr = o.firstErr
	}
	r.window += o.window
	r.dials += o.dials
	r.cpu += o.cpu
	r.hist.merge(&o.hist)
}

// worker is one connection's loop state.
type worker struct {
	hist     histogram
	requests uint64
	errors   uint64
	firstErr error
}

// drive sends GET /schemas/ids/{id} for random ids from l.conns workers,
// each on its own keep-alive connection, for the warm-up and then the
// measured window. It counts requests that complete inside the window.
func drive(ctx context.Context, name string, l load) (*result, error) {
	var dials atomic.Int64
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dials.Add(1)
			return dialer.DialContext(ctx, network, addr)
		},
		MaxIdleConns:        l.conns,
		MaxIdleConnsPerHost: l.conns,
		MaxConnsPerHost:     l.conns,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}

	urls := make([]string, len(l.ids))
	for i, id := range l.ids {
		urls[i] = l.base + "/schemas/ids/" + strconv.Itoa(id)
	}
	begin := time.Now()
	from := begin.Add(l.warmup)
	to := from.Add(l.duration)
	rctx, cancel := context.WithDeadline(ctx, to)
	defer cancel()

	workers := make([]worker, l.conns)
	cpuFrom := make(chan time.Duration, 1)
	timer := time.AfterFunc(l.warmup, func() {
		if d, ok := processCPU(); ok {
			cpuFrom <- d
		}
	})
	defer timer.Stop()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			workers[w].run(rctx, client, urls, rand.New(rand.NewPCG(uint64(w), 0x636861727465)), from, to)
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res := &result{name: name, window: l.duration, dials: dials.Load()}
	select {
	case from := <-cpuFrom:
		if to, ok := processCPU(); ok {
			res.cpu = to - from
		}
	default:
	}
	for i := range workers {
		w := &workers[i]
		res.hist.merge(&w.hist)
		res.requests += w.requests
		res.errors += w.errors
		if res.firstErr == nil {
			res.firstErr = w.firstErr
		}
	}
	return res, nil
}

func (w *worker) run(ctx context.Context, client *http.Client, urls []string, rng *rand.Rand, from, to time.Time) {
	for ctx.Err() == nil {
		u := urls[rng.IntN(len(urls))]
		start := time.Now()
		err := fetch(ctx, client, u)
		end := time.Now()
		if end.Before(from) || end.After(to) {
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			w.errors++
			if w.firstErr == nil {
				w.firstErr = err
			}
			continue
		}
		w.requests++
		w.hist.record(end.Sub(start))
	}
}

// fetch reads one response to the end so that its connection is reused.
func fetch(ctx context.Context, client *http.Client, u string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, res.Status)
	}
	return nil
}
