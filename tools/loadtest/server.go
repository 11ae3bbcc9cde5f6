package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// server is an http.Server on a random 127.0.0.1 port.
type server struct {
	url  string
	srv  *http.Server
	done chan error

	stopOnce sync.Once
	stopErr  error
}

// listen serves h on 127.0.0.1 until stop is called.
func listen(h http.Handler) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &server{
		url:  "http://" + ln.Addr().String(),
		srv:  &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: time.Minute},
		done: make(chan error, 1),
	}
	go func() { s.done <- s.srv.Serve(ln) }()
	return s, nil
}

// stop shuts the server down, waiting at most a few seconds for requests
// in flight. Calls after the first return the first one's result.
func (s *server) stop(ctx context.Context) error {
	s.stopOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		s.stopErr = s.srv.Shutdown(ctx)
		if s.stopErr != nil {
			_ = s.srv.Close()
		}
		if err := <-s.done; !errors.Is(err, http.ErrServerClosed) {
			s.stopErr = err
		}
	})
	return s.stopErr
}

// ceiling returns a handler that answers every request with body: the
// least any server has to do to send the same bytes over HTTP/1.1.
func ceiling(body []byte, contentType string) http.Handler {
	length := strconv.Itoa(len(body))
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h.Set("Content-Type", contentType)
		h.Set("Content-Length", length)
		_, _ = w.Write(body)
	})
}
