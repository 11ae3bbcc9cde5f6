package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"
)

// server is an http.Server on a random 127.0.0.1 port.
type server struct {
	url  string
	srv  *http.Server
	done chan error
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
// in flight.
func (s *server) stop(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if err != nil {
		_ = s.srv.Close()
	}
	if serr := <-s.done; !errors.Is(serr, http.ErrServerClosed) {
		return serr
	}
	return err
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
