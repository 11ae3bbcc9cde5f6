package registrytest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// Environ returns the test's environment without its CHARTER_* variables,
// followed by kv. A charter process a test starts gets its configuration
// from the test alone: with CHARTER_KAFKA_BROKERS exported (as
// scripts/test.sh exports it for the Kafka tests) a server meant for a
// file log would otherwise store in Kafka.
func Environ(kv ...string) []string {
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "CHARTER_") {
			env = append(env, e)
		}
	}
	return append(env, kv...)
}

// Process is a `charter serve` started by Serve.
type Process struct {
	Cmd *exec.Cmd
	// Addr is the address the server bound and reported in its
	// "charter serving" log line.
	Addr string

	mu     sync.Mutex
	stderr bytes.Buffer
	lines  []string
	logged chan struct{} // closed and replaced on every new log line
}

// Serve starts cmd, a `charter serve` command (with Environ() when it
// has no environment of its own), listening on a port the kernel picks
// (CHARTER_ADDR=127.0.0.1:0 is appended to its environment,
// with the info log level that names the bound address), and returns once
// the server has reported its address and answers /readyz with 200. No
// port is guessed, so nothing else can take it between a check and the
// bind. When the test ends it sends stop to the process and waits for it;
// if the test failed, it logs the server's stderr.
func Serve(t testing.TB, cmd *exec.Cmd, stop os.Signal) *Process {
	t.Helper()
	if cmd.Env == nil {
		cmd.Env = Environ()
	}
	cmd.Env = append(cmd.Env, "CHARTER_ADDR=127.0.0.1:0", "CHARTER_LOG_LEVEL=info")
	p := &Process{Cmd: cmd, logged: make(chan struct{})}
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.read(pipe)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(stop)
		<-done
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("server stderr:\n%s", p.Stderr())
		}
	})
	line := p.WaitLog(t, `"msg":"charter serving"`)
	var entry struct{ Addr string }
	if err := json.Unmarshal([]byte(line), &entry); err != nil || entry.Addr == "" {
		t.Fatalf("cannot read the address from %q: %v", line, err)
	}
	p.Addr = entry.Addr
	WaitReady(t, "http://"+p.Addr)
	return p
}

// read copies the server's stderr into p, line by line, until it ends.
func (p *Process) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		p.mu.Lock()
		p.stderr.Write(sc.Bytes())
		p.stderr.WriteByte('\n')
		p.lines = append(p.lines, sc.Text())
		close(p.logged)
		p.logged = make(chan struct{})
		p.mu.Unlock()
	}
	p.mu.Lock()
	close(p.logged)
	p.logged = nil
	p.mu.Unlock()
}

// Stderr returns what the server has written to stderr so far.
func (p *Process) Stderr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

// Lines returns how many log lines the server has written so far, to pass
// to WaitLogAfter.
func (p *Process) Lines() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.lines)
}

// WaitLog waits for a log line containing substr and returns it. It fails
// the test if the process ends first or after a minute (a hang guard, not
// a speed check).
func (p *Process) WaitLog(t testing.TB, substr string) string {
	t.Helper()
	return p.WaitLogAfter(t, 0, substr)
}

// WaitLogAfter is WaitLog for lines written after the first n.
func (p *Process) WaitLogAfter(t testing.TB, n int, substr string) string {
	t.Helper()
	guard := time.After(time.Minute)
	for {
		p.mu.Lock()
		for _, l := range p.lines[min(n, len(p.lines)):] {
			if strings.Contains(l, substr) {
				p.mu.Unlock()
				return l
			}
		}
		n = len(p.lines)
		wait := p.logged
		p.mu.Unlock()
		if wait == nil {
			t.Fatalf("the server exited without logging %q", substr)
		}
		select {
		case <-wait:
		case <-guard:
			t.Fatalf("the server logged no %q within a minute", substr)
		}
	}
}

// WaitReady polls base's /readyz until it answers 200, failing the test
// after a minute (a hang guard).
func WaitReady(t testing.TB, base string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		if res, err := http.Get(base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never became ready", base)
		}
		time.Sleep(20 * time.Millisecond) // the pace of a poll, not a wait for an event
	}
}
