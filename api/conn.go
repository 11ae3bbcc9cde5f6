package api

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/charter-registry/charter/confluent"
)

// ConnConfig bounds what one client can hold of the server: how long it may
// take to send a request, to read a response and to sit idle between
// requests, how large its headers may be, and how many connections all
// clients together may have open. Without these, clients that trickle a
// body or hold keep-alive connections open keep their sockets forever and
// exhaust the process's file descriptors.
type ConnConfig struct {
	// ReadHeaderTimeout bounds reading a request's headers.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a whole request, body included, from its
	// first byte. net/http lifts the read deadline once the body has been
	// read, so it never cuts a handler that waits for the log, nor a long
	// poll.
	ReadTimeout time.Duration
	// WriteTimeout bounds a request from the end of its headers to the end
	// of its response. It must exceed the request timeout, so that a
	// request that times out waiting for the log can still say so; the long
	// poll of GET /v1/changes waits less than the request timeout.
	WriteTimeout time.Duration
	// IdleTimeout bounds how long a keep-alive connection may wait for its
	// next request.
	IdleTimeout time.Duration
	// MaxHeaderBytes limits the request line and headers.
	MaxHeaderBytes int
	// MaxConnections caps the connections open at once; a connection
	// beyond it is answered 503 (error code 50301) and closed. Zero means
	// no cap.
	MaxConnections int
}

// DefaultConnConfig returns the limits `charter serve` uses by default.
func DefaultConnConfig() ConnConfig {
	return ConnConfig{
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
		MaxConnections:    1024,
	}
}

// Validate checks the limits against the request timeout the API uses.
func (c ConnConfig) Validate(requestTimeout time.Duration) error {
	var errs []error
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"read header timeout", c.ReadHeaderTimeout}, {"read timeout", c.ReadTimeout}, {"write timeout", c.WriteTimeout}, {"idle timeout", c.IdleTimeout}} {
		if d.v <= 0 {
			errs = append(errs, fmt.Errorf("%s %s: must be positive", d.name, d.v))
		}
	}
	if c.WriteTimeout > 0 && c.WriteTimeout <= requestTimeout {
		errs = append(errs, fmt.Errorf("write timeout %s: must exceed the request timeout %s, or a request that times out could not answer", c.WriteTimeout, requestTimeout))
	}
	if c.MaxHeaderBytes < 4<<10 {
		errs = append(errs, fmt.Errorf("max header bytes %d: must be at least 4096", c.MaxHeaderBytes))
	}
	if c.MaxConnections < 0 {
		errs = append(errs, fmt.Errorf("max connections %d: must not be negative", c.MaxConnections))
	}
	return errors.Join(errs...)
}

// HTTPServer returns an http.Server that serves s with c's timeouts and
// header limit. Serve it on a listener from (*Server).Listener to apply the
// connection cap as well.
//
// The header limit is enforced by the API, which answers a request whose
// request line and headers exceed c.MaxHeaderBytes with 431 and a
// Confluent-style error body (error code 431). net/http itself is given
// twice the limit, so that such requests reach the API; beyond that
// (twice the limit plus net/http's 4 KiB of slack) net/http still refuses
// them itself, with its plain-text 431, without reading them into memory.
func (s *Server) HTTPServer(c ConnConfig) *http.Server {
	s.maxHeaderBytes.Store(int64(c.MaxHeaderBytes))
	return &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: c.ReadHeaderTimeout,
		ReadTimeout:       c.ReadTimeout,
		WriteTimeout:      c.WriteTimeout,
		IdleTimeout:       c.IdleTimeout,
		MaxHeaderBytes:    2 * c.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
		ConnState:         s.conns.track,
	}
}

// Listener wraps ln so that at most max connections are open at once
// (none if max is 0). A connection beyond the cap is answered 503 with
// Retry-After and a Confluent error body, and closed; it is never queued,
// so a flood cannot hold the server's accept loop.
func (s *Server) Listener(ln net.Listener, max int) net.Listener {
	if max <= 0 {
		return ln
	}
	return &limitListener{Listener: ln, s: s, max: int64(max), rejecting: make(chan struct{}, 64)}
}

// connStats counts the connections the server has open, for the metrics.
type connStats struct {
	open     atomic.Int64
	rejected atomic.Int64
}

// track is the http.Server's ConnState hook.
func (c *connStats) track(_ net.Conn, st http.ConnState) {
	switch st {
	case http.StateNew:
		c.open.Add(1)
	case http.StateClosed, http.StateHijacked:
		c.open.Add(-1)
	}
}

func (c *connStats) collectors() []prometheus.Collector {
	return []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "charter_http_connections_open", Help: "HTTP connections open now."}, func() float64 {
			return float64(c.open.Load())
		}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "charter_http_connections_rejected_total", Help: "Connections answered 503 and closed because the connection cap was reached."}, func() float64 {
			return float64(c.rejected.Load())
		}),
	}
}

type limitListener struct {
	net.Listener
	s   *Server
	max int64
	n   atomic.Int64
	// rejecting bounds the goroutines that answer rejected connections;
	// beyond it a rejected connection is closed without an answer.
	rejecting chan struct{}
}

func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if l.n.Add(1) <= l.max {
			return &limitedConn{Conn: c, release: func() { l.n.Add(-1) }}, nil
		}
		l.n.Add(-1)
		l.s.conns.rejected.Add(1)
		select {
		case l.rejecting <- struct{}{}:
			go func() {
				defer func() { <-l.rejecting }()
				rejectConn(c, l.max)
			}()
		default:
			c.Close()
		}
	}
}

// rejectConn answers a connection beyond the cap and closes it. It reads
// what the client sent first (briefly), so that closing does not reset the
// connection before the client has read the answer.
func rejectConn(c net.Conn, max int64) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	buf := make([]byte, 4096)
	_, _ = c.Read(buf)
	body := fmt.Sprintf(`{"error_code":%d,"message":"The server has its limit of %d connections open; retry later"}`, confluent.CodeUnavailable, max)
	_, _ = fmt.Fprintf(c, "HTTP/1.1 503 Service Unavailable\r\nContent-Type: %s\r\nContent-Length: %d\r\nRetry-After: 1\r\nConnection: close\r\n\r\n%s",
		contentTypeV1, len(body), body)
	if tc, ok := c.(interface{ CloseWrite() error }); ok {
		_ = tc.CloseWrite()
	}
	for {
		if _, err := c.Read(buf); err != nil {
			return
		}
	}
}

// limitedConn gives its slot back when closed.
type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// retryAfter is the Retry-After header value for d, in whole seconds, at
// least 1.
func retryAfter(d time.Duration) string {
	return strconv.Itoa(max(1, int((d+time.Second-1)/time.Second)))
}

// headerLimitMiddleware answers 431 when the request line and headers are
// larger than the limit HTTPServer was given (none before it is called).
func (s *Server) headerLimitMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		limit := s.maxHeaderBytes.Load()
		if limit <= 0 {
			return next(c)
		}
		if n := headerBytes(c.Request()); int64(n) > limit {
			return &httpError{http.StatusRequestHeaderFieldsTooLarge, http.StatusRequestHeaderFieldsTooLarge,
				fmt.Sprintf("Request header fields too large: the request line and headers are %d bytes, over the limit of %d bytes", n, limit)}
		}
		return next(c)
	}
}

// headerBytes is the size of r's request line and headers as sent, less
// any whitespace net/http trimmed: "GET /x HTTP/1.1\r\n", one
// "Name: value\r\n" per value (Host included) and the blank line.
func headerBytes(r *http.Request) int {
	n := len(r.Method) + 1 + len(r.RequestURI) + 1 + len(r.Proto) + 2
	if r.Host != "" {
		n += len("Host: ") + len(r.Host) + 2
	}
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + 2 + len(v) + 2
		}
	}
	return n + 2
}
