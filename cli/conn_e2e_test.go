package cli_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charter-registry/charter/confluent"
	"github.com/charter-registry/charter/internal/poll"
	"github.com/charter-registry/charter/internal/registrytest"
)

// serveOnAnyPort starts `charter serve` with args on a port the kernel
// picks and returns its address.
func serveOnAnyPort(t *testing.T, bin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--storage", "memory"}, args...)...)
	return registrytest.Serve(t, cmd, os.Kill).Addr
}

var openConnsRE = regexp.MustCompile(`(?m)^charter_http_connections_open (\d+)`)

// openConns reads the server's count of open connections from /metrics,
// over a connection of its own that it closes afterwards (and so counts).
func openConns(t *testing.T, addr string) int {
	t.Helper()
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	res, err := c.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	m := openConnsRE.FindSubmatch(b)
	if m == nil {
		t.Fatalf("no charter_http_connections_open in /metrics")
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// waitConns polls /metrics until cond holds for the count of open
// connections (the poll's own connection included), or fails after a
// minute.
func waitConns(t *testing.T, addr string, what string, cond func(int) bool) int {
	t.Helper()
	n := 0
	poll.Until(t, time.Minute, what, func() bool {
		n = openConns(t, addr)
		return cond(n)
	})
	return n
}

// closedByServer reads c until the server closes it and fails if that
// takes longer than a minute (the server's timeouts are a few seconds).
func closedByServer(c net.Conn) error {
	_ = c.SetReadDeadline(time.Now().Add(time.Minute))
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("the server kept the connection open for a minute")
	}
	return nil // EOF (nil from io.Copy) or a reset: the server closed it
}

// TestSlowClientsAreDisconnected connects clients that trickle headers,
// trickle a body, or sit idle on a keep-alive connection, and checks from
// outside the process that the server closes every one of their sockets,
// that a normal client is served while they trickle, and that a long
// poll longer than the read timeout is not cut by it.
func TestSlowClientsAreDisconnected(t *testing.T) {
	t.Parallel() // its own charter process on its own port and data
	bin := registrytest.BuildBinary(t)
	addr := serveOnAnyPort(t, bin,
		"--read-header-timeout", "1s", "--read-timeout", "2s", "--idle-timeout", "1s",
		"--request-timeout", "10s", "--write-timeout", "11s", "--max-connections", "1000")

	before := openConns(t, addr)
	const perKind = 60
	var (
		conns []net.Conn
		wg    sync.WaitGroup
	)
	dial := func() net.Conn {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		return c
	}
	trickle := func(c net.Conn, first string, more string) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := io.WriteString(c, first); err != nil {
				return
			}
			// A slow client: a little more every 100 ms, at the pace of
			// the ticker, until the server closes the connection.
			tick := time.NewTicker(100 * time.Millisecond)
			defer tick.Stop()
			for range tick.C {
				if _, err := io.WriteString(c, more); err != nil {
					return // the server closed the connection
				}
			}
		}()
	}
	for range perKind {
		// Headers that never end.
		trickle(dial(), "GET /subjects HTTP/1.1\r\nHost: x\r\n", "X-Slow: 1\r\n")
		// A body that never ends.
		trickle(dial(), "POST /subjects/slow/versions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{", " ")
		// One request, then an idle keep-alive connection.
		c := dial()
		if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		res, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("keep-alive request: %v %v", res, err)
		}
		res.Body.Close()
	}
	// How many of them are still open at this moment depends on how
	// long the loop above took (the server closes the first ones after a
	// second): it is logged, not asserted, so that a busy machine does not
	// fail the test. What is asserted is that the server closes every one
	// of them and serves a normal client meanwhile.
	during := openConns(t, addr)

	// A normal client is served while slow clients trickle; its long
	// poll outlasts the read timeout.
	normal := &http.Client{Timeout: time.Minute}
	res, err := normal.Post("http://"+addr+"/subjects/orders-value/versions", "application/vnd.schemaregistry.v1+json",
		strings.NewReader(`{"schema":"{\"type\":\"string\"}"}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(b), `"id":1`) {
		t.Fatalf("register during the slow clients: %d %s", res.StatusCode, b)
	}
	// Had the read deadline cut it, the request would have been
	// cancelled and answered 5xx.
	res, err = normal.Get("http://" + addr + "/v1/changes?since=1000000&timeout=3")
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("a long poll of 3 s under a 2 s read timeout: %d %s", res.StatusCode, b)
	}

	for i, c := range conns {
		if err := closedByServer(c); err != nil {
			t.Errorf("slow client %d (kind %d): %v", i, i%3, err)
		}
		c.Close()
	}
	wg.Wait()
	normal.CloseIdleConnections()
	after := waitConns(t, addr, "slow clients gone", func(n int) bool { return n <= before })
	t.Logf("open connections: %d before, %d with %d slow clients, %d after the server closed theirs", before, during, len(conns), after)
}

// TestConnectionsBeyondTheCapGet503 fills the connection cap with idle
// clients and checks that one more gets a 503 with a Confluent error body
// and Retry-After, and is served once a slot is free.
func TestConnectionsBeyondTheCapGet503(t *testing.T) {
	t.Parallel() // its own charter process on its own port and data
	bin := registrytest.BuildBinary(t)
	const max = 8
	addr := serveOnAnyPort(t, bin, "--max-connections", strconv.Itoa(max))

	// Hold every slot. A connection left from the readiness poll may
	// still hold one for a moment, so a 503 here is retried.
	var idle []net.Conn
	poll.Until(t, time.Minute, fmt.Sprintf("%d connections holding a slot", max), func() bool {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		// A served request proves that the connection holds a slot.
		if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		res, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err == nil && res.StatusCode == 200 {
			res.Body.Close()
			idle = append(idle, c)
		} else {
			c.Close()
			http.DefaultClient.CloseIdleConnections()
		}
		return len(idle) == max
	})
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: time.Minute}
	res, err := client.Get("http://" + addr + "/subjects")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	body, ok := confluent.DecodeError(b)
	if res.StatusCode != 503 || !ok || body.ErrorCode != confluent.CodeUnavailable ||
		!strings.Contains(body.Message, "limit of 8 connections") || res.Header.Get("Retry-After") != "1" {
		t.Fatalf("beyond the cap: %d %q %s", res.StatusCode, res.Header.Get("Retry-After"), b)
	}

	idle[0].Close()
	poll.Until(t, time.Minute, "served once a slot was freed", func() bool {
		res, err := client.Get("http://" + addr + "/subjects")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == 200
	})
	for _, c := range idle[1:] {
		c.Close()
	}
}
