package clustertest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/charter-registry/charter/internal/poll"
	"github.com/charter-registry/charter/internal/registrytest"
)

// brokers returns the seed brokers from CHARTER_KAFKA_BROKERS or skips t.
func brokers(t testing.TB) []string {
	t.Helper()
	env := os.Getenv("CHARTER_KAFKA_BROKERS")
	if env == "" {
		t.Skip("CHARTER_KAFKA_BROKERS is not set: skipping a multi-process test that needs a real Kafka broker " +
			"(run scripts/kafka.sh up, then eval \"$(scripts/kafka.sh env)\")")
	}
	return strings.Split(env, ",")
}

// freshTopic returns a topic name no earlier run used and deletes the
// topic when the test ends.
func freshTopic(t testing.TB, name string) string {
	t.Helper()
	topic := fmt.Sprintf("charter-cluster-%s-%d", name, time.Now().UnixNano())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, _ = admin(t).DeleteTopics(ctx, topic)
	})
	return topic
}

// admin returns an admin client on the test broker, closed at cleanup.
func admin(t testing.TB) *kadm.Client {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers(t)...))
	if err != nil {
		t.Fatalf("kafka client: %v", err)
	}
	t.Cleanup(cl.Close)
	return kadm.NewClient(cl)
}

// highWatermarkOn returns the end offset of partition 0 of topic, asked
// through adm.
func highWatermarkOn(t testing.TB, adm *kadm.Client, topic string) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	offs, err := adm.ListEndOffsets(ctx, topic)
	if err == nil {
		err = offs.Error()
	}
	if err != nil {
		t.Fatalf("list end offsets of %s: %v", topic, err)
	}
	o, ok := offs.Lookup(topic, 0)
	if !ok {
		t.Fatalf("no end offset for %s/0", topic)
	}
	return o.Offset
}

// instance is one charter process.
type instance struct {
	name string
	addr string
	p    *registrytest.Process
	hc   *http.Client
}

// startInstance starts `charter serve` on topic and returns once it has
// bound its port, without waiting for it to be ready. The process is
// killed when the test ends.
func startInstance(t *testing.T, bin, topic, name string) *instance {
	t.Helper()
	return startInstanceOn(t, bin, topic, name, brokers(t), "--kafka-replication-factor", "1")
}

// startInstanceOn is startInstance on the given brokers, with extra flags.
// The instance listens on a port the kernel picks and reports (a restarted
// instance gets a new one), so no port is guessed.
func startInstanceOn(t *testing.T, bin, topic, name string, seeds []string, flags ...string) *instance {
	t.Helper()
	in := spawnInstanceOn(t, bin, topic, name, seeds, flags...)
	in.waitAddr(t)
	return in
}

// spawnInstance starts `charter serve` on topic without waiting for it to
// bind its port: an instance started while the broker is down binds only
// once it has opened the log. Call waitAddr before talking to it.
func spawnInstance(t *testing.T, bin, topic, name string) *instance {
	t.Helper()
	return spawnInstanceOn(t, bin, topic, name, brokers(t), "--kafka-replication-factor", "1")
}

// waitAddr waits until the instance reports its bound address.
func (in *instance) waitAddr(t *testing.T) {
	t.Helper()
	in.p.WaitAddr(t)
	in.addr = in.p.Addr
}

func spawnInstanceOn(t *testing.T, bin, topic, name string, seeds []string, flags ...string) *instance {
	t.Helper()
	in := &instance{
		name: name,
		// The server bounds each request by its --request-timeout (10 s
		// below); this is only a hang guard.
		hc: &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}},
	}
	cmd := exec.Command(bin, append([]string{"serve",
		"--addr", "127.0.0.1:0",
		"--kafka-brokers", strings.Join(seeds, ","),
		"--kafka-topic", topic,
		"--request-timeout", "10s",
		"--log-level", "info",
	}, flags...)...)
	// Flags say everything; no CHARTER_* variable of the test's own
	// environment may change the instance's configuration.
	cmd.Env = append(registrytest.Environ(), "GOTRACEBACK=all")
	t.Cleanup(in.hc.CloseIdleConnections)
	in.p = registrytest.Spawn(t, cmd, syscall.SIGKILL)
	// Runs before Spawn's cleanup stops the process: a failed test's log
	// then shows what every goroutine of a live instance was doing.
	t.Cleanup(func() {
		if t.Failed() {
			in.p.Dump()
		}
	})
	return in
}

// kill sends SIGKILL (kill -9) and waits for the process to exit.
func (in *instance) kill() {
	_ = in.p.Cmd.Process.Signal(syscall.SIGKILL)
	<-in.p.Exited()
}

// waitReady polls /readyz until it answers 200. It fails the test if the
// process exits or d passes (a hang guard, not a speed check).
func (in *instance) waitReady(t *testing.T, d time.Duration) {
	t.Helper()
	poll.Until(t, d, in.name+" ready", func() bool {
		select {
		case <-in.p.Exited():
			t.Fatalf("%s exited before it was ready", in.name)
		default:
		}
		st, _, err := in.get(context.Background(), "/readyz")
		return err == nil && st == http.StatusOK
	})
}

// call sends a request with a JSON body (nil for none) and returns the
// status and raw response body.
func (in *instance) call(ctx context.Context, method, path string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://"+in.addr+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	}
	res, err := in.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	return res.StatusCode, raw, err
}

func (in *instance) get(ctx context.Context, path string) (int, []byte, error) {
	return in.call(ctx, http.MethodGet, path, nil)
}

// mustJSON sends a request, requires status want and decodes the body
// into out (which may be nil).
func (in *instance) mustJSON(t *testing.T, method, path string, body any, want int, out any) {
	t.Helper()
	st, raw, err := in.call(context.Background(), method, path, body)
	if err != nil {
		t.Fatalf("%s %s %s: %v", in.name, method, path, err)
	}
	if st != want {
		t.Fatalf("%s %s %s: status %d, want %d: %s", in.name, method, path, st, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s %s: decode %s: %v", in.name, method, path, raw, err)
		}
	}
}

// jsonInto decodes raw into out.
func jsonInto(raw []byte, out any) error { return json.Unmarshal(raw, out) }

// errorCode returns the Confluent error_code of an error body, or 0.
func errorCode(raw []byte) int {
	var e struct {
		Code int `json:"error_code"`
	}
	_ = json.Unmarshal(raw, &e)
	return e.Code
}

// registered is a registration response.
type registered struct {
	Subject string `json:"subject"`
	Version int    `json:"version"`
	ID      int    `json:"id"`
	Schema  string `json:"schema"`
}

// ack is an acknowledged registration: what the client was told.
type ack struct {
	Instance string
	Subject  string
	Sent     string // the schema text sent
	registered
}

// outcome classifies one registration attempt.
type outcome int

const (
	acked       outcome = iota // 200 with an id
	unavailable                // an allowed failure: 50001/50002 or 503
	refused                    // connection refused or reset: the instance is down
	wrong                      // anything else
)

// register posts schema to subject on in and classifies the answer.
func (in *instance) register(ctx context.Context, subject, schema string) (ack, outcome, string) {
	path := "/subjects/" + url.PathEscape(subject) + "/versions"
	st, raw, err := in.call(ctx, http.MethodPost, path, map[string]string{"schema": schema})
	if err != nil {
		if ctx.Err() != nil {
			return ack{}, refused, "canceled"
		}
		var ne net.Error
		if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
			errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &ne) {
			return ack{}, refused, err.Error()
		}
		return ack{}, wrong, err.Error()
	}
	switch {
	case st == http.StatusOK:
		var r registered
		if err := json.Unmarshal(raw, &r); err != nil || r.ID <= 0 || r.Version <= 0 || r.Subject != subject {
			return ack{}, wrong, fmt.Sprintf("200 with a bad body %s (%v)", raw, err)
		}
		return ack{Instance: in.name, Subject: subject, Sent: schema, registered: r}, acked, ""
	case st == http.StatusServiceUnavailable,
		st == http.StatusInternalServerError && (errorCode(raw) == 50001 || errorCode(raw) == 50002):
		return ack{}, unavailable, fmt.Sprintf("%d %s", st, raw)
	}
	return ack{}, wrong, fmt.Sprintf("%d %s", st, raw)
}

// digest is the body of GET /v1/metadata/digest.
type digest struct {
	Digest   string `json:"digest"`
	Position int64  `json:"position"`
}

// converge waits until every instance has applied the topic up to its
// current end, then requires byte-identical state digests.
func converge(t *testing.T, topic string, ins ...*instance) string {
	t.Helper()
	return convergeOn(t, admin(t), topic, ins...)
}

// convergeOn is converge with the topic's end read through adm.
func convergeOn(t *testing.T, adm *kadm.Client, topic string, ins ...*instance) string {
	t.Helper()
	end := highWatermarkOn(t, adm, topic)
	var ds []digest
	poll.Until(t, 90*time.Second, fmt.Sprintf("instances at the log end %d", end), func() bool {
		ds = ds[:0]
		caught := true
		for _, in := range ins {
			var d digest
			in.mustJSON(t, http.MethodGet, "/v1/metadata/digest", nil, http.StatusOK, &d)
			ds = append(ds, d)
			caught = caught && d.Position >= end
		}
		return caught
	})
	for i, d := range ds {
		if d.Position != ds[0].Position || d.Digest != ds[0].Digest {
			t.Fatalf("state differs: %s at %d has digest %s, %s at %d has %s",
				ins[0].name, ds[0].Position, ds[0].Digest, ins[i].name, d.Position, d.Digest)
		}
	}
	t.Logf("%d instances converged at offset %d with digest %s", len(ins), ds[0].Position, ds[0].Digest)
	return ds[0].Digest
}

// checkAcks verifies the acknowledgements against each other and against
// every instance: no id names two schemas, no schema has two ids, no
// subject version names two registrations, and every acknowledged
// registration is served by every instance with its id and version.
func checkAcks(t *testing.T, acks []ack, ins ...*instance) {
	t.Helper()
	byID := map[int]string{}
	idOf := map[string]int{}
	type sv struct {
		subject string
		version int
	}
	bySV := map[sv]ack{}
	for _, a := range acks {
		if s, ok := byID[a.ID]; ok && s != a.Schema {
			t.Fatalf("id %d was acknowledged for two different schemas:\n%s\n%s", a.ID, s, a.Schema)
		}
		byID[a.ID] = a.Schema
		if id, ok := idOf[a.Sent]; ok && id != a.ID {
			t.Fatalf("schema %s was acknowledged with two ids, %d and %d", a.Sent, id, a.ID)
		}
		idOf[a.Sent] = a.ID
		k := sv{a.Subject, a.Version}
		if b, ok := bySV[k]; ok && (b.ID != a.ID || b.Sent != a.Sent) {
			t.Fatalf("%s version %d was acknowledged twice: id %d (%s via %s) and id %d (%s via %s)",
				a.Subject, a.Version, b.ID, b.Sent, b.Instance, a.ID, a.Sent, a.Instance)
		}
		bySV[k] = a
	}
	ctx := context.Background()
	for _, in := range ins {
		for k, a := range bySV {
			var got registered
			in.mustJSON(t, http.MethodGet, fmt.Sprintf("/subjects/%s/versions/%d", url.PathEscape(k.subject), k.version),
				nil, http.StatusOK, &got)
			if got.ID != a.ID || got.Schema != a.Schema {
				t.Fatalf("%s serves %s version %d as id %d %s; %s acknowledged id %d %s",
					in.name, k.subject, k.version, got.ID, got.Schema, a.Instance, a.ID, a.Schema)
			}
		}
		for id, schema := range byID {
			st, raw, err := in.get(ctx, fmt.Sprintf("/schemas/ids/%d", id))
			if err != nil || st != http.StatusOK {
				t.Fatalf("%s GET /schemas/ids/%d: %d %s %v", in.name, id, st, raw, err)
			}
			var got registered
			if err := json.Unmarshal(raw, &got); err != nil || got.Schema != schema {
				t.Fatalf("%s serves id %d as %s, acknowledged as %s", in.name, id, raw, schema)
			}
		}
	}
	t.Logf("%d acknowledgements (%d ids, %d subject versions) checked on %d instances", len(acks), len(byID), len(bySV), len(ins))
}

// checkIDsAgree fetches every id from 1 to the highest acknowledged one on
// every instance: each id is absent everywhere or names the same schema
// everywhere, and no two ids name the same schema text.
func checkIDsAgree(t *testing.T, acks []ack, ins ...*instance) {
	t.Helper()
	maxID := 0
	for _, a := range acks {
		maxID = max(maxID, a.ID)
	}
	seen := map[string]int{}
	for id := 1; id <= maxID; id++ {
		var first string
		for i, in := range ins {
			st, raw, err := in.get(context.Background(), fmt.Sprintf("/schemas/ids/%d", id))
			if err != nil {
				t.Fatalf("%s GET /schemas/ids/%d: %v", in.name, id, err)
			}
			got := fmt.Sprintf("%d %s", st, raw)
			if i == 0 {
				first = got
			} else if got != first {
				t.Fatalf("id %d: %s answers %s, %s answers %s", id, ins[0].name, first, in.name, got)
			}
		}
		if prev, ok := seen[first]; ok && strings.HasPrefix(first, "200 ") {
			t.Fatalf("ids %d and %d name the same schema %s", prev, id, first)
		}
		seen[first] = id
	}
}

// sink collects acknowledgements and failures from many goroutines.
type sink struct {
	mu       sync.Mutex
	acks     []ack
	failures map[outcome][]string
	retried  []string // failures that a retry then got past
	acked    counter
}

// counter counts acknowledgements and wakes whoever waits for a count,
// so a test waits for the load to get somewhere instead of sleeping.
type counter struct {
	mu      sync.Mutex
	n       int64
	changed chan struct{} // closed and replaced on every add
}

func (c *counter) add() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	if c.changed != nil {
		close(c.changed)
	}
	c.changed = make(chan struct{})
}

func (c *counter) load() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// wait returns once the count reaches n (true) or ctx ends (false).
func (c *counter) wait(ctx context.Context, n int64) bool {
	for {
		c.mu.Lock()
		if c.n >= n {
			c.mu.Unlock()
			return true
		}
		if c.changed == nil {
			c.changed = make(chan struct{})
		}
		ch := c.changed
		c.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return false
		}
	}
}

// registerRetrying registers like a client with retries: an allowed
// failure (50001/50002 or 503) is retried a few times with a pause, since
// a broker bounce by another test package may overlap the load; the
// retried failures are kept for the log. The final outcome goes to s.
func (s *sink) registerRetrying(ctx context.Context, in *instance, subject, schema string) outcome {
	for attempt := 1; ; attempt++ {
		a, o, msg := in.register(ctx, subject, schema)
		if o != unavailable || attempt == 10 || ctx.Err() != nil {
			s.add(a, o, in.name+": "+msg)
			return o
		}
		s.mu.Lock()
		s.retried = append(s.retried, in.name+": "+msg)
		s.mu.Unlock()
		select {
		case <-ctx.Done():
		case <-time.After(time.Duration(attempt) * 250 * time.Millisecond):
		}
	}
}

// retries returns the failures that were retried.
func (s *sink) retries() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.retried...)
}

func newSink() *sink { return &sink{failures: map[outcome][]string{}} }

func (s *sink) add(a ack, o outcome, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o == acked {
		s.acks = append(s.acks, a)
		s.acked.add()
		return
	}
	s.failures[o] = append(s.failures[o], msg)
}

func (s *sink) snapshot() ([]ack, map[outcome][]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := map[outcome][]string{}
	for k, v := range s.failures {
		f[k] = append([]string(nil), v...)
	}
	return append([]ack(nil), s.acks...), f
}

// avroSchema returns a distinct Avro record schema for name.
func avroSchema(name string) string {
	return `{"type":"record","name":"` + name + `","fields":[{"name":"f","type":"int"},{"name":"tag","type":"string","default":"` + name + `"}]}`
}
