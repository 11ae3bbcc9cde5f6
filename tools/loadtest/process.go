package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"
)

// proc is a server the tool started as a process of its own: charter
// serve, or the ceiling.
type proc struct {
	name string
	url  string
	cmd  *exec.Cmd
	// logBytes counts what the process wrote to stderr (charter's
	// request log), read by the tool as a log collector would.
	logBytes atomic.Int64
	drained  chan struct{}
}

// buildCharter builds cmd/charter into dir with the go tool, from the
// module the tool is run in, and returns the binary's path.
func buildCharter(ctx context.Context, dir string) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("not inside charter's module: run from the repository or pass -charter")
	}
	bin := filepath.Join(dir, "charter")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/charter")
	cmd.Dir = filepath.Dir(mod)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/charter: %w\n%s", err, out)
	}
	return bin, nil
}

// environ is the tool's environment without CHARTER_* variables, so that
// the charter it starts is configured by its flags alone (an exported
// CHARTER_KAFKA_BROKERS would move it to Kafka).
func environ(kv ...string) []string {
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "CHARTER_") && !strings.HasPrefix(e, ceilingEnvPrefix) {
			env = append(env, e)
		}
	}
	return append(env, kv...)
}

// startCharter runs `charter serve` with its default settings on a file
// log in dataDir, on a port the kernel picks, and returns once it
// answers /readyz.
func startCharter(ctx context.Context, bin, dataDir string) (*proc, error) {
	return startServe(ctx, bin, "charter", "--data-dir", dataDir)
}

// startServe runs `charter serve` with args on a port the kernel picks
// and returns once it answers /readyz.
func startServe(ctx context.Context, bin, name string, args ...string) (*proc, error) {
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = environ()
	p := &proc{name: name, cmd: cmd, drained: make(chan struct{})}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	addr := make(chan string, 1)
	go func() {
		defer close(p.drained)
		r := bufio.NewReaderSize(stderr, 64<<10)
		found := false
		for {
			line, err := r.ReadSlice('\n')
			p.logBytes.Add(int64(len(line)))
			if !found && strings.Contains(string(line), `"msg":"charter serving"`) {
				var entry struct{ Addr string }
				if json.Unmarshal(line, &entry) == nil && entry.Addr != "" {
					addr <- entry.Addr
					found = true
				}
			}
			if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
				return
			}
		}
	}()
	select {
	case a := <-addr:
		p.url = "http://" + a
	case <-p.drained:
		_ = cmd.Wait()
		return nil, fmt.Errorf("charter serve exited before serving: %v", cmd.ProcessState)
	case <-time.After(time.Minute):
		p.stop()
		return nil, errors.New("charter serve did not report its address within a minute")
	case <-ctx.Done():
		p.stop()
		return nil, ctx.Err()
	}
	if err := waitReady(ctx, p.url); err != nil {
		p.stop()
		return nil, err
	}
	return p, nil
}

// waitReady polls /readyz until it answers 200: charter replays its log
// before it is ready. The minute is a hang guard.
func waitReady(ctx context.Context, base string) error {
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(time.Minute)
	for delay := time.Millisecond; ; delay = min(2*delay, 100*time.Millisecond) {
		if _, status, err := do(ctx, client, http.MethodGet, base+"/readyz", nil); err == nil && status == http.StatusOK {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s/readyz: not ready within a minute", base)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
	}
}

// stop ends the process with SIGTERM (a graceful shutdown) and waits.
func (p *proc) stop() {
	if p == nil || p.cmd.Process == nil {
		return
	}
	_ = p.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() {
		if p.drained != nil {
			<-p.drained
		}
		_ = p.cmd.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

// do sends one request and reads the whole response.
func do(ctx context.Context, client *http.Client, method, u string, body []byte) ([]byte, int, error) {
	var r io.Reader
	if body != nil {
		r = strings.NewReader(string(body))
	}
	req, err := http.NewRequestWithContext(ctx, method, u, r)
	if err != nil {
		return nil, 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	}
	res, err := client.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	return b, res.StatusCode, err
}
