package governance_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/charter-registry/charter/governance"
	"github.com/charter-registry/charter/internal/registrytest"
	"github.com/charter-registry/charter/registry"
)

// TestGovernanceReachesASecondInstanceOnKafka writes ownership and audit
// through one instance and checks that a second instance on the same
// topic serves the same catalogue, audit trail and digest, enforces the
// same ownership, and that a third instance started afterwards replays
// it all.
func TestGovernanceReachesASecondInstanceOnKafka(t *testing.T) {
	for name, brokers := range registrytest.KafkaClusters(t) {
		t.Run(name, func(t *testing.T) {
			topic := fmt.Sprintf("charter-governance-%d", time.Now().UnixNano())
			a, _ := startOn(t, registrytest.OpenKafka(t, brokers, topic))
			b, _ := startOn(t, registrytest.OpenKafka(t, brokers, topic))

			governanceHistory(t, a)
			pos, _ := a.Progress()
			registrytest.WaitApplied(t, b, pos)
			want := governed(t, a)
			sameGoverned(t, "second instance", governed(t, b), want)
			checkEnforced(t, b)

			// A change made through the second instance reaches the first.
			_, err := gov(b).UpdateTopic(as(payments), "parcels", governance.TopicUpdate{Owner: ptr("shipping")})
			wantCode(t, "hand parcels back through b", err, 0)
			pos, _ = b.Progress()
			registrytest.WaitApplied(t, a, pos)
			if o, _ := gov(a).SubjectOwnership(governance.Everyone(), "parcels-value"); o.Team != "shipping" {
				t.Errorf("a sees parcels-value owned by %q, want shipping", o.Team)
			}
			_, err = a.Register(as(shipping), "parcels-value", registry.RegisterRequest{Schema: orderV2})
			wantCode(t, "shipping writes through a after the hand-back", err, 0)

			pos, _ = a.Progress()
			c, _ := startOn(t, registrytest.OpenKafka(t, brokers, topic))
			registrytest.WaitApplied(t, c, pos)
			registrytest.WaitApplied(t, b, pos)
			sameGoverned(t, "third instance, replayed", governed(t, c), governed(t, a))
			sameGoverned(t, "second instance, tailed", governed(t, b), governed(t, a))
		})
	}
}

// TestConcurrentGovernanceWritesOnTwoInstances writes teams, topics and
// schemas through two instances at once on one Kafka topic: every write
// succeeds once, each is audited exactly once, and both instances end with
// the same state.
func TestConcurrentGovernanceWritesOnTwoInstances(t *testing.T) {
	for name, brokers := range registrytest.KafkaClusters(t) {
		t.Run(name, func(t *testing.T) {
			topic := fmt.Sprintf("charter-governance-concurrent-%d", time.Now().UnixNano())
			a, _ := startOn(t, registrytest.OpenKafka(t, brokers, topic))
			b, _ := startOn(t, registrytest.OpenKafka(t, brokers, topic))
			_, err := gov(a).CreateTeam(as(admin), governance.Team{Name: "payments"})
			wantCode(t, "team", err, 0)
			const perInstance = 15
			errs := make(chan error, 2*perInstance*2)
			var wg sync.WaitGroup
			for i, svc := range []*registry.Service{a, b} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for n := range perInstance {
						name := fmt.Sprintf("t%d-%d", i, n)
						if _, err := gov(svc).CreateTopic(as(payments), name, governance.TopicUpdate{}); err != nil {
							errs <- fmt.Errorf("create %s: %w", name, err)
						}
						if _, err := svc.Register(as(payments), name+"-value", registry.RegisterRequest{Schema: orderV1}); err != nil {
							errs <- fmt.Errorf("register %s: %w", name, err)
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			pa, _ := a.Progress()
			pb, _ := b.Progress()
			registrytest.WaitApplied(t, a, max(pa, pb))
			registrytest.WaitApplied(t, b, max(pa, pb))
			ga, gb := governed(t, a), governed(t, b)
			sameGoverned(t, "two writers", gb, ga)
			if len(ga.Topics) != 2*perInstance || len(ga.Audit) != 1+4*perInstance {
				t.Errorf("%d topics and %d audit entries, want %d and %d", len(ga.Topics), len(ga.Audit), 2*perInstance, 1+4*perInstance)
			}
		})
	}
}
