package clustertest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charter-registry/charter/internal/poll"
	"github.com/charter-registry/charter/internal/registrytest"
)

// leaseFlags make an instance eligible for the writer lease, reachable at
// the port it binds, with a lease of writerLease ("" for the default,
// 10 s).
func leaseFlags(writerLease string) []string {
	f := []string{"--kafka-replication-factor", "1", "--advertised-url", "http://127.0.0.1:0"}
	if writerLease != "" {
		f = append(f, "--writer-lease", writerLease)
	}
	return f
}

// startLeasedCluster starts n instances eligible for the writer lease
// (of writerLease, see leaseFlags) on a fresh topic, all ready, with
// compatibility NONE, and returns them with the one holding the lease
// first.
func startLeasedCluster(t *testing.T, name string, n int, writerLease string) (bin, topic string, ins []*instance) {
	t.Helper()
	bin = registrytest.BuildBinary(t)
	topic = freshTopic(t, name)
	flags := leaseFlags(writerLease)
	ins = append(ins, startInstanceOn(t, bin, topic, "charter-0", brokers(t), flags...))
	ins[0].waitReady(t, 90*time.Second)
	for i := 1; i < n; i++ {
		ins = append(ins, startInstanceOn(t, bin, topic, fmt.Sprintf("charter-%d", i), brokers(t), flags...))
	}
	for _, in := range ins[1:] {
		in.waitReady(t, 90*time.Second)
	}
	holder := waitHolder(t, ins)
	for i, in := range ins {
		if in == holder {
			ins[0], ins[i] = ins[i], ins[0]
		}
	}
	ins[1].mustJSON(t, http.MethodPut, "/config", map[string]string{"compatibility": "NONE"}, http.StatusOK, nil)
	return bin, topic, ins
}

// metric returns the value of the sample line starting with name (with
// its labels) in in's /metrics, or -1 when it has none.
func (in *instance) metric(t *testing.T, name string) float64 {
	t.Helper()
	st, raw, err := in.get(context.Background(), "/metrics")
	if err != nil || st != http.StatusOK {
		t.Fatalf("%s /metrics: %d %v", in.name, st, err)
	}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: metric %s = %q", in.name, name, v)
			}
			return f
		}
	}
	return -1
}

// waitHolder waits until exactly one of ins holds the writer lease and
// every other one forwards to it, and returns it.
func waitHolder(t *testing.T, ins []*instance) *instance {
	t.Helper()
	var holder *instance
	poll.Until(t, 60*time.Second, "one instance holding the writer lease", func() bool {
		holder = nil
		for _, in := range ins {
			if in.metric(t, "charter_writer_lease_held") == 1 {
				if holder != nil {
					return false
				}
				holder = in
			}
		}
		return holder != nil
	})
	return holder
}

func forwarded(t *testing.T, in *instance) float64 {
	return in.metric(t, `charter_forwarded_requests_total{result="forwarded"}`)
}

// Registrations sent to the instances that do not hold the writer lease
// are forwarded to the one that does (the followers count them, the
// holder forwards nothing), and a client reading on the follower right
// after its registration was answered reads it: by id, by subject and
// version, and in the subject's version list.
func TestWritesForwardedToTheLeaseHolder(t *testing.T) {
	// The default lease: a follower writes itself whenever it has not
	// seen a renewal for a whole lease, which on a loaded machine a 3 s
	// lease makes ordinary.
	_, topic, ins := startLeasedCluster(t, "forward", 3, "")
	holder, followers := ins[0], ins[1:]
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	const perFollower = 40
	before := map[string]float64{}
	for _, in := range ins {
		before[in.name] = forwarded(t, in)
	}
	var acks []ack
	for i, in := range followers {
		for j := range perFollower {
			subject := fmt.Sprintf("ryw-%d", j%5)
			schema := avroSchema(fmt.Sprintf("F%d_%d", i, j))
			a, o, msg := in.register(ctx, subject, schema)
			if o != acked {
				t.Fatalf("%s: registration %d: %s", in.name, j, msg)
			}
			acks = append(acks, a)
			// Read-your-writes on the follower, at once.
			var byID struct{ Schema string }
			in.mustJSON(t, http.MethodGet, fmt.Sprintf("/schemas/ids/%d", a.ID), nil, http.StatusOK, &byID)
			var v registered
			in.mustJSON(t, http.MethodGet, fmt.Sprintf("/subjects/%s/versions/%d", url.PathEscape(subject), a.Version), nil, http.StatusOK, &v)
			if v.ID != a.ID {
				t.Fatalf("%s: %s version %d has id %d right after it was registered with id %d", in.name, subject, a.Version, v.ID, a.ID)
			}
			var versions []int
			in.mustJSON(t, http.MethodGet, "/subjects/"+url.PathEscape(subject)+"/versions", nil, http.StatusOK, &versions)
			if len(versions) == 0 || versions[len(versions)-1] < a.Version {
				t.Fatalf("%s: %s lists versions %v right after version %d was registered", in.name, subject, versions, a.Version)
			}
		}
	}
	for _, in := range followers {
		if got := forwarded(t, in) - before[in.name]; got < perFollower {
			t.Errorf("%s forwarded %v registrations, want %d", in.name, got, perFollower)
		}
		// Not asserted: a renewal late by a whole lease is a matter of load.
		t.Logf("%s wrote %v forwardable writes itself", in.name, in.metric(t, `charter_forwarded_requests_total{result="local"}`))
	}
	if got := forwarded(t, holder) - before[holder.name]; got != 0 {
		t.Errorf("the holder %s forwarded %v writes", holder.name, got)
	}
	// A read is never forwarded: a lookup and a compatibility check on a
	// follower leave its counter alone.
	f := followers[0]
	n := forwarded(t, f)
	a := acks[0]
	f.mustJSON(t, http.MethodPost, "/subjects/"+url.PathEscape(a.Subject), map[string]string{"schema": a.Sent}, http.StatusOK, nil)
	f.mustJSON(t, http.MethodPost, "/compatibility/subjects/"+url.PathEscape(a.Subject)+"/versions", map[string]string{"schema": a.Sent}, http.StatusOK, nil)
	if got := forwarded(t, f); got != n {
		t.Errorf("a lookup and a compatibility check were forwarded (%v -> %v)", n, got)
	}
	checkAcks(t, acks, ins...)
	checkIDsAgree(t, acks, ins...)
	_ = topic
}

// The instance holding the writer lease is killed with SIGKILL under
// load: the registrations the followers forward to it are written by the
// followers themselves meanwhile, another instance takes the lease over
// and the writes are forwarded to it, and no acknowledged registration is
// lost or shares its id with another.
func TestWriterLeaseHolderKilled(t *testing.T) {
	_, _, ins := startLeasedCluster(t, "lease-kill", 3, "3s") // a take-over within seconds
	holder, survivors := ins[0], ins[1:]
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	s := newSink()
	stop := make(chan struct{})
	stopHolder := make(chan struct{})
	var wg sync.WaitGroup
	for i, in := range ins {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := stop
			if in == holder {
				st = stopHolder
			}
			sendDistinct(ctx, in, fmt.Sprintf("K%d", i), 1<<20, 3, 10, s, st)
		}()
	}
	if !s.acked.wait(ctx, 150) {
		t.Fatal("the load made no progress before the kill")
	}
	holder.kill()
	close(stopHolder)
	acks, _ := s.snapshot()
	atKill := len(acks)
	// A survivor takes the lease over; the other forwards to it again.
	next := waitHolder(t, survivors)
	var other *instance
	for _, in := range survivors {
		if in != next {
			other = in
		}
	}
	fwdAt := forwarded(t, other)
	if !s.acked.wait(ctx, int64(atKill+150)) {
		t.Fatal("no progress after the take-over")
	}
	poll.Until(t, 60*time.Second, other.name+" forwarding to the new holder "+next.name, func() bool {
		return forwarded(t, other) > fwdAt
	})
	close(stop)
	wg.Wait()

	acks, failures := s.snapshot()
	for o, msgs := range failures {
		var onSurvivors []string
		for _, m := range msgs {
			if !strings.HasPrefix(m, holder.name+":") {
				onSurvivors = append(onSurvivors, m)
			}
		}
		if len(onSurvivors) > 0 {
			t.Errorf("%d registrations on surviving instances failed with outcome %d, e.g. %s", len(onSurvivors), o, onSurvivors[0])
		}
	}
	t.Logf("%d registrations acknowledged, %d before the kill; %s took the lease over; %s fell back to writing itself %v times",
		len(acks), atKill, next.name, other.name, other.metric(t, `charter_forwarded_requests_total{result="local"}`))
	checkAcks(t, acks, survivors...)
	checkIDsAgree(t, acks, survivors...)
}
