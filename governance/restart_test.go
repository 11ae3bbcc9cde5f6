package governance_test

import (
	"context"
	"testing"

	"github.com/charter-registry/charter/governance"
	"github.com/charter-registry/charter/internal/registrytest"
	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/storage"
)

// governedSnapshot is everything governance serves, for comparing states.
type governedSnapshot struct {
	Teams   []governance.Team
	Topics  []governance.Topic
	Audit   []registry.AuditEntry
	Changes []governance.ChangeEvent
	Digest  string
}

func governed(t *testing.T, svc *registry.Service) governedSnapshot {
	t.Helper()
	ch, err := gov(svc).Changes(context.Background(), governance.ChangeQuery{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return governedSnapshot{
		Teams:   gov(svc).Teams(),
		Topics:  gov(svc).Topics(governance.TopicFilter{}),
		Audit:   gov(svc).Audit(governance.AuditFilter{Limit: 1000}),
		Changes: ch.Events,
		Digest:  svc.State().Digest(),
	}
}

// startOn runs an enforcing Service over log until the test ends or stop
// is called.
func startOn(t *testing.T, log storage.Log) (*registry.Service, func()) {
	t.Helper()
	svc, _, stop := registrytest.RunStoppable(t, registrytest.WithLog(log),
		registrytest.WithAccess(registry.AccessConfig{Enforce: true, Unowned: registry.UnownedAdminOnly}))
	return svc, stop
}

// governanceHistory makes the writes whose results must survive: teams,
// topics, registrations, a hand-over, config changes and deletes.
func governanceHistory(t *testing.T, svc *registry.Service) {
	t.Helper()
	seedCatalog(t, svc)
	steps := []func() error{
		func() error {
			_, err := svc.Register(as(payments), "orders-value", registry.RegisterRequest{Schema: orderV1})
			return err
		},
		func() error {
			_, err := svc.Register(as(payments), "orders-value", registry.RegisterRequest{Schema: orderV2})
			return err
		},
		func() error {
			_, err := svc.Register(as(shipping), "parcels-value", registry.RegisterRequest{Schema: orderV1})
			return err
		},
		func() error {
			_, err := svc.SetConfig(as(payments), "orders-value", registry.Config{Normalize: ptr(true)})
			return err
		},
		func() error {
			_, err := gov(svc).CreateTopic(as(payments), "orders-v2", governance.TopicUpdate{Docs: &[]governance.Link{{Title: "Runbook", URL: "https://wiki.example.com/orders"}}})
			return err
		},
		func() error {
			_, err := gov(svc).UpdateTopic(as(payments), "orders", governance.TopicUpdate{Lifecycle: ptr(governance.Deprecated), Successor: ptr("orders-v2")})
			return err
		},
		func() error {
			_, err := gov(svc).UpdateTopic(as(shipping), "parcels", governance.TopicUpdate{Consumers: &[]string{"billing"}, Producers: &[]string{"warehouse"}})
			return err
		},
		func() error {
			_, err := svc.DeleteVersion(as(payments), "orders-value", 1, false)
			return err
		},
		func() error {
			_, err := svc.DeleteVersion(as(payments), "orders-value", 1, true)
			return err
		},
		func() error {
			_, err := gov(svc).UpdateTopic(as(shipping), "parcels", governance.TopicUpdate{Owner: ptr("payments")})
			return err
		},
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
}

// checkEnforced checks that ownership still decides who may write.
func checkEnforced(t *testing.T, svc *registry.Service) {
	t.Helper()
	_, err := svc.Register(as(shipping), "orders-value", registry.RegisterRequest{Schema: orderV2})
	wantCode(t, "shipping writes orders-value", err, registry.CodeForbidden)
	_, err = svc.Register(as(shipping), "parcels-value", registry.RegisterRequest{Schema: orderV2})
	wantCode(t, "shipping writes parcels-value after handing it over", err, registry.CodeForbidden)
	_, err = svc.Register(as(payments), "loose", registry.RegisterRequest{Schema: orderV2})
	wantCode(t, "unowned subject under admin-only", err, registry.CodeForbidden)
}

func sameGoverned(t *testing.T, what string, got, want governedSnapshot) {
	t.Helper()
	registrytest.SameJSON(t, what+": governance differs", got, want)
}

func TestGovernanceSurvivesRestartFromDisk(t *testing.T) {
	registrytest.Restarted(t, startOn, func(t *testing.T, svc *registry.Service) governedSnapshot {
		governanceHistory(t, svc)
		before := governed(t, svc)
		if len(before.Audit) != 14 || len(before.Topics) != 3 || len(before.Teams) != 2 {
			t.Fatalf("history: %d audit entries, %d topics, %d teams", len(before.Audit), len(before.Topics), len(before.Teams))
		}
		return before
	}, func(t *testing.T, again *registry.Service, before governedSnapshot) {
		sameGoverned(t, "after restart", governed(t, again), before)
		checkEnforced(t, again)
		o, err := gov(again).SubjectOwnership(governance.Everyone(), "parcels-value")
		wantCode(t, "ownership", err, 0)
		if o.Team != "payments" {
			t.Errorf("parcels-value owned by %q after restart, want payments", o.Team)
		}
	})
}
