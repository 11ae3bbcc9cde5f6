package registrytest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/charter-registry/charter/internal/poll"
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

// Process is a `charter serve` started by Serve or Launch.
type Process struct {
	Cmd *exec.Cmd
	// Addr is the address the server bound and reported in its
	// "charter serving" log line.
	Addr string

	mu     sync.Mutex
	stderr bytes.Buffer
	lines  []string
	logged chan struct{} // closed and replaced on every new log line
	exited chan struct{} // closed once the process has exited
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
	p := Launch(t, cmd, stop)
	WaitReady(t, "http://"+p.Addr)
	return p
}

// Launch is Serve without the wait for readiness: it returns as soon as
// the server has bound its port and reported it, for a test that watches
// the server become ready (or not). A flag --addr on cmd's command line
// wins over the CHARTER_ADDR Launch sets, so cmd must give 127.0.0.1:0 or
// no --addr at all.
func Launch(t testing.TB, cmd *exec.Cmd, stop os.Signal) *Process {
	t.Helper()
	p := Spawn(t, cmd, stop)
	p.WaitAddr(t)
	return p
}

// Spawn is Launch without the wait for the bound address, for a test that
// starts a server which cannot bind yet (its Kafka log is unreachable, so
// opening the log has not finished): it watches the log with WaitLog and
// calls WaitAddr once the server can go on.
func Spawn(t testing.TB, cmd *exec.Cmd, stop os.Signal) *Process {
	t.Helper()
	if cmd.Env == nil {
		cmd.Env = Environ()
	}
	cmd.Env = append(cmd.Env, "CHARTER_ADDR=127.0.0.1:0", "CHARTER_LOG_LEVEL=info")
	p := &Process{Cmd: cmd, logged: make(chan struct{}), exited: make(chan struct{})}
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(p.exited)
		p.read(pipe)
		_ = cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(stop)
		<-p.exited
		if t.Failed() {
			t.Logf("server stderr:\n%s", p.StderrWithoutRequests())
		}
	})
	return p
}

// WaitAddr waits until the server has bound its port and reported it,
// and sets p.Addr.
func (p *Process) WaitAddr(t testing.TB) {
	t.Helper()
	// Opening a Kafka log comes before the bind and may take a while on a
	// loaded machine: the guard is longer than WaitLog's.
	line := p.waitLog(t, 0, `"msg":"charter serving"`, 3*time.Minute)
	var entry struct{ Addr string }
	if err := json.Unmarshal([]byte(line), &entry); err != nil || entry.Addr == "" {
		t.Fatalf("cannot read the address from %q: %v", line, err)
	}
	p.Addr = entry.Addr
}

// Exited is closed once the process has exited.
func (p *Process) Exited() <-chan struct{} { return p.exited }

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

// StderrWithoutRequests is Stderr without the request log lines, which
// drown everything else a failing server said; a line counts them.
func (p *Process) StderrWithoutRequests() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var b strings.Builder
	requests := 0
	for _, l := range p.lines {
		if strings.Contains(l, `"msg":"request"`) {
			requests++
			continue
		}
		b.WriteString(l)
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "(%d request log lines left out)\n", requests)
	return b.String()
}

// Dump makes a running server print every goroutine's stack to stderr
// and exit (Go's answer to SIGQUIT), and waits for it: what a hung
// server was doing then lands in the log a failing test prints.
func (p *Process) Dump() {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.Cmd.Process.Signal(syscall.SIGQUIT)
	<-p.exited
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
	return p.waitLog(t, n, substr, time.Minute)
}

func (p *Process) waitLog(t testing.TB, n int, substr string, d time.Duration) string {
	t.Helper()
	guard := time.After(d)
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
			t.Fatalf("the server logged no %q within %v", substr, d)
		}
	}
}

// WaitReady checks base's /readyz until it answers 200, failing the test
// after a minute (a hang guard). Readiness is announced by no log line,
// so it is polled.
func WaitReady(t testing.TB, base string) {
	t.Helper()
	poll.Until(t, time.Minute, base+" ready", func() bool {
		res, err := http.Get(base + "/readyz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	})
}
