package clustertest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/charter-registry/charter/internal/poll"
	"github.com/charter-registry/charter/internal/registrytest"
)

// startCluster builds charter and starts n instances on a fresh topic,
// all ready, with compatibility NONE so that any schema may follow any
// other in a subject.
func startCluster(t *testing.T, name string, n int) (bin, topic string, ins []*instance) {
	t.Helper()
	brokers(t)
	bin = registrytest.BuildBinary(t)
	topic = freshTopic(t, name)
	// The first instance creates the topic; the others find it.
	ins = append(ins, startInstance(t, bin, topic, "charter-0"))
	ins[0].waitReady(t, 90*time.Second)
	for i := 1; i < n; i++ {
		ins = append(ins, startInstance(t, bin, topic, fmt.Sprintf("charter-%d", i)))
	}
	for _, in := range ins[1:] {
		in.waitReady(t, 90*time.Second)
	}
	ins[0].mustJSON(t, http.MethodPut, "/config", map[string]string{"compatibility": "NONE"}, http.StatusOK, nil)
	return bin, topic, ins
}

// sendDistinct registers count distinct schemas on in with a pool of
// senders, spread over shared subjects so that instances race for the
// same subjects' next versions as well as for ids. It stops early when
// stop is closed.
func sendDistinct(ctx context.Context, in *instance, prefix string, count, senders, subjects int, s *sink, stop <-chan struct{}) {
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				subject := fmt.Sprintf("load-%d", j%subjects)
				s.registerRetrying(ctx, in, subject, avroSchema(fmt.Sprintf("%s_%d", prefix, j)))
			}
		}()
	}
feed:
	for j := range count {
		select {
		case jobs <- j:
		case <-stop:
			break feed
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
}

// TestConcurrentRegistrations is the concurrency proof: three instances on
// one topic take 3 x 500 distinct registrations, one sender pool each,
// racing for ids and for the next versions of shared subjects, while
// identical schemas are sent to all three at the same moment. Afterwards
// all three hold byte-identical state, no id names two schemas, no schema
// has two ids, and every acknowledged registration is served by every
// instance with the acknowledged id and version.
func TestConcurrentRegistrations(t *testing.T) {
	_, topic, ins := startCluster(t, "concurrency", 3)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	const perInstance, senders, subjects, identical = 500, 4, 25, 60
	s := newSink()
	start := time.Now()
	var wg sync.WaitGroup
	for i, in := range ins {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sendDistinct(ctx, in, fmt.Sprintf("D%d", i), perInstance, senders, subjects, s, nil)
		}()
	}
	// Identical schemas: each round sends one schema to all three
	// instances at once.
	same := newSink()
	wg.Add(1)
	go func() {
		defer wg.Done()
		for k := range identical {
			subject := fmt.Sprintf("same-%d", k%10)
			schema := avroSchema(fmt.Sprintf("Same_%d", k))
			var round sync.WaitGroup
			gate := make(chan struct{})
			for _, in := range ins {
				round.Add(1)
				go func() {
					defer round.Done()
					<-gate
					same.registerRetrying(ctx, in, subject, schema)
				}()
			}
			close(gate)
			round.Wait()
		}
	}()
	wg.Wait()
	took := time.Since(start)

	acks, failures := s.snapshot()
	sameAcks, sameFailures := same.snapshot()
	t.Logf("%d distinct and %d identical registrations acknowledged in %v (%.0f/s)",
		len(acks), len(sameAcks), took, float64(len(acks)+len(sameAcks))/took.Seconds())
	if r := append(s.retries(), same.retries()...); len(r) > 0 {
		t.Logf("%d registrations were retried after an allowed failure (a broker bounce elsewhere?), e.g. %s", len(r), r[0])
	}
	for o, msgs := range failures {
		t.Errorf("%d distinct registrations failed with outcome %d, e.g. %s", len(msgs), o, msgs[0])
	}
	for o, msgs := range sameFailures {
		t.Errorf("%d identical registrations failed with outcome %d, e.g. %s", len(msgs), o, msgs[0])
	}
	if len(acks) != 3*perInstance || len(sameAcks) != 3*identical {
		t.Fatalf("acknowledged %d distinct (want %d) and %d identical (want %d)", len(acks), 3*perInstance, len(sameAcks), 3*identical)
	}
	// The three answers for one identical schema are one registration.
	bySchema := map[string][]ack{}
	for _, a := range sameAcks {
		bySchema[a.Sent] = append(bySchema[a.Sent], a)
	}
	for schema, as := range bySchema {
		for _, a := range as[1:] {
			if a.ID != as[0].ID || a.Version != as[0].Version || a.Subject != as[0].Subject {
				t.Fatalf("identical schema %s sent to all instances got %s/%d id %d from %s but %s/%d id %d from %s",
					schema, as[0].Subject, as[0].Version, as[0].ID, as[0].Instance, a.Subject, a.Version, a.ID, a.Instance)
			}
		}
	}

	all := append(acks, sameAcks...)
	verify := time.Now()
	converge(t, topic, ins...)
	checkAcks(t, all, ins...)
	checkIDsAgree(t, all, ins...)
	t.Logf("verification took %v", time.Since(verify))
}

// TestInstanceCrash kills one of three instances with SIGKILL in the
// middle of the load. The other two keep acknowledging registrations, no
// acknowledged registration is lost (including the dead instance's), and a
// replacement started on the same topic converges to the same state.
func TestInstanceCrash(t *testing.T) {
	bin, topic, ins := startCluster(t, "crash", 3)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	const perInstance, senders, subjects = 300, 3, 20
	victim := ins[2]
	s := newSink()
	var wg sync.WaitGroup
	killedAt := make(chan struct{})
	stopVictim := make(chan struct{})
	for i, in := range ins {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var stop <-chan struct{}
			if in == victim {
				stop = stopVictim
			}
			sendDistinct(ctx, in, fmt.Sprintf("C%d", i), perInstance, senders, subjects, s, stop)
		}()
	}
	// Kill the victim once a third of the load is acknowledged.
	if !s.acked.wait(ctx, int64(perInstance)) {
		t.Fatal("the load made no progress before the kill")
	}
	acks, _ := s.snapshot()
	beforeKill := countByInstance(acks)
	victim.kill()
	close(stopVictim)
	close(killedAt)
	<-killedAt
	wg.Wait()

	acks, failures := s.snapshot()
	if r := s.retries(); len(r) > 0 {
		t.Logf("%d registrations were retried after an allowed failure, e.g. %s", len(r), r[0])
	}
	after := countByInstance(acks)
	t.Logf("acknowledged before the kill: %v; at the end: %v", beforeKill, after)
	for _, in := range ins[:2] {
		if after[in.name]-beforeKill[in.name] == 0 {
			t.Errorf("%s acknowledged nothing after %s was killed", in.name, victim.name)
		}
	}
	for o, msgs := range failures {
		var survivors []string
		for _, m := range msgs {
			if !strings.HasPrefix(m, victim.name+":") {
				survivors = append(survivors, m)
			}
		}
		if len(survivors) > 0 {
			t.Errorf("%d registrations on surviving instances failed with outcome %d, e.g. %s", len(survivors), o, survivors[0])
		}
		t.Logf("%d failures with outcome %d (%d on survivors)", len(msgs), o, len(survivors))
	}
	if after[ins[0].name] != perInstance || after[ins[1].name] != perInstance {
		t.Errorf("survivors acknowledged %d and %d, want %d each", after[ins[0].name], after[ins[1].name], perInstance)
	}

	// A replacement replays the topic, dead instance's writes included.
	repl := startInstance(t, bin, topic, "charter-2b")
	repl.waitReady(t, 90*time.Second)
	live := []*instance{ins[0], ins[1], repl}
	converge(t, topic, live...)
	checkAcks(t, acks, live...)
	checkIDsAgree(t, acks, live...)
}

// brokerReachable reports whether the first broker accepts connections.
func brokerReachable(t *testing.T) bool {
	c, err := net.DialTimeout("tcp", brokers(t)[0], time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

func countByInstance(acks []ack) map[string]int {
	m := map[string]int{}
	for _, a := range acks {
		m[a.Instance]++
	}
	return m
}

// TestBrokerRestart stops the broker under load and starts it again.
// While it is down, every registration either fails with 50001/50002 or
// 503 or is acknowledged correctly, and reads keep answering from memory
// with the right schemas; an instance started during the outage is not
// ready (/readyz) until the broker is back. After the restart every
// instance acknowledges writes again by itself, and every acknowledged
// registration is present everywhere.
func TestBrokerRestart(t *testing.T) {
	script := os.Getenv("CHARTER_KAFKA_SCRIPT")
	if script == "" {
		brokers(t)
		t.Skip("CHARTER_KAFKA_SCRIPT is not set: skipping the broker restart test " +
			"(set it to the path of scripts/kafka.sh that started the broker)")
	}
	bin, topic, ins := startCluster(t, "restart", 2)
	run := func(cmd string) {
		t.Helper()
		out, err := exec.Command("bash", script, cmd).CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", script, cmd, err, out)
		}
		t.Logf("kafka.sh %s: %s", cmd, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() { _, _ = exec.Command("bash", script, "start").CombinedOutput() })

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	s := newSink()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var seq atomic.Int64
	for _, in := range ins {
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					n := seq.Add(1)
					a, o, msg := in.register(ctx, fmt.Sprintf("restart-%d", n%10), avroSchema(fmt.Sprintf("B_%d", n)))
					s.add(a, o, in.name+": "+msg)
					if o != acked {
						poll.Pause(ctx, 50*time.Millisecond) // do not spin while the broker is away
					}
				}
			}()
		}
	}
	// Reads of acknowledged ids must stay right throughout. The
	// instance that acknowledged a write has applied it, so it must
	// serve it; another instance may not have read it yet (it cannot
	// while the broker is down) and may answer 40403, but never another
	// schema.
	var readErrs, reads, lagging atomic.Int64
	var firstReadErr atomic.Pointer[string]
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			acks, _ := s.snapshot()
			if len(acks) == 0 {
				continue
			}
			a := acks[i%len(acks)]
			in := ins[i%len(ins)]
			st, raw, err := in.get(ctx, fmt.Sprintf("/schemas/ids/%d", a.ID))
			reads.Add(1)
			var got registered
			if in.name != a.Instance && st == http.StatusNotFound && errorCode(raw) == 40403 {
				lagging.Add(1)
				continue
			}
			if err != nil || st != http.StatusOK || jsonInto(raw, &got) != nil || got.Schema != a.Schema {
				readErrs.Add(1)
				msg := fmt.Sprintf("%s GET /schemas/ids/%d: %d %s %v (acknowledged %s)", in.name, a.ID, st, raw, err, a.Schema)
				firstReadErr.CompareAndSwap(nil, &msg)
			}
		}
	}()

	waitAcks := func(n int) {
		t.Helper()
		if !s.acked.wait(ctx, int64(n)) {
			t.Fatalf("only %d acknowledgements before the deadline, want %d", s.acked.load(), n)
		}
	}
	waitAcks(40)
	beforeStop, _ := s.snapshot()

	run("stop")
	down := time.Now()
	// Wait until writes fail, as they must with no broker. Another test
	// package may bounce the same broker at the same time: the checks
	// that need it down are skipped if it is back already.
	if poll.UntilCtx(ctx, func() bool {
		_, f := s.snapshot()
		if len(f[unavailable]) > 0 {
			t.Logf("a registration with the broker down: %s", f[unavailable][0])
			return true
		}
		if brokerReachable(t) {
			t.Log("the broker is back already (started by another test?): skipping the checks that need it down")
			return true
		}
		return false
	}) != nil {
		t.Fatal("no registration failed while the broker was down")
	}
	// A running instance keeps serving reads but is not ready: it cannot
	// take writes while the log is unreachable.
	if st, raw, err := ins[0].get(ctx, "/readyz"); err == nil && st == http.StatusOK && !brokerReachable(t) {
		t.Fatalf("/readyz of a running instance with the broker down: %d %s, want 503", st, raw)
	} else if err == nil {
		t.Logf("/readyz of a running instance with the broker down: %d %s", st, raw)
	}
	// An instance that starts now cannot serve: opening the log needs the
	// broker, so it keeps dialling and binds no port until the broker is
	// back; then it must come up by itself.
	late := spawnInstance(t, bin, topic, "charter-late")
	late.p.WaitLog(t, "unable to open connection to broker")
	if strings.Contains(late.p.Stderr(), `"msg":"charter serving"`) && !brokerReachable(t) {
		t.Fatalf("an instance started with the broker down serves before it could open the log:\n%s", late.p.Stderr())
	}
	run("start")
	up := time.Now()
	t.Logf("broker down for %v", up.Sub(down))

	// Recovery: every instance acknowledges a new registration by itself.
	for _, in := range ins {
		for i := 0; ; i++ {
			a, o, msg := in.register(ctx, "after-restart", avroSchema(fmt.Sprintf("After_%s_%d", strings.ReplaceAll(in.name, "-", "_"), i)))
			if o == acked {
				s.add(a, o, "")
				t.Logf("%s acknowledged a write %v after the broker started", in.name, time.Since(up).Round(time.Millisecond))
				break
			}
			if o == wrong || ctx.Err() != nil {
				t.Fatalf("%s after the restart: %s", in.name, msg)
			}
			poll.Pause(ctx, 200*time.Millisecond) // do not spin while the log is away
		}
	}
	late.waitAddr(t)
	late.waitReady(t, 90*time.Second)
	close(stop)
	wg.Wait()

	acks, failures := s.snapshot()
	t.Logf("%d acknowledged (%d before the stop), %d unavailable, %d reads", len(acks), len(beforeStop), len(failures[unavailable]), reads.Load())
	t.Logf("%d reads found an id acknowledged by the other instance not yet applied", lagging.Load())
	if msgs := failures[wrong]; len(msgs) > 0 {
		t.Fatalf("%d wrong answers, e.g. %s", len(msgs), msgs[0])
	}
	if msgs := failures[refused]; len(msgs) > 0 {
		t.Fatalf("%d requests found an instance gone, e.g. %s", len(msgs), msgs[0])
	}
	if n := readErrs.Load(); n > 0 {
		t.Fatalf("%d reads of acknowledged ids went wrong, e.g. %s", n, *firstReadErr.Load())
	}
	for _, in := range ins {
		in.mustJSON(t, http.MethodGet, "/readyz", nil, http.StatusOK, nil)
	}
	all := append(ins, late)
	converge(t, topic, all...)
	checkAcks(t, acks, all...)
	checkIDsAgree(t, acks, all...)
}
