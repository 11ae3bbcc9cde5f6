package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/charter-registry/charter/internal/cputime"
)

// load says how to drive one target.
type load struct {
	conns    int
	warmup   time.Duration
	duration time.Duration
	// request returns worker w's next request, its rng its own.
	request func(w int, rng *rand.Rand) (method, url string, body []byte)
	// want is the status every response must have.
	want int
	// pids are the server processes whose CPU time, summed, the result
	// reports.
	pids []int
}

// processesCPU is the CPU time the processes pids have used, summed; false
// when one of them cannot be read.
func processesCPU(pids []int) (time.Duration, bool) {
	var sum time.Duration
	for _, pid := range pids {
		if pid <= 0 {
			return 0, false
		}
		d, ok := cputime.OfProcess(pid)
		if !ok {
			return 0, false
		}
		sum += d
	}
	return sum, len(pids) > 0
}

// result is what one target achieved in the measured window.
type result struct {
	requests uint64
	errors   uint64
	firstErr error
	window   time.Duration
	dials    int64
	// cpu is the CPU time the server process used during the window;
	// zero when unknown.
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

// cpuPerRequest is the server's CPU time per measured request, in µs.
func (r *result) cpuPerRequest() string {
	if r.cpu <= 0 || r.requests == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f", float64(r.cpu)/float64(r.requests)/float64(time.Microsecond))
}

// worker is one connection's loop state.
type worker struct {
	hist     histogram
	requests uint64
	errors   uint64
	firstErr error
}

// drive sends l's requests from l.conns workers, each on its own
// keep-alive connection, for the warm-up and then the measured window, and
// counts the requests that complete inside the window.
func drive(ctx context.Context, l load) (*result, error) {
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
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}

	begin := time.Now()
	from := begin.Add(l.warmup)
	to := from.Add(l.duration)
	// The window closes at to, or, when no request has completed in it by
	// then (a loaded machine can hold a short window's every request), at
	// the first one that does, answered or failed: a result always has a
	// request in it, and its rate is over the window it really had.
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		firstDone = make(chan struct{})
		once      sync.Once
		closed    time.Time
		stopped   = make(chan struct{})
	)
	completed := func() { once.Do(func() { close(firstDone) }) }
	go func() {
		defer close(stopped)
		t := time.NewTimer(time.Until(to))
		defer t.Stop()
		select {
		case <-t.C:
		case <-rctx.Done():
			return
		}
		select {
		case <-firstDone:
		case <-rctx.Done():
			return
		}
		closed = time.Now()
		cancel()
	}()

	workers := make([]worker, l.conns)
	cpuFrom := make(chan time.Duration, 1)
	timer := time.AfterFunc(l.warmup, func() {
		if d, ok := processesCPU(l.pids); ok {
			cpuFrom <- d
		}
	})
	defer timer.Stop()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			workers[w].run(rctx, client, l, w, rand.New(rand.NewPCG(uint64(w), 0x636861727465)), from, completed)
		})
	}
	wg.Wait()
	<-stopped
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res := &result{window: closed.Sub(from), dials: dials.Load()}
	select {
	case from := <-cpuFrom:
		if to, ok := processesCPU(l.pids); ok {
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

// run sends requests until ctx ends, counting those that complete from
// from on (the window's end is ctx's), and calls completed after each one
// counted, answered or failed.
func (w *worker) run(ctx context.Context, client *http.Client, l load, id int, rng *rand.Rand, from time.Time, completed func()) {
	for ctx.Err() == nil {
		method, u, body := l.request(id, rng)
		start := time.Now()
		err := send(ctx, client, method, u, body, l.want)
		end := time.Now()
		if end.Before(from) {
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
			completed()
			continue
		}
		if ctx.Err() != nil {
			return // completed after the window closed
		}
		w.requests++
		w.hist.record(end.Sub(start))
		completed()
	}
}

// send makes one request and reads its response to the end, so that the
// connection is reused.
func send(ctx context.Context, client *http.Client, method, u string, body []byte, want int) error {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, r)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	}
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	var msg bytes.Buffer
	if res.StatusCode != want {
		_, err = io.Copy(&msg, io.LimitReader(res.Body, 512))
	}
	if err == nil {
		_, err = io.Copy(io.Discard, res.Body)
	}
	res.Body.Close()
	if err != nil {
		return err
	}
	if res.StatusCode != want {
		return fmt.Errorf("%s %s: %s: %s", method, u, res.Status, msg.Bytes())
	}
	return nil
}
