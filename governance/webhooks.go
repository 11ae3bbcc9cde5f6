package governance

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/charter-registry/charter/registry"
)

// Webhooks. An admin configures a URL; change events are POSTed to it in
// log order, as JSON, signed with HMAC-SHA256. A failed delivery is
// retried with exponential backoff; its outcome (delivered, or failed
// after the last attempt) is a DELIVERY record, so deliveries and failures
// are visible on every instance and survive restarts, and any of them can
// be replayed.
//
// Each webhook's signing secret is HMAC-SHA256(server secret, webhook id):
// the server secret comes from the configuration of every instance
// (Config.WebhookSecret), never from the log, and the webhook's secret is
// shown once, to the admin who creates it.

// The keytypes of webhooks and their deliveries.
const (
	KeyWebhook  registry.KeyType = "WEBHOOK"
	KeyDelivery registry.KeyType = "DELIVERY"
)

// The operations of webhook configuration.
const (
	OpWebhookCreated registry.Operation = "webhook.created"
	OpWebhookDeleted registry.Operation = "webhook.deleted"
)

// The headers of a delivery.
const (
	SignatureHeader = "X-Charter-Signature" // sha256=<hex HMAC of the body>
	WebhookHeader   = "X-Charter-Webhook"
	PositionHeader  = "X-Charter-Position"
)

// Webhook is a URL that receives change events.
type Webhook struct {
	ID  string `json:"id"`
	URL string `json:"url"`
	// Topics, when set, keep only events about these topics.
	Topics []string `json:"topics,omitempty"`
	// From is the first position delivered: the log's position when the
	// webhook was created.
	From    int64     `json:"from"`
	Created time.Time `json:"created"`
	// Secret is the signing secret, shown only in the answer to its
	// creation.
	Secret string `json:"secret,omitempty"`
}

// WebhookCreate is the body of a webhook's creation.
type WebhookCreate struct {
	URL    string   `json:"url"`
	Topics []string `json:"topics,omitempty"`
}

// Delivery is the outcome of delivering one event to one webhook.
type Delivery struct {
	Webhook  string `json:"webhook"`
	Position int64  `json:"position"`
	// Status is delivered, failed (every attempt failed) or replaying (a
	// replay was asked for and is not done yet).
	Status     string    `json:"status"`
	Attempts   int       `json:"attempts"`
	HTTPStatus int       `json:"httpStatus,omitempty"`
	Error      string    `json:"error,omitempty"`
	Time       time.Time `json:"time"`
	// Replays counts how often the delivery was replayed.
	Replays int `json:"replays,omitempty"`
}

// The delivery statuses.
const (
	Delivered = "delivered"
	Failed    = "failed"
)

// Sender sends one request; the api package's WebhookSender does it over
// HTTP. Status is the response's, err a failure to get one.
type Sender interface {
	Send(ctx context.Context, url string, body []byte, header map[string]string) (status int, err error)
}

// DeliveryConfig tunes delivery.
type DeliveryConfig struct {
	// Attempts per event before it is recorded as failed (5 by default).
	Attempts int
	// Backoff is the wait after the first failure, doubled after each
	// further one up to MaxBackoff (500 ms and 30 s by default).
	Backoff, MaxBackoff time.Duration
}

// deliveryKey is the key (a DELIVERY record's subject) of webhook's
// delivery of the event at position pos.
func deliveryKey(webhook string, pos int64) string {
	return webhook + "/" + strconv.FormatInt(pos, 10)
}

// secretOf is webhook id's signing secret.
func (g *Governance) secretOf(id string) []byte {
	m := hmac.New(sha256.New, g.cfg.WebhookSecret)
	m.Write([]byte("charter webhook " + id))
	return []byte(hex.EncodeToString(m.Sum(nil)))
}

// Sign is the signature header value of body under secret: sha256= and
// the hex HMAC-SHA256. Receivers compute it the same way to check a
// delivery.
func Sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// CreateWebhook adds a webhook; admins only. The answer holds its signing
// secret, which is not shown again.
func (g *Governance) CreateWebhook(ctx context.Context, c WebhookCreate) (Webhook, error) {
	var topics []string
	check := func() (err error) {
		if !registry.IsHTTPLink(c.URL) || len(c.URL) > 2048 {
			return registry.Errorf(registry.CodeInvalidRequest, "Invalid webhook url %q: use an absolute http or https URL with a host name and %s", c.URL, registry.LinkHint)
		}
		topics, err = cleanList("topics", c.Topics)
		return err
	}
	var out Webhook
	err := g.svc.MutateAlone(ctx, check, func(m *registry.Mutation) error {
		if err := m.RequireAdmin("configure webhooks"); err != nil {
			return err
		}
		if len(g.cfg.WebhookSecret) == 0 {
			return registry.Errorf(registry.CodeInvalidRequest, "Webhooks need a signing secret: start charter with --webhook-secret-file (the same file on every instance)")
		}
		var id [8]byte
		_, _ = rand.Read(id[:])
		w := Webhook{ID: hex.EncodeToString(id[:]), URL: c.URL, Topics: topics, From: m.Snapshot().Position(), Created: g.svc.Now().UTC()}
		rec, err := g.webhookRecs.Record(w.ID, w)
		if err != nil {
			return err
		}
		out = w
		m.Append(rec)
		return m.Audit(registry.AuditEntry{Operation: OpWebhookCreated, After: registry.RawJSON(w)})
	})
	if err != nil {
		return Webhook{}, registry.WriteError(err, "create webhook", "create webhook")
	}
	out.Secret = string(g.secretOf(out.ID))
	return out, nil
}

// DeleteWebhook removes a webhook; admins only. Its deliveries stay.
func (g *Governance) DeleteWebhook(ctx context.Context, id string) (Webhook, error) {
	var out Webhook
	err := g.svc.MutateAlone(ctx, nil, func(m *registry.Mutation) error {
		if err := m.RequireAdmin("configure webhooks"); err != nil {
			return err
		}
		g.mu.RLock()
		w, ok := g.webhooks[id]
		g.mu.RUnlock()
		if !ok {
			return errWebhookNotFound(id)
		}
		out = w
		m.Append(g.webhookRecs.Tombstone(id))
		return m.Audit(registry.AuditEntry{Operation: OpWebhookDeleted, Before: registry.RawJSON(w)})
	})
	if err != nil {
		return Webhook{}, registry.WriteError(err, "delete webhook", fmt.Sprintf("delete webhook %q", id))
	}
	return out, nil
}

func errWebhookNotFound(id string) error {
	return registry.Errorf(registry.CodeNotFound, "Webhook '%s' not found", id)
}

// Webhooks lists the webhooks, by id; admins only.
func (g *Governance) Webhooks(ctx context.Context) ([]Webhook, error) {
	if _, err := g.svc.AuthorizeAdmin(ctx, "read webhooks"); err != nil {
		return nil, err
	}
	g.mu.RLock()
	defer g.mu.RUnlock()
	out := []Webhook{}
	for _, id := range sortedKeys(g.webhooks) {
		out = append(out, g.webhooks[id])
	}
	return out, nil
}

// Webhook returns one webhook, without its secret; admins only.
func (g *Governance) Webhook(ctx context.Context, id string) (Webhook, error) {
	if _, err := g.svc.AuthorizeAdmin(ctx, "read webhooks"); err != nil {
		return Webhook{}, err
	}
	g.mu.RLock()
	defer g.mu.RUnlock()
	w, ok := g.webhooks[id]
	if !ok {
		return Webhook{}, errWebhookNotFound(id)
	}
	return w, nil
}

// Deliveries lists a webhook's deliveries in position order; admins only.
// With failedOnly, only the failed ones.
func (g *Governance) Deliveries(ctx context.Context, id string, failedOnly bool) ([]Delivery, error) {
	if _, err := g.svc.AuthorizeAdmin(ctx, "read webhook deliveries"); err != nil {
		return nil, err
	}
	g.mu.RLock()
	defer g.mu.RUnlock()
	if _, ok := g.webhooks[id]; !ok {
		return nil, errWebhookNotFound(id)
	}
	return g.deliveriesLocked(id, failedOnly), nil
}

func (g *Governance) deliveriesLocked(id string, failedOnly bool) []Delivery {
	out := []Delivery{}
	for _, d := range g.deliveries {
		if d.Webhook == id && (!failedOnly || d.Status == Failed) {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b Delivery) int { return cmp.Compare(a.Position, b.Position) })
	return out
}

// Replay asks for the event at pos to be delivered to webhook id again;
// admins only. The delivering instance sends it next, before newer
// events, and records the new outcome.
func (g *Governance) Replay(ctx context.Context, id string, pos int64) (Delivery, error) {
	var out Delivery
	err := g.svc.MutateAlone(ctx, nil, func(m *registry.Mutation) error {
		if err := m.RequireAdmin("replay webhook deliveries"); err != nil {
			return err
		}
		g.mu.RLock()
		_, ok := g.webhooks[id]
		d, done := g.deliveries[deliveryKey(id, pos)]
		g.mu.RUnlock()
		if !ok {
			return errWebhookNotFound(id)
		}
		if !done {
			return registry.Errorf(registry.CodeNotFound, "Webhook '%s' has no delivery at position %d", id, pos)
		}
		d.Status, d.Replays = "replaying", d.Replays+1
		out = d
		rec, err := g.deliveryRecs.Record(deliveryKey(id, pos), d)
		if err != nil {
			return err
		}
		m.Append(rec)
		return nil
	})
	if err != nil {
		return Delivery{}, registry.WriteError(err, "replay", fmt.Sprintf("replay delivery %d of webhook %q", pos, id))
	}
	return out, nil
}

// Deliver sends change events to every webhook until ctx ends: in log
// order per webhook, each retried with backoff until it is delivered or
// its attempts are used up, with the outcome written as a DELIVERY record.
// Run it on one instance.
func (g *Governance) Deliver(ctx context.Context, send Sender, cfg DeliveryConfig) error {
	if cfg.Attempts <= 0 {
		cfg.Attempts = 5
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = 500 * time.Millisecond
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 30 * time.Second
	}
	for {
		wake := g.svc.Applied()
		worked := false
		g.mu.RLock()
		hooks := make([]Webhook, 0, len(g.webhooks))
		for _, id := range sortedKeys(g.webhooks) {
			hooks = append(hooks, g.webhooks[id])
		}
		g.mu.RUnlock()
		for _, w := range hooks {
			did, err := g.deliverNext(ctx, send, cfg, w)
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if err != nil {
				// The outcome is not recorded (the log refuses writes, say):
				// the event goes again after a pause, at least once.
				g.svc.Logger().Warn("webhook delivery could not be recorded", slog.String("webhook", w.ID), slog.Any("error", err))
				t := time.NewTimer(cfg.MaxBackoff)
				select {
				case <-ctx.Done():
					t.Stop()
					return ctx.Err()
				case <-t.C:
				}
			}
			worked = worked || did
		}
		if worked {
			continue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-wake:
		}
	}
}

// deliverNext delivers webhook w's next event: a replay asked for, else
// the first event after its last delivery. It reports whether there was
// one.
func (g *Governance) deliverNext(ctx context.Context, send Sender, cfg DeliveryConfig, w Webhook) (bool, error) {
	g.mu.RLock()
	next, replay := w.From, int64(-1)
	for _, d := range g.deliveriesLocked(w.ID, false) {
		if d.Status == "replaying" && replay < 0 {
			replay = d.Position
		}
		next = max(next, d.Position+1)
	}
	g.mu.RUnlock()
	var ev ChangeEvent
	if replay >= 0 {
		b, _ := g.Changes(ctx, ChangeQuery{Since: replay, Limit: 1, Viewer: Everyone()})
		if len(b.Events) == 0 || b.Events[0].Position != replay {
			return true, g.recordDelivery(ctx, Delivery{Webhook: w.ID, Position: replay, Status: Failed, Error: "the event is no longer in the trail"}, true)
		}
		ev = b.Events[0]
	} else {
		for {
			b, _ := g.Changes(ctx, ChangeQuery{Since: next, Limit: 100, Viewer: Everyone()})
			found := false
			for _, e := range b.Events {
				if len(w.Topics) == 0 || slices.Contains(w.Topics, e.Topic) {
					ev, found = e, true
					break
				}
			}
			if found {
				break
			}
			if len(b.Events) == 0 {
				return false, nil
			}
			next = b.Next
		}
	}
	body, err := json.Marshal(ev)
	if err != nil {
		return true, err
	}
	header := map[string]string{
		"Content-Type":  "application/json",
		SignatureHeader: Sign(g.secretOf(w.ID), body),
		WebhookHeader:   w.ID,
		PositionHeader:  strconv.FormatInt(ev.Position, 10),
	}
	d := Delivery{Webhook: w.ID, Position: ev.Position}
	wait := cfg.Backoff
	for d.Attempts < cfg.Attempts {
		d.Attempts++
		status, err := send.Send(ctx, w.URL, body, header)
		d.HTTPStatus, d.Error = status, ""
		switch {
		case err != nil:
			d.Error = err.Error()
		case status < 200 || status > 299:
			d.Error = "HTTP " + strconv.Itoa(status)
		default:
			d.Status = Delivered
		}
		if d.Status == Delivered || ctx.Err() != nil {
			break
		}
		if d.Attempts < cfg.Attempts {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return true, ctx.Err()
			case <-t.C:
			}
			wait = min(2*wait, cfg.MaxBackoff)
		}
	}
	if ctx.Err() != nil {
		return true, ctx.Err()
	}
	if d.Status == "" {
		d.Status = Failed
	}
	return true, g.recordDelivery(ctx, d, replay >= 0)
}

func (g *Governance) recordDelivery(ctx context.Context, d Delivery, replayed bool) error {
	d.Time = g.svc.Now().UTC()
	return g.svc.MutateSystem(ctx, func(m *registry.Mutation) error {
		d := d
		if replayed {
			g.mu.RLock()
			d.Replays = g.deliveries[deliveryKey(d.Webhook, d.Position)].Replays
			g.mu.RUnlock()
		}
		rec, err := g.deliveryRecs.Record(deliveryKey(d.Webhook, d.Position), d)
		if err != nil {
			return err
		}
		m.Append(rec)
		return nil
	})
}
