package api

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/charter-registry/charter/registry"
)

// The headers of a forwarded write.
const (
	// ForwardedHeader marks a write another instance forwarded to the
	// writer (its value names that instance): the writer answers it
	// itself and never forwards it again.
	ForwardedHeader = "Charter-Forwarded-By"
	// PositionHeader is the writer's log position after a forwarded
	// write: the instance that forwarded it answers once it has applied
	// the log up to there, so its client reads its own write.
	PositionHeader = "Charter-Log-Position"
)

// ForwardConfig configures the forwarding of writes to the instance
// holding the writer lease.
type ForwardConfig struct {
	// Lease is the writer lease this instance follows (and may hold);
	// nil, writes are never forwarded.
	Lease *registry.WriterLease
	// Client sends the forwarded requests; nil, one with the request
	// timeout as its bound.
	Client *http.Client
}

// forwardKind says what a write route is to forwarding.
type forwardKind int

const (
	notForwarded forwardKind = iota
	// retrySafe writes give the same result when written twice
	// (a registration is found by its schema's identity the second time;
	// a PUT sets the value it names), so one whose forwarded outcome is
	// unknown is written locally.
	retrySafe
	// once writes must not be written twice (a second delete of
	// "latest" deletes another version): one whose forwarded outcome is
	// unknown is answered 500 with code 50003, never written again.
	once
)

// forwardRoutes are the writes of Confluent's API that go to the writer.
// The lookup (POST /subjects/{subject}) and the compatibility checks
// (POST /compatibility/...) are reads, answered where they arrive.
var forwardRoutes = map[string]forwardKind{
	http.MethodPost + " /subjects/:subject/versions":            retrySafe,
	http.MethodDelete + " /subjects/:subject":                   once,
	http.MethodDelete + " /subjects/:subject/versions/:version": once,
	http.MethodPut + " /config":                                 retrySafe,
	http.MethodPut + " /config/:subject":                        retrySafe,
	http.MethodDelete + " /config":                              once,
	http.MethodDelete + " /config/:subject":                     once,
	http.MethodPut + " /mode":                                   retrySafe,
	http.MethodPut + " /mode/:subject":                          retrySafe,
	http.MethodDelete + " /mode":                                once,
	http.MethodDelete + " /mode/:subject":                       once,
}

type forwarder struct {
	lease    *registry.WriterLease
	client   *http.Client
	requests *prometheus.CounterVec
}

func newForwarder(cfg ForwardConfig, reg *prometheus.Registry) *forwarder {
	if cfg.Lease == nil {
		return nil
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Transport: &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 2 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConnsPerHost: 64,
			IdleConnTimeout:     90 * time.Second,
		}}
	}
	f := &forwarder{lease: cfg.Lease, client: cfg.Client,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "charter_forwarded_requests_total",
			Help: "Writes this instance forwarded to the instance holding the writer lease, by result: forwarded (the writer answered), local (not sent or failed before it was written: written here), failed (outcome unknown: answered 50003).",
		}, []string{"result"})}
	for _, r := range []string{"forwarded", "local", "failed"} {
		f.requests.WithLabelValues(r)
	}
	reg.MustRegister(f.requests, prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "charter_writer_lease_held",
		Help: "Whether this instance holds the writer lease, so the other instances forward their writes to it (1) or not (0).",
	}, func() float64 {
		if f.lease.Held() {
			return 1
		}
		return 0
	}))
	return f
}

// forwardMiddleware sends the writes of Confluent's API to the instance
// holding the writer lease when another one does, and answers with its
// answer once this instance has applied the log up to the write. It runs
// after authentication: bad credentials are refused here, counted against
// the client's own address (the writer sees every forwarded request coming
// from this instance's), and only authenticated requests are sent on; the
// writer authenticates and authorises them again. A write
// is answered here instead (exactly as without forwarding: the log's
// fencing keeps it safe) when nobody else holds the lease, the request was
// itself forwarded, it was authenticated by a TLS client certificate
// (which cannot be passed on), or the writer could not take it: not
// reached, or failed before writing (5xx). A write whose outcome is
// unknown (the connection dropped after the request was sent) is written
// here only when writing it twice is harmless (retrySafe); a delete is
// answered 50003 instead.
func (s *Server) forwardMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	f := s.fwd
	if f == nil {
		return next
	}
	return func(c *echo.Context) error {
		r := c.Request()
		kind := forwardRoutes[r.Method+" "+c.Path()]
		if kind == notForwarded {
			return next(c)
		}
		if r.Header.Get(ForwardedHeader) != "" {
			// Written here: tell the forwarding instance how far to read.
			if resp, err := echo.UnwrapResponse(c.Response()); err == nil {
				resp.Before(func() {
					resp.Header().Set(PositionHeader, strconv.FormatInt(s.svc.Position(), 10))
				})
			}
			return next(c)
		}
		if !s.svc.Ready() || (r.TLS != nil && len(r.TLS.PeerCertificates) > 0) {
			return next(c)
		}
		h, ok := f.lease.Holder()
		if !ok {
			return next(c)
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, s.cfg.MaxBodyBytes+1))
		if err != nil {
			return next(c) // the local handler reports the body's error
		}
		restore := func() {
			r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), r.Body))
		}
		if int64(len(body)) > s.cfg.MaxBodyBytes {
			restore()
			return next(c) // answered 413 here
		}
		ctx, cancel := context.WithTimeout(r.Context(), s.cfg.RequestTimeout)
		defer cancel()
		resp, sent, err := f.send(ctx, h, r, requestID(c), body)
		if err == nil && resp.StatusCode >= 500 && kind == retrySafe {
			// The writer failed (not ready, its log unavailable): write
			// here, as without it.
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
			err, sent = errWriterFailed, false
		}
		if err != nil {
			if !sent || kind == retrySafe {
				f.requests.WithLabelValues("local").Inc()
				s.logger.Warn("forwarding a write failed; writing it here", slog.String("writer", h.URL), slog.Any("error", err))
				restore()
				return next(c)
			}
			f.requests.WithLabelValues("failed").Inc()
			return registry.Errorf(registry.CodeRequestForwardingFailed,
				"Error while forwarding the request to the writer %s, which may or may not have applied it: %v; read the state and retry if it did not", h.URL, err)
		}
		defer resp.Body.Close()
		f.requests.WithLabelValues("forwarded").Inc()
		if resp.StatusCode < 300 {
			if pos, err := strconv.ParseInt(resp.Header.Get(PositionHeader), 10, 64); err == nil {
				if err := s.svc.WaitApplied(ctx, pos); err != nil {
					s.logger.Warn("a forwarded write succeeded, but this instance has not applied it yet",
						slog.Int64("position", pos), slog.Any("error", err))
				}
			}
		}
		hdr := c.Response().Header()
		for k, vs := range resp.Header {
			if hopByHop(k) || k == PositionHeader {
				continue
			}
			hdr[k] = vs
		}
		c.Response().WriteHeader(resp.StatusCode)
		_, _ = io.Copy(c.Response(), resp.Body)
		return nil
	}
}

var errWriterFailed = errors.New("the writer answered 5xx")

// send forwards r with body to the writer h; sent reports whether the
// request may have reached it (false: it was never written, because the
// connection was never made or its TLS handshake failed).
func (f *forwarder) send(ctx context.Context, h registry.Holder, r *http.Request, id string, body []byte) (resp *http.Response, sent bool, err error) {
	target := strings.TrimSuffix(h.URL, "/") + r.RequestURI
	var wrote atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(httptrace.WroteRequestInfo) { wrote.Store(true) },
	})
	out, err := http.NewRequestWithContext(ctx, r.Method, target, bytes.NewReader(body))
	if err != nil {
		return nil, false, err
	}
	for k, vs := range r.Header {
		if hopByHop(k) {
			continue
		}
		out.Header[k] = vs
	}
	out.Header.Set(ForwardedHeader, f.lease.Instance())
	// One id names the request in both instances' logs.
	out.Header.Set("X-Request-Id", id)
	resp, err = f.client.Do(out)
	if err != nil {
		// Written at all (even in part, or with an error), it may have
		// been received.
		return nil, wrote.Load(), err
	}
	return resp, true, nil
}

func hopByHop(k string) bool {
	switch http.CanonicalHeaderKey(k) {
	case "Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Connection", "Te", "Trailer", "Transfer-Encoding", "Upgrade", "Content-Length":
		return true
	}
	return false
}
