package governance_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/charter-registry/charter/governance"
	"github.com/charter-registry/charter/internal/registrytest"
	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/storage"
)

var billing = registry.Principal{Name: "bill-ci", Teams: []string{"billing"}}

// okSender reports each delivery as it starts and accepts the first n;
// the next waits until delivery stops, so that no delivery is in flight
// when the test reads the state.
type okSender struct {
	started chan int64
	n       *int
}

func (s okSender) Send(ctx context.Context, _ string, body []byte, _ map[string]string) (int, error) {
	var e governance.ChangeEvent
	_ = json.Unmarshal(body, &e)
	select {
	case s.started <- e.Position:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	if *s.n == 0 {
		<-ctx.Done()
		return 0, ctx.Err()
	}
	*s.n--
	return 200, nil
}

// loopSnapshot is everything issue 15 added, as an admin reads it.
type loopSnapshot struct {
	Topics     []governance.Topic
	Window     governance.Window
	Reviews    []governance.Review
	Webhooks   []governance.Webhook
	Deliveries []governance.Delivery
	Digest     string
}

func loopState(t *testing.T, svc *registry.Service) loopSnapshot {
	t.Helper()
	g := gov(svc)
	w, err := g.Window(governance.Everyone(), "legacy")
	wantCode(t, "window", err, 0)
	hooks, err := g.Webhooks(as(admin))
	wantCode(t, "webhooks", err, 0)
	var ds []governance.Delivery
	if len(hooks) == 1 {
		ds, err = g.Deliveries(as(admin), hooks[0].ID, false)
		wantCode(t, "deliveries", err, 0)
	}
	w.SecondsLeft = nil // depends on the clock
	return loopSnapshot{
		Topics: g.Topics(governance.TopicFilter{Viewer: governance.Everyone()}), Window: w,
		Reviews: g.Reviews(governance.ReviewFilter{Viewer: governance.Everyone()}), Webhooks: hooks, Deliveries: ds,
		Digest: svc.State().Digest(),
	}
}

func runLoop(t *testing.T, l storage.Log) (*registry.Service, func()) {
	t.Helper()
	svc, _, stop := registrytest.RunStoppable(t, registrytest.WithLog(l),
		registrytest.WithAccess(registry.AccessConfig{Enforce: true}),
		registrytest.WithGovernance(governance.Config{WebhookSecret: []byte("a secret of sixteen bytes")}))
	return svc, stop
}

// TestConsumerLoopSurvivesRestart: visibility, upgrade windows, metadata,
// subscriptions, held and rejected reviews, webhooks and their deliveries are records
// of the log: a restart (plain, or after compaction) replays the same
// state and the same digest.
func TestConsumerLoopSurvivesRestart(t *testing.T) {
	registrytest.Restarted(t, runLoop, func(t *testing.T, svc *registry.Service) loopSnapshot {
		ctx := context.Background()
		g := gov(svc)
		for _, team := range []string{"payments", "billing"} {
			_, err := g.CreateTeam(as(admin), governance.Team{Name: team})
			wantCode(t, "team "+team, err, 0)
		}
		hook, err := g.CreateWebhook(as(admin), governance.WebhookCreate{URL: "https://hooks.example.com/charter"})
		wantCode(t, "webhook", err, 0)
		_, err = g.CreateTopic(as(payments), "orders", governance.TopicUpdate{Visibility: ptr(governance.Private), Consumers: &[]string{"billing"}, Review: ptr("required"),
			SLA: &governance.SLA{Freshness: "5m"}, Classification: ptr("internal")})
		wantCode(t, "orders", err, 0)
		_, err = g.Subscribe(as(billing), "orders", "billing", true)
		wantCode(t, "subscribe", err, 0)
		_, err = g.CreateTopic(as(payments), "legacy", governance.TopicUpdate{Consumers: &[]string{"billing"}})
		wantCode(t, "legacy", err, 0)
		_, err = g.UpdateTopic(as(payments), "legacy", governance.TopicUpdate{Lifecycle: ptr(governance.Deprecated), SunsetDate: ptr("2030-01-01")})
		wantCode(t, "deprecate", err, 0)
		_, err = g.SetMigration(as(billing), "legacy", "billing", governance.Migrated)
		wantCode(t, "migrate", err, 0)
		_, err = svc.Register(as(payments), "orders-value", registry.RegisterRequest{Schema: `{"type":"enum","name":"S","symbols":["A"],"default":"A"}`})
		wantCode(t, "v1", err, 0)
		_, err = svc.Register(as(payments), "orders-value", registry.RegisterRequest{Schema: `{"type":"enum","name":"S","symbols":["A","B"],"default":"A"}`})
		wantCode(t, "v2 held", err, registry.CodePendingReview)
		held := g.Reviews(governance.ReviewFilter{Viewer: governance.Everyone()})
		if len(held) != 1 {
			t.Fatalf("held reviews %+v", held)
		}
		_, err = g.Reject(registry.WithProvenance(as(billing), registry.Provenance{Reason: "not yet"}), held[0].ID)
		wantCode(t, "reject", err, 0)
		_, err = svc.Register(as(payments), "orders-value", registry.RegisterRequest{Schema: `{"type":"enum","name":"S","symbols":["A","C"],"default":"A"}`})
		wantCode(t, "v2 held again", err, registry.CodePendingReview)

		// Deliver the first events, so there are delivery records.
		n := 3
		sent := okSender{started: make(chan int64), n: &n}
		dctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			_ = g.Deliver(dctx, sent, governance.DeliveryConfig{})
		}()
		for range 4 { // three delivered and recorded, the fourth waits
			<-sent.started
		}
		cancel()
		<-done
		// The last delivery record may have been appended as the
		// delivery stopped: wait for everything the log holds.
		end, err := svc.LogEnd(ctx)
		if err != nil {
			t.Fatal(err)
		}
		registrytest.WaitApplied(t, svc, end)

		before := loopState(t, svc)
		if len(before.Reviews) != 2 || before.Reviews[0].State != governance.ReviewRejected || before.Reviews[0].Closed == nil || len(before.Deliveries) < 2 || before.Webhooks[0].ID != hook.ID || before.Window.Consumers[0].State != governance.Migrated {
			t.Fatalf("before the restart: %+v", before)
		}
		return before
	}, func(t *testing.T, again *registry.Service, before loopSnapshot) {
		registrytest.SameJSON(t, "after the restart", loopState(t, again), before)
		// And the private topic is still hidden from another team.
		if gov(again).CanReadTopic(governance.As(shipping), "orders") {
			t.Error("orders readable by shipping after the restart")
		}
	})
}
