package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The ceiling is this same program started again with these variables
// set: it then serves one fixed body and nothing else, as its own process,
// so that it and charter each have a process of their own and the load
// generator a third.
const (
	ceilingEnvPrefix = "LOADTEST_CEILING_"
	ceilingBodyEnv   = ceilingEnvPrefix + "BODY"
	ceilingTypeEnv   = ceilingEnvPrefix + "TYPE"
)

// ceilingHandler answers every request with body: the least any server
// has to do to send the same bytes over HTTP/1.1.
func ceilingHandler(body []byte, contentType string) http.Handler {
	length := strconv.Itoa(len(body))
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h.Set("Content-Type", contentType)
		h.Set("Content-Length", length)
		_, _ = w.Write(body)
	})
}

// serveCeilingFromEnv serves the ceiling when this process was started as
// one (see startCeiling) and reports whether it was. It prints the bound
// address on stdout and serves until SIGTERM or SIGINT.
func serveCeilingFromEnv() bool {
	path := os.Getenv(ceilingBodyEnv)
	if path == "" {
		return false
	}
	if err := serveCeiling(path, os.Getenv(ceilingTypeEnv)); err != nil {
		fmt.Fprintln(os.Stderr, "ceiling:", err)
		os.Exit(1)
	}
	return true
}

func serveCeiling(bodyPath, contentType string) error {
	body, err := os.ReadFile(bodyPath)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: ceilingHandler(body, contentType), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: time.Minute}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	fmt.Printf("ceiling serving http://%s\n", ln.Addr())
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	select {
	case <-ctx.Done():
	case err := <-done:
		return err
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// startCeiling starts this program again as the ceiling server for body
// and returns once it has reported its address.
func startCeiling(ctx context.Context, dir string, body []byte, contentType string) (*proc, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "ceiling-body")
	if err := os.WriteFile(path, body, 0o600); err != nil {
		return nil, err
	}
	cmd := exec.Command(self)
	cmd.Env = environ(ceilingBodyEnv+"="+path, ceilingTypeEnv+"="+contentType)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &proc{name: "ceiling", cmd: cmd}
	line := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdout)
		l, _ := r.ReadString('\n')
		line <- l
		_, _ = io.Copy(io.Discard, r)
	}()
	select {
	case l := <-line:
		u, ok := strings.CutPrefix(strings.TrimSpace(l), "ceiling serving ")
		if !ok {
			p.stop()
			return nil, fmt.Errorf("the ceiling process said %q", l)
		}
		p.url = u
		return p, nil
	case <-time.After(time.Minute):
		p.stop()
		return nil, errors.New("the ceiling process did not report its address within a minute")
	case <-ctx.Done():
		p.stop()
		return nil, ctx.Err()
	}
}
