package api_test

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/charter-registry/charter/api"
	"github.com/charter-registry/charter/governance"
	"github.com/charter-registry/charter/internal/registrytest"
	"github.com/charter-registry/charter/registry"
)

// receiver is a loopback webhook endpoint that refuses the first outage
// requests (the receiver is down) and records what it accepts.
type receiver struct {
	mu       sync.Mutex
	outage   int
	secret   []byte
	attempts int
	got      chan governance.ChangeEvent
	bad      []string
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.attempts++
	down := r.outage > 0
	if down {
		r.outage--
	}
	secret := r.secret
	r.mu.Unlock()
	if down {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		return
	}
	if sig := req.Header.Get(governance.SignatureHeader); !hmac.Equal([]byte(sig), []byte(governance.Sign(secret, body))) {
		r.mu.Lock()
		r.bad = append(r.bad, sig)
		r.mu.Unlock()
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var e governance.ChangeEvent
	if err := json.Unmarshal(body, &e); err != nil || strconv.FormatInt(e.Position, 10) != req.Header.Get(governance.PositionHeader) {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	r.got <- e
}

func (r *receiver) setOutage(n int) {
	r.mu.Lock()
	r.outage = n
	r.mu.Unlock()
}

// startDelivery runs governance's webhook delivery for the test.
func startDelivery(t *testing.T, svc *registry.Service, attempts int) {
	t.Helper()
	g := governance.Attach(svc, governance.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = g.Deliver(ctx, api.NewWebhookSender(5*time.Second), governance.DeliveryConfig{Attempts: attempts, Backoff: time.Millisecond, MaxBackoff: 4 * time.Millisecond})
	}()
	t.Cleanup(func() { cancel(); <-done })
}

func next(t *testing.T, ch chan governance.ChangeEvent) governance.ChangeEvent {
	t.Helper()
	select {
	case e := <-ch:
		return e
	case <-time.After(30 * time.Second): // a hang guard, not a synchronisation
		t.Fatal("no delivery")
		return governance.ChangeEvent{}
	}
}

// TestWebhooksDeliverSignedEventsInOrderThroughAnOutage: an admin
// configures a loopback receiver; events arrive signed and in order, a
// receiver outage is ridden out by retries with backoff, a delivery that
// uses up its attempts is recorded as failed, and replaying it delivers it.
func TestWebhooksDeliverSignedEventsInOrderThroughAnOutage(t *testing.T) {
	r := registrytest.Start(t, registrytest.WithGovernance(governance.Config{WebhookSecret: []byte("server secret for the test")}))
	rec := &receiver{got: make(chan governance.ChangeEvent, 16)}
	hs := httptest.NewServer(rec)
	t.Cleanup(hs.Close)
	do := func(method, path string, body any) response {
		t.Helper()
		res := send(t, r.URL, method, path, body, "")
		if res.status != http.StatusOK {
			t.Fatalf("%s %s: %d %s", method, path, res.status, res.body)
		}
		return res
	}
	var w governance.Webhook
	do("POST", "/v1/webhooks", map[string]any{"url": hs.URL + "/hook"}).json(t, &w)
	if w.Secret == "" || w.ID == "" {
		t.Fatalf("webhook %+v", w)
	}
	rec.mu.Lock()
	rec.secret = []byte(w.Secret)
	rec.mu.Unlock()
	var listed []governance.Webhook
	do("GET", "/v1/webhooks", nil).json(t, &listed)
	if len(listed) != 1 || listed[0].Secret != "" {
		t.Errorf("listed webhooks %+v: the secret is shown only once", listed)
	}

	rec.setOutage(3) // the first event needs four attempts
	startDelivery(t, r.Service, 5)
	do("POST", "/v1/catalog/teams", map[string]any{"name": "payments"})
	do("POST", "/v1/catalog/topics", map[string]any{"name": "orders", "owner": "payments"})
	do("POST", "/subjects/orders-value/versions", map[string]any{"schema": `"string"`})
	var types []string
	var last int64 = -1
	for range 4 { // webhook.created, team, topic, schema
		e := next(t, rec.got)
		if e.Position <= last {
			t.Errorf("event %d after %d: out of order", e.Position, last)
		}
		last = e.Position
		types = append(types, string(e.Type))
	}
	if want := []string{"webhook.created", "team.created", "topic.created", "schema.registered"}; !slices.Equal(types, want) {
		t.Errorf("delivered %v, want %v", types, want)
	}
	var ds []governance.Delivery
	do("GET", "/v1/webhooks/"+w.ID+"/deliveries", nil).json(t, &ds)
	if len(ds) < 3 || ds[0].Attempts != 4 || ds[0].Status != governance.Delivered || ds[1].Attempts != 1 {
		t.Errorf("deliveries %+v, want the first after 4 attempts", ds)
	}

	// A longer outage uses up the attempts: the delivery fails, the next
	// event goes on, and replaying the failed one delivers it.
	rec.setOutage(5)
	do("PUT", "/v1/catalog/topics/orders", map[string]any{"description": "Orders placed"})
	do("PUT", "/v1/catalog/topics/orders", map[string]any{"description": "One record per order"})
	after := next(t, rec.got)
	var failed []governance.Delivery
	do("GET", "/v1/webhooks/"+w.ID+"/deliveries?failed=true", nil).json(t, &failed)
	if len(failed) != 1 || failed[0].Attempts != 5 || failed[0].HTTPStatus != http.StatusServiceUnavailable || failed[0].Position >= after.Position {
		t.Fatalf("failed deliveries %+v (then delivered %d)", failed, after.Position)
	}
	do("POST", "/v1/webhooks/"+w.ID+"/deliveries/"+strconv.FormatInt(failed[0].Position, 10)+"/replay", nil)
	if e := next(t, rec.got); e.Position != failed[0].Position {
		t.Errorf("replayed %d, want %d", e.Position, failed[0].Position)
	}
	rec.mu.Lock()
	bad := rec.bad
	rec.mu.Unlock()
	if len(bad) > 0 {
		t.Errorf("bad signatures: %v", bad)
	}
	// The replayed delivery is recorded delivered again.
	registrytest.WaitApplied(t, r.Service, mustEnd(t, r))
	guard := time.After(30 * time.Second) // a hang guard
	for {
		applied := r.Service.Applied()
		do("GET", "/v1/webhooks/"+w.ID+"/deliveries?failed=true", nil).json(t, &failed)
		var all []governance.Delivery
		do("GET", "/v1/webhooks/"+w.ID+"/deliveries", nil).json(t, &all)
		replayed := false
		for _, d := range all {
			replayed = replayed || (d.Replays == 1 && d.Status == governance.Delivered)
		}
		if replayed && len(failed) == 0 {
			break
		}
		select {
		case <-applied:
		case <-guard:
			t.Fatalf("the replay was not recorded: %+v", all)
		}
	}
}

func mustEnd(t *testing.T, r *registrytest.Registry) int64 {
	t.Helper()
	e, err := r.Log.End(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestWebhookConfigurationIsForAdmins: creating, listing and replaying
// webhooks is for admins, and a server without a signing secret refuses
// to create one.
func TestWebhookConfigurationIsForAdmins(t *testing.T) {
	r := registrytest.Start(t)
	res := send(t, r.URL, "POST", "/v1/webhooks", map[string]any{"url": "https://hooks.example.com/charter"}, "")
	if res.status != http.StatusUnprocessableEntity {
		t.Errorf("a webhook without a server secret: %d %s", res.status, res.body)
	}
	m := newReadMatrix(t)
	for _, who := range []string{readOwner, readOther} {
		if res := m.call(who, "GET", "/v1/webhooks", nil); res.status != http.StatusForbidden {
			t.Errorf("list webhooks as %s: %d", who, res.status)
		}
		if res := m.call(who, "POST", "/v1/webhooks", map[string]any{"url": "https://hooks.example.com/x"}); res.status != http.StatusForbidden {
			t.Errorf("create a webhook as %s: %d", who, res.status)
		}
		if res := m.call(who, "GET", "/v1/webhooks/0b82f3c4cf9a5001", nil); res.status != http.StatusForbidden {
			t.Errorf("read a webhook as %s: %d", who, res.status)
		}
	}
}

// TestWebhookCanBeReadByID: GET /v1/webhooks/{id} answers the webhook as
// the listing shows it (no secret), and 404 for an unknown id.
func TestWebhookCanBeReadByID(t *testing.T) {
	t.Parallel()
	r := registrytest.Start(t, registrytest.WithGovernance(governance.Config{WebhookSecret: []byte("server secret for the test")}))
	var created, got governance.Webhook
	res := send(t, r.URL, "POST", "/v1/webhooks", map[string]any{"url": "https://hooks.example.com/charter", "topics": []string{"orders"}}, "")
	if res.status != http.StatusOK {
		t.Fatalf("create: %d %s", res.status, res.body)
	}
	res.json(t, &created)
	res = send(t, r.URL, "GET", "/v1/webhooks/"+created.ID, nil, "")
	if res.status != http.StatusOK {
		t.Fatalf("get: %d %s", res.status, res.body)
	}
	res.json(t, &got)
	created.Secret = ""
	if !reflect.DeepEqual(got, created) {
		t.Errorf("got %+v, want %+v", got, created)
	}
	res = send(t, r.URL, "GET", "/v1/webhooks/nope", nil, "")
	var e struct{ Message string }
	res.json(t, &e)
	if res.status != http.StatusNotFound || e.Message != "Webhook 'nope' not found" {
		t.Errorf("unknown: %d %s", res.status, res.body)
	}
}
