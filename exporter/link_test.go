package exporter_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/charter-registry/charter/internal/poll"
	"github.com/charter-registry/charter/internal/registrytest"
)

// proxy forwards TCP connections to whatever address target holds, so an
// exporter's destination URL stays valid while the destination process
// is killed and restarted on another kernel-picked port. With no target,
// connections are closed at once (the destination is down).
type proxy struct {
	ln     net.Listener
	target atomic.Pointer[string]
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  map[net.Conn]bool
}

func newProxy(t *testing.T) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, conns: map[net.Conn]bool{}}
	p.wg.Add(1)
	go p.serve()
	t.Cleanup(func() {
		ln.Close()
		p.cut()
		p.wg.Wait()
	})
	return p
}

func (p *proxy) url() string { return "http://" + p.ln.Addr().String() }

func (p *proxy) point(addr string) {
	if addr == "" {
		p.target.Store(nil)
		p.cut()
		return
	}
	p.target.Store(&addr)
}

// cut closes every open connection: a network fault.
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
	}
}

func (p *proxy) track(c net.Conn, on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if on {
		p.conns[c] = true
	} else {
		delete(p.conns, c)
	}
}

func (p *proxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			defer c.Close()
			addr := p.target.Load()
			if addr == nil {
				return
			}
			up, err := net.Dial("tcp", *addr)
			if err != nil {
				return
			}
			defer up.Close()
			p.track(c, true)
			p.track(up, true)
			defer p.track(c, false)
			defer p.track(up, false)
			done := make(chan struct{}, 2)
			go func() { _, _ = io.Copy(up, c); done <- struct{}{} }()
			go func() { _, _ = io.Copy(c, up); done <- struct{}{} }()
			<-done
		}()
	}
}

// node is one `charter serve` process that can be killed with -9 and
// started again with the same arguments.
type node struct {
	t    *testing.T
	bin  string
	args []string
	p    *registrytest.Process
}

func startNode(t *testing.T, bin string, args ...string) *node {
	n := &node{t: t, bin: bin, args: args}
	n.start()
	return n
}

func (n *node) start() {
	n.p = registrytest.Serve(n.t, exec.Command(n.bin, append([]string{"serve"}, n.args...)...), syscall.SIGTERM)
}

func (n *node) url() string { return "http://" + n.p.Addr }

func (n *node) kill9() {
	_ = n.p.Cmd.Process.Signal(syscall.SIGKILL)
	<-n.p.Exited()
}

// get answers a GET's body, or nil while the node does not answer 200.
func get(url string) []byte {
	res, err := http.Get(url)
	if err != nil {
		return nil
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		return nil
	}
	return b
}

type version struct {
	Subject    string `json:"subject"`
	Version    int    `json:"version"`
	ID         int    `json:"id"`
	Schema     string `json:"schema"`
	SchemaType string `json:"schemaType,omitempty"`
	Deleted    bool   `json:"deleted,omitempty"`
}

// listing is GET /schemas?deleted=true under prefix, keyed by subject with
// the prefix cut off.
func listing(base, prefix string) (map[string][]version, bool) {
	b := get(base + "/schemas?deleted=true&subjectPrefix=" + prefix)
	if b == nil {
		return nil, false
	}
	var all []version
	if json.Unmarshal(b, &all) != nil {
		return nil, false
	}
	out := map[string][]version{}
	for _, v := range all {
		s := strings.TrimPrefix(v.Subject, prefix)
		v.Subject = s
		out[s] = append(out[s], v)
	}
	return out, true
}

type ackd struct {
	subject string
	version int
	id      int
}

// load registers versions of subjects from several goroutines until stop
// is closed, against whichever source URL cur returns, retrying what a
// killed source did not answer. It returns the acknowledged versions.
func load(t *testing.T, cur func() string, subjects []string, stop <-chan struct{}) func() []ackd {
	var mu sync.Mutex
	var acks []ackd
	var wg sync.WaitGroup
	hc := &http.Client{Timeout: 10 * time.Second}
	for _, s := range subjects {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fields := []string{"f0"}
			for {
				select {
				case <-stop:
					return
				default:
				}
				body, _ := json.Marshal(map[string]string{"schema": record("R", fields...)})
				res, err := hc.Post(cur()+"/subjects/"+s+"/versions", "application/vnd.schemaregistry.v1+json", bytes.NewReader(body))
				if err != nil {
					poll.Pause(context.Background(), 20*time.Millisecond) // the source is down: try again
					continue
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					poll.Pause(context.Background(), 20*time.Millisecond)
					continue
				}
				var out struct{ ID int }
				_ = json.Unmarshal(b, &out)
				mu.Lock()
				acks = append(acks, ackd{subject: s, version: len(fields), id: out.ID})
				mu.Unlock()
				fields = append(fields, fmt.Sprintf("f%d", len(fields)))
			}
		}()
	}
	return func() []ackd {
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		return acks
	}
}

// waitForVersions waits until the source has at least n versions in all.
func waitForVersions(t *testing.T, cur func() string, n int) {
	eventually(t, fmt.Sprintf("%d versions on the source", n), func() (bool, string) {
		l, ok := listing(cur(), "")
		total := 0
		for _, vs := range l {
			total += len(vs)
		}
		return ok && total >= n, fmt.Sprint(total)
	})
}

// settled waits until the destination holds exactly what the source
// holds, under the context prefix, and checks every acknowledged version
// is there with its id.
func settled(t *testing.T, src func() string, dst string, prefix string, acks []ackd) {
	var want, got map[string][]version
	eventually(t, "destination equal to source", func() (bool, string) {
		var ok1, ok2 bool
		want, ok1 = listing(src(), "")
		got, ok2 = listing(dst, prefix)
		return ok1 && ok2 && reflect.DeepEqual(want, got), fmt.Sprintf("source %d subjects, destination %d", len(want), len(got))
	})
	ids := map[int]string{}
	for s, vs := range got {
		for i, v := range vs {
			if v.Version != i+1 {
				t.Errorf("destination %s: version %d at position %d (a gap or a duplicate)", s, v.Version, i+1)
			}
			if prev, ok := ids[v.ID]; ok && prev != v.Schema {
				t.Errorf("destination id %d names two schemas", v.ID)
			}
			ids[v.ID] = v.Schema
		}
	}
	for _, a := range acks {
		vs := got[a.subject]
		if a.version > len(vs) || vs[a.version-1].ID != a.id {
			t.Errorf("acknowledged %s version %d id %d is not on the destination", a.subject, a.version, a.id)
		}
	}
	if len(acks) == 0 {
		t.Fatal("no registration was acknowledged")
	}
	n := 0
	for _, vs := range got {
		n += len(vs)
	}
	t.Logf("%d acknowledged registrations; the destination holds %d subjects, %d versions under %q", len(acks), len(got), n, prefix)
}

// The prove-it test on file logs: concurrent registrations on the source
// while its exporting instance is killed with -9 and restarted, the
// destination is killed and restarted, and the connection is cut. The
// exporter writes into the AUTO context named after the source cluster.
func TestLinkSurvivesKillsOfBothSides(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs charter processes")
	}
	bin := registrytest.BuildBinary(t)
	dstDir, srcDir := t.TempDir(), t.TempDir()
	dst := startNode(t, bin, "--data-dir", dstDir)
	px := newProxy(t)
	px.point(dst.p.Addr)
	src := startNode(t, bin, "--data-dir", srcDir, "--cluster-id", "west", "--exporter-lease", "1s", "--exporter-poll", "300ms")
	var srcURL atomic.Pointer[string]
	set := func(n *node) { u := n.url(); srcURL.Store(&u) }
	set(src)
	cur := func() string { return *srcURL.Load() }

	mustCall(t, http.MethodPost, cur()+"/exporters", map[string]any{
		// contextType AUTO by default: into the context named after the
		// source cluster's --cluster-id.
		"name":   "dr",
		"config": map[string]string{"schema.registry.url": px.url()},
	})
	subjects := []string{"orders-value", "payments-value", "users-value", "stock-value"}
	stop := make(chan struct{})
	done := load(t, cur, subjects, stop)

	waitForVersions(t, cur, 12)
	src.kill9() // the exporting instance dies mid-stream
	src.start()
	set(src)
	waitForVersions(t, cur, 24)
	dst.kill9() // the destination dies; the exporter keeps retrying
	px.point("")
	waitForVersions(t, cur, 32)
	dst.start()
	px.point(dst.p.Addr)
	waitForVersions(t, cur, 40)
	px.cut() // a network fault
	waitForVersions(t, cur, 48)
	close(stop)
	acks := done()
	settled(t, cur, dst.url(), ":.west:", acks)
	if b := get(cur() + "/metrics"); !bytes.Contains(b, []byte("\ncharter_exporter_lag{exporter=\"dr\"} 0\n")) {
		t.Errorf("metrics after settling lack a zero lag for dr")
	}
}

// holder returns the node whose /metrics says it holds the exporter
// lease, or nil.
func holder(nodes ...*node) *node {
	for _, n := range nodes {
		if bytes.Contains(get(n.url()+"/metrics"), []byte("\ncharter_exporter_lease_held 1\n")) {
			return n
		}
	}
	return nil
}

// The prove-it test across storage: the source cluster is two instances
// on one topic of a real Kafka broker, the destination a file log. The
// instance running the exporter is killed -9 mid-stream and the other
// takes over; the destination is killed -9 and restarted.
func TestLinkKafkaClusterHandsOver(t *testing.T) {
	env := os.Getenv("CHARTER_KAFKA_BROKERS")
	if env == "" {
		t.Skip("CHARTER_KAFKA_BROKERS is not set: skipping a test that needs a real Kafka broker (scripts/kafka.sh up)")
	}
	bin := registrytest.BuildBinary(t)
	topic := fmt.Sprintf("charter-exporter-%d", time.Now().UnixNano())
	dst := startNode(t, bin, "--data-dir", t.TempDir())
	px := newProxy(t)
	px.point(dst.p.Addr)
	kafkaArgs := []string{"--kafka-brokers", env, "--kafka-topic", topic, "--kafka-replication-factor", "1", "--exporter-lease", "2s", "--exporter-poll", "300ms"}
	a := startNode(t, bin, kafkaArgs...)
	b := startNode(t, bin, kafkaArgs...)
	var srcURL atomic.Pointer[string]
	set := func(n *node) { u := n.url(); srcURL.Store(&u) }
	set(a)
	cur := func() string { return *srcURL.Load() }

	mustCall(t, http.MethodPost, cur()+"/exporters", map[string]any{
		"name": "region-b", "contextType": "CUSTOM", "context": "east",
		"config": map[string]string{"schema.registry.url": px.url()},
	})
	stop := make(chan struct{})
	done := load(t, cur, []string{"orders-value", "payments-value", "users-value"}, stop)
	var first *node
	eventually(t, "an instance holds the lease", func() (bool, string) {
		first = holder(a, b)
		return first != nil, ""
	})
	waitForVersions(t, cur, 15)
	other, which := a, "b"
	if first == a {
		other, which = b, "a"
	}
	t.Logf("instance %s holds the exporter lease; killing it -9", which)
	set(other)
	first.kill9() // the exporting instance dies mid-stream
	eventually(t, "the other instance takes the lease over", func() (bool, string) {
		return holder(other) == other, ""
	})
	first.start()
	waitForVersions(t, cur, 30)
	dst.kill9()
	px.point("")
	waitForVersions(t, cur, 40)
	dst.start()
	px.point(dst.p.Addr)
	waitForVersions(t, cur, 50)
	close(stop)
	acks := done()
	settled(t, cur, dst.url(), ":.east:", acks)
	if h := holder(a, b); h == nil {
		t.Error("no instance holds the lease after settling")
	}
}
