package api_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/charter-registry/charter"
	"github.com/charter-registry/charter/api"
	"github.com/charter-registry/charter/internal/poll"
	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/storage"
	"github.com/charter-registry/charter/storage/memory"
)

// leasedServer is an instance on a shared log with the writer lease
// attached (contending when eligible), served over HTTP.
type leasedServer struct {
	url   string
	svc   *registry.Service
	lease *registry.WriterLease
}

func startLeased(t *testing.T, log storage.Log, name string, eligible bool) *leasedServer {
	t.Helper()
	return startLeasedAuth(t, log, name, eligible, registry.AccessConfig{}, api.AuthConfig{})
}

// startLeasedAuth is startLeased with the access rules and authentication
// given.
func startLeasedAuth(t *testing.T, log storage.Log, name string, eligible bool, access registry.AccessConfig, auth api.AuthConfig) *leasedServer {
	t.Helper()
	return startLeasedConfig(t, log, name, eligible, access, api.Config{Auth: auth})
}

// startLeasedConfig is startLeasedAuth with the api configuration cfg
// (its Forward.Lease is the instance's own).
func startLeasedConfig(t *testing.T, log storage.Log, name string, eligible bool, access registry.AccessConfig, cfg api.Config) *leasedServer {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	u := "http://" + ts.Listener.Addr().String()
	svc, err := registry.NewService(registry.ServiceConfig{Log: log, Formats: charter.Formats(), Access: access})
	if err != nil {
		t.Fatal(err)
	}
	lcfg := registry.WriterLeaseConfig{Instance: name, TTL: time.Minute}
	if eligible {
		lcfg.URL = u
	}
	lease := registry.AttachWriterLease(svc, lcfg)
	cfg.Forward.Lease = lease
	a := api.New(svc, cfg)
	ts.Config.Handler = a.Handler()
	ts.Start()
	ctx, cancel := context.WithCancel(context.Background())
	lctx, lcancel := context.WithCancel(ctx)
	done, leaseDone := make(chan struct{}), make(chan struct{})
	go func() { _ = svc.Run(ctx); close(done) }()
	go func() { _ = lease.Run(lctx); close(leaseDone) }()
	// The lease stops first: it gives the lease up through the log.
	t.Cleanup(func() { ts.Close(); lcancel(); <-leaseDone; cancel(); <-done })
	wctx, wcancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer wcancel()
	if err := svc.WaitReady(wctx); err != nil {
		t.Fatal(err)
	}
	return &leasedServer{url: u, svc: svc, lease: lease}
}

func metricValue(t *testing.T, base, name string) string {
	t.Helper()
	r := send(t, base, http.MethodGet, "/metrics", nil, "")
	for _, line := range strings.Split(string(r.body), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			return v
		}
	}
	return ""
}

func forwardCount(t *testing.T, base, result string) string {
	return metricValue(t, base, `charter_forwarded_requests_total{result="`+result+`"}`)
}

// takeLease writes the writer lease naming instance at url, as an
// instance that took it would.
func takeLease(t *testing.T, svc *registry.Service, instance, url string) {
	t.Helper()
	r, err := registry.WriterLeaseRecord(instance, url, time.Now().UnixNano())
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Write(context.Background(), func() ([]storage.Record, error) { return []storage.Record{r}, nil }); err != nil {
		t.Fatal(err)
	}
}

// fwdSchema is version n of one record, each compatible with the last.
func fwdSchema(n int) string {
	fields := `{"name":"a","type":"int"}`
	for i := 1; i < n; i++ {
		fields += fmt.Sprintf(`,{"name":"f%d","type":"int","default":0}`, i)
	}
	return `{"type":"record","name":"R","fields":[` + fields + `]}`
}

// A follower forwards a registration to the holder and answers once it
// reads it; a request marked forwarded is written where it arrives; a
// lookup is answered where it arrives.
func TestForwardedRegistration(t *testing.T) {
	log := memory.New(memory.WithKeyFunc(registry.LogicalKey))
	a := startLeased(t, log, "a", true)
	poll.Until(t, 30*time.Second, "a holds the lease", a.lease.Held)
	b := startLeased(t, log, "b", false)
	poll.Until(t, 30*time.Second, "b follows a", func() bool { _, ok := b.lease.Holder(); return ok })
	if v := metricValue(t, a.url, "charter_writer_lease_held"); v != "1" {
		t.Fatalf("a: charter_writer_lease_held %q", v)
	}

	r := send(t, b.url, http.MethodPost, "/subjects/s/versions", map[string]string{"schema": fwdSchema(1)}, "")
	if r.status != http.StatusOK {
		t.Fatalf("forwarded registration: %d %s", r.status, r.body)
	}
	if got := forwardCount(t, b.url, "forwarded"); got != "1" {
		t.Fatalf("b forwarded %q registrations, want 1", got)
	}
	if r.header.Get(api.PositionHeader) != "" {
		t.Fatalf("the client got the writer's position header")
	}
	if g := send(t, b.url, http.MethodGet, "/subjects/s/versions/1", nil, ""); g.status != http.StatusOK {
		t.Fatalf("read on the follower right after its forwarded write: %d %s", g.status, g.body)
	}
	// Reads stay: a lookup is not forwarded.
	if l := send(t, b.url, http.MethodPost, "/subjects/s", map[string]string{"schema": fwdSchema(1)}, ""); l.status != http.StatusOK {
		t.Fatalf("lookup: %d %s", l.status, l.body)
	}
	if got := forwardCount(t, b.url, "forwarded"); got != "1" {
		t.Fatalf("after a lookup b forwarded %q, want 1", got)
	}
	// A forwarded request is never forwarded again: b writes it itself.
	req, _ := http.NewRequest(http.MethodPost, b.url+"/subjects/s/versions", strings.NewReader(`{"schema":`+jsonQuote(fwdSchema(2))+`}`))
	req.Header.Set(api.ForwardedHeader, "x")
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get(api.PositionHeader) == "" {
		t.Fatalf("a forwarded request on b: %d, position %q", res.StatusCode, res.Header.Get(api.PositionHeader))
	}
	if got := forwardCount(t, b.url, "forwarded"); got != "1" {
		t.Fatalf("b forwarded a forwarded request (%q)", got)
	}

	// A config and a delete go to the holder too, and are read back on b.
	if r := send(t, b.url, http.MethodPut, "/config/s", map[string]string{"compatibility": "FULL"}, ""); r.status != http.StatusOK {
		t.Fatalf("forwarded PUT /config/s: %d %s", r.status, r.body)
	}
	var cfg struct{ CompatibilityLevel string }
	send(t, b.url, http.MethodGet, "/config/s", nil, "").json(t, &cfg)
	if cfg.CompatibilityLevel != "FULL" {
		t.Fatalf("GET /config/s on b right after the forwarded PUT: %+v", cfg)
	}
	if r := send(t, b.url, http.MethodDelete, "/subjects/s/versions/2", nil, ""); r.status != http.StatusOK {
		t.Fatalf("forwarded delete: %d %s", r.status, r.body)
	}
	if g := send(t, b.url, http.MethodGet, "/subjects/s/versions/2", nil, ""); g.status != http.StatusNotFound {
		t.Fatalf("read on b right after the forwarded delete: %d %s", g.status, g.body)
	}
	if got := forwardCount(t, b.url, "forwarded"); got != "3" {
		t.Fatalf("b forwarded %q writes, want 3", got)
	}
}

// The follower authenticates a write before forwarding it: no credentials
// or a wrong key get its own 401 with its challenge. The holder
// authenticates and authorises a forwarded write again with the client's
// own credentials: a key it accepts writes, a principal it refuses gets
// its 403.
func TestForwardedWriteAuthenticatedByTheHolder(t *testing.T) {
	log := memory.New(memory.WithKeyFunc(registry.LogicalKey))
	access := registry.AccessConfig{Enforce: true, Unowned: registry.UnownedAdminOnly}
	auth := api.AuthConfig{Required: true, Credentials: keyedCredentials(t, testPrincipals(t)...)}
	a := startLeasedAuth(t, log, "a", true, access, auth)
	poll.Until(t, 30*time.Second, "a holds the lease", a.lease.Held)
	b := startLeasedAuth(t, log, "b", false, access, auth)
	poll.Until(t, 30*time.Second, "b follows a", func() bool { _, ok := b.lease.Holder(); return ok })

	body := map[string]string{"schema": fwdSchema(1)}
	if r := send(t, b.url, http.MethodPost, "/subjects/s/versions", body, "Bearer "+testKeys[asAdmin]); r.status != http.StatusOK {
		t.Fatalf("admin's forwarded registration: %d %s", r.status, r.body)
	}
	for _, authz := range []string{"", "Bearer chk_not-a-key-0123456789abcdef0123456789"} {
		r := send(t, b.url, http.MethodPost, "/subjects/s/versions", map[string]string{"schema": fwdSchema(2)}, authz)
		if r.status != http.StatusUnauthorized || r.header.Get("WWW-Authenticate") == "" {
			t.Fatalf("forwarded registration with %q: %d %s (challenge %q), want 401 with a challenge", authz, r.status, r.body, r.header.Get("WWW-Authenticate"))
		}
	}
	// An unowned subject is admins' only: the owner team's key is refused.
	if r := send(t, b.url, http.MethodPost, "/subjects/s/versions", map[string]string{"schema": fwdSchema(2)}, "Bearer "+testKeys[asOwner]); r.status != http.StatusForbidden {
		t.Fatalf("a non-admin's forwarded registration of an unowned subject: %d %s, want 403", r.status, r.body)
	}
	// The 401s are b's own: only authenticated writes are sent on.
	if got := forwardCount(t, b.url, "forwarded"); got != "2" {
		t.Fatalf("b forwarded %q writes, want 2 (the authenticated ones, answered by the holder)", got)
	}
	if _, err := a.svc.Version("s", 2, true); err == nil {
		t.Fatal("a refused write was written")
	}
}

// clientFrom is an HTTP client whose connections come from the loopback
// address ip, so a server tells its requests from another client's.
func clientFrom(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
}

func postAs(t *testing.T, c *http.Client, url, authorization, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	req.Header.Set("Authorization", authorization)
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(res.Body)
	return res.StatusCode, b.String()
}

// One client's wrong passwords through a follower are counted against
// that client's address by the follower, not against the follower's
// address by the holder: another client's right password through the same
// follower is served, not answered 429.
func TestForwardingKeepsPasswordFailuresPerClient(t *testing.T) {
	log := memory.New(memory.WithKeyFunc(registry.LogicalKey))
	auth := api.AuthConfig{Required: true, Credentials: mustCredentials(t, passwordCredentials(t))}
	a := startLeasedAuth(t, log, "a", true, registry.AccessConfig{}, auth)
	poll.Until(t, 30*time.Second, "a holds the lease", a.lease.Held)
	b := startLeasedAuth(t, log, "b", false, registry.AccessConfig{}, auth)
	poll.Until(t, 30*time.Second, "b follows a", func() bool { _, ok := b.lease.Holder(); return ok })

	body := `{"schema":` + jsonQuote(fwdSchema(1)) + `}`
	mallory := clientFrom("127.0.0.2")
	for i := range api.DefaultAuthFailures + 1 {
		status, text := postAs(t, mallory, b.url+"/subjects/s/versions", basic("alice", "wrong"), body)
		if status != http.StatusUnauthorized && status != http.StatusTooManyRequests {
			t.Fatalf("wrong password %d through the follower: %d %s", i, status, text)
		}
	}
	status, text := postAs(t, clientFrom("127.0.0.3"), b.url+"/subjects/s/versions", basic("bob", bobPassword), body)
	if status != http.StatusOK {
		t.Fatalf("another client's right password through the follower after one client's failures: %d %s, want 200", status, text)
	}
	if got := forwardCount(t, b.url, "forwarded"); got != "1" {
		t.Fatalf("b forwarded %q writes, want 1 (only the authenticated one)", got)
	}
}

// A writer that cannot be reached leaves the write to the follower; one
// that takes the request and never answers, or drops the connection after
// it, leaves a registration (which may be repeated) to the follower and
// answers a delete 50003, never writing it twice.
func TestForwardingFallback(t *testing.T) {
	log := memory.New(memory.WithKeyFunc(registry.LogicalKey))
	// The forwarder's connections to unreachable.invalid are never made;
	// the others are. Its requests get no answer after a second.
	var d net.Dialer
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if addr == "unreachable.invalid:80" {
				return nil, &net.OpError{Op: "dial", Net: network, Err: errors.New("the test makes no connection")}
			}
			return d.DialContext(ctx, network, addr)
		}}}
	b := startLeasedConfig(t, log, "b", false, registry.AccessConfig{}, api.Config{Forward: api.ForwardConfig{Client: client}})

	takeLease(t, b.svc, "unreachable", "http://unreachable.invalid")
	r := send(t, b.url, http.MethodPost, "/subjects/s/versions", map[string]string{"schema": fwdSchema(1)}, "")
	if r.status != http.StatusOK {
		t.Fatalf("registration with the writer unreachable: %d %s", r.status, r.body)
	}
	// A delete never sent is written here too.
	if r := send(t, b.url, http.MethodPut, "/config/s", map[string]string{"compatibility": "FULL"}, ""); r.status != http.StatusOK {
		t.Fatalf("PUT /config/s with the writer unreachable: %d %s", r.status, r.body)
	}
	if r := send(t, b.url, http.MethodDelete, "/config/s", nil, ""); r.status != http.StatusOK {
		t.Fatalf("DELETE /config/s with the writer unreachable: %d %s", r.status, r.body)
	}
	if got := forwardCount(t, b.url, "local"); got != "3" {
		t.Fatalf("local fallbacks %q, want 3", got)
	}

	// A holder that accepts connections and never answers.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	held := make(chan net.Conn, 16)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held <- c
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		for {
			select {
			case c := <-held:
				c.Close()
			default:
				return
			}
		}
	})
	takeLease(t, b.svc, "silent", "http://"+ln.Addr().String())
	r = send(t, b.url, http.MethodPost, "/subjects/s/versions", map[string]string{"schema": fwdSchema(2)}, "")
	if r.status != http.StatusOK {
		t.Fatalf("registration with a writer that does not answer: %d %s", r.status, r.body)
	}
	if got := forwardCount(t, b.url, "local"); got != "4" {
		t.Fatalf("local fallbacks %q, want 4", got)
	}
	res, body := roundTrip(t, http.MethodDelete, b.url+"/subjects/s/versions/2", nil, "", "")
	if r := (response{status: res.StatusCode, body: body}); r.status != http.StatusInternalServerError || r.errorCode(t) != 50003 {
		t.Fatalf("delete with a writer that does not answer: %d %s, want 500 with 50003", r.status, r.body)
	}
	if _, err := b.svc.Version("s", 2, false); err != nil {
		t.Fatalf("the unanswered delete was written here: %v", err)
	}

	// A holder that reads the request and drops the connection.
	// The handler's goroutines write got, the test reads it: a closed
	// connection orders nothing, the mutex does.
	var (
		mu  sync.Mutex
		got bytes.Buffer
	)
	drop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		fmt.Fprintf(&got, "%s %s %s\n", r.Method, r.URL.RequestURI(), r.Header.Get(api.ForwardedHeader))
		mu.Unlock()
		c, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			c.Close()
		}
	}))
	defer drop.Close()
	takeLease(t, b.svc, "dropper", drop.URL)
	r = send(t, b.url, http.MethodPost, "/subjects/s/versions?normalize=false", map[string]string{"schema": fwdSchema(3)}, "")
	if r.status != http.StatusOK {
		t.Fatalf("registration after a dropped forward: %d %s", r.status, r.body)
	}
	res, body = roundTrip(t, http.MethodDelete, b.url+"/subjects/s/versions/1", nil, "", "")
	r = response{status: res.StatusCode, body: body}
	if r.status != http.StatusInternalServerError || r.errorCode(t) != 50003 {
		t.Fatalf("delete after a dropped forward: %d %s, want 500 with 50003", r.status, r.body)
	}
	if _, err := b.svc.Version("s", 1, false); err != nil {
		t.Fatalf("the delete was written here after all: %v", err)
	}
	want := "POST /subjects/s/versions?normalize=false b\nDELETE /subjects/s/versions/1 b\n"
	mu.Lock()
	gotText := got.String()
	mu.Unlock()
	if gotText != want {
		t.Fatalf("the writer got\n%s\nwant\n%s", gotText, want)
	}
	if f := forwardCount(t, b.url, "failed"); f != "2" {
		t.Fatalf("failed forwards %q, want 2", f)
	}
}

func jsonQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		if r == '"' || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return b.String()
}

// A writer behind https whose certificate the forwarder does not trust
// never gets the request: the failed handshake is "not sent", so a delete
// is written here, not answered 50003.
func TestForwardingTLSHandshakeFailureIsNotSent(t *testing.T) {
	log := memory.New(memory.WithKeyFunc(registry.LogicalKey))
	b := startLeased(t, log, "b", false)
	var reached atomic.Int64
	untrusted := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		w.WriteHeader(http.StatusOK)
	}))
	defer untrusted.Close()
	takeLease(t, b.svc, "untrusted", untrusted.URL)
	if r := send(t, b.url, http.MethodPut, "/config/s", map[string]string{"compatibility": "FULL"}, ""); r.status != http.StatusOK {
		t.Fatalf("PUT /config/s with an untrusted writer: %d %s", r.status, r.body)
	}
	if r := send(t, b.url, http.MethodDelete, "/config/s", nil, ""); r.status != http.StatusOK {
		t.Fatalf("DELETE /config/s with an untrusted writer: %d %s, want 200 (written here: it was never sent)", r.status, r.body)
	}
	if got := forwardCount(t, b.url, "local"); got != "2" || reached.Load() != 0 {
		t.Fatalf("local fallbacks %q (want 2), requests the writer got %d (want 0)", got, reached.Load())
	}
}
