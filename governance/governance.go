package governance

import (
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/charter-registry/charter/registry"
)

// Config configures governance.
type Config struct {
	// WebhookSecret signs webhook deliveries (each webhook's secret is
	// derived from it); without it webhooks cannot be created. Give every
	// instance the same.
	WebhookSecret []byte
}

// Governance is the catalogue (teams, topics, bindings) and the audit
// trail over one registry.Service, applied from TEAM, TOPIC and AUDIT
// records. It is the service's registry.Governor: the registry asks it who
// owns each subject.
type Governance struct {
	svc *registry.Service
	cfg Config

	// mu guards what follows. Records are applied under the registry
	// state's write lock and the registry asks Binding under its read
	// lock, so the order is always state, then mu: no method calls into
	// the Service while it holds mu.
	mu        sync.RWMutex
	teams     map[string]Team
	topics    map[string]Topic
	bySubject map[string]string // OwnerKey(subject) → topic
	// predecessors maps a topic to the topics that name it as their
	// successor.
	predecessors map[string]map[string]bool
	audit        []registry.AuditEntry // in log order
	auditIDs     map[string]bool
	reviews      map[string]Review
	webhooks     map[string]Webhook
	deliveries   map[string]Delivery // by deliveryKey

	// The tables apply TEAM, TOPIC, REVIEW, WEBHOOK and DELIVERY records
	// into the maps above, under mu, and encode them.
	teamRecs     *registry.Table[string, Team]
	topicRecs    *registry.Table[string, Topic]
	reviewRecs   *registry.Table[string, Review]
	webhookRecs  *registry.Table[string, Webhook]
	deliveryRecs *registry.Table[string, Delivery]

	// search caches what search reads of the registry; it has a lock of
	// its own.
	search searchCache

	// fields caches FieldTags of the schemas GET
	// /v1/catalog/topics/{topic}/fields reads; it has a lock of its own.
	fields fieldCache
}

// Attach builds governance over svc, registers its records with svc's
// state and makes it svc's Governor. Call it before svc.Run, so that
// replay applies the catalogue and the trail already in the log. When svc
// already has a Governance, Attach returns that one and ignores cfg, so
// the API and the catalogue pages can each ask for the service's.
func Attach(svc *registry.Service, cfg Config) *Governance {
	if g, ok := svc.Governor().(*Governance); ok {
		return g
	}
	g := &Governance{
		svc:          svc,
		cfg:          cfg,
		teams:        map[string]Team{},
		topics:       map[string]Topic{},
		bySubject:    map[string]string{},
		predecessors: map[string]map[string]bool{},
		auditIDs:     map[string]bool{},
		reviews:      map[string]Review{},
		webhooks:     map[string]Webhook{},
		deliveries:   map[string]Delivery{},
	}
	g.tables()
	st := svc.State()
	st.Register(KeyTeam, g.teamRecs)
	st.Register(KeyTopic, g.topicRecs)
	st.Register(registry.KeyAudit, auditRecords{g})
	st.Register(KeyReview, g.reviewRecs)
	st.Register(KeyWebhook, g.webhookRecs)
	st.Register(KeyDelivery, g.deliveryRecs)
	svc.SetGovernor(g)
	return g
}

// Service returns the registry service governance is attached to.
func (g *Governance) Service() *registry.Service { return g.svc }

// Binding implements registry.Governor.
func (g *Governance) Binding(subject string) (registry.Binding, bool) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	t, ok := g.topicOfLocked(subject)
	if !ok {
		return registry.Binding{}, false
	}
	b := registry.Binding{Topic: t.Name, Owner: t.Owner, Shared: t.WritePolicy == Shared, Lint: t.Lint,
		Watched: len(t.Subscribers) > 0, Review: t.Review == ReviewRequired && len(g.consumerTeamsLocked(t)) > 0}
	if t.Lifecycle == Retired || t.Lifecycle == Archived {
		b.Closed = fmt.Sprintf("Subject '%s' belongs to topic '%s', which is %s: it accepts no new schemas%s", subject, t.Name, t.Lifecycle, successorHint(t))
	}
	return b, true
}

// UpgradePath implements registry.Governor.
func (g *Governance) UpgradePath(subject string) string {
	g.mu.RLock()
	defer g.mu.RUnlock()
	t, ok := g.topicOfLocked(subject)
	if !ok {
		return ""
	}
	return g.upgradePathLocked(subject, t)
}

// Predecessors implements registry.Governor: when subject is the key or
// value of a topic that other topics name as their successor, those
// topics' key or value subjects, in topic name order.
func (g *Governance) Predecessors(subject string) []registry.Predecessor {
	g.mu.RLock()
	defer g.mu.RUnlock()
	t, ok := g.topicOfLocked(subject)
	if !ok {
		return nil
	}
	var out []registry.Predecessor
	for _, name := range g.predecessorsOfLocked(t.Name) {
		p := g.topics[name]
		prev := ""
		switch subject {
		case t.Bindings.Value:
			prev = p.Bindings.Value
		case t.Bindings.Key:
			prev = p.Bindings.Key
		}
		if prev != "" {
			out = append(out, registry.Predecessor{Topic: p.Name, Subject: prev})
		}
	}
	return out
}

// predecessorsOfLocked lists, sorted, the topics that name topic as
// successor.
func (g *Governance) predecessorsOfLocked(topic string) []string {
	return sortedKeys(g.predecessors[topic])
}

// topicOfLocked returns the topic subject is bound to.
func (g *Governance) topicOfLocked(subject string) (Topic, bool) {
	name, ok := g.bySubject[registry.OwnerKey(subject)]
	if !ok {
		return Topic{}, false
	}
	t, ok := g.topics[name]
	return t, ok
}

func (g *Governance) putTopicLocked(t Topic) {
	g.dropTopicLocked(t.Name)
	g.topics[t.Name] = t
	for _, s := range t.Subjects() {
		g.bySubject[registry.OwnerKey(s)] = t.Name
	}
	if t.Successor != "" {
		if g.predecessors[t.Successor] == nil {
			g.predecessors[t.Successor] = map[string]bool{}
		}
		g.predecessors[t.Successor][t.Name] = true
	}
}

func (g *Governance) dropTopicLocked(name string) {
	old, ok := g.topics[name]
	if !ok {
		return
	}
	for _, s := range old.Subjects() {
		if g.bySubject[registry.OwnerKey(s)] == name {
			delete(g.bySubject, registry.OwnerKey(s))
		}
	}
	if preds := g.predecessors[old.Successor]; preds != nil {
		delete(preds, name)
		if len(preds) == 0 {
			delete(g.predecessors, old.Successor)
		}
	}
	delete(g.topics, name)
}

// tables makes the tables of the records that hold one entry per key.
func (g *Governance) tables() {
	g.teamRecs = registry.NewTable(KeyTeam, &g.mu, g.teams)
	g.teamRecs.Check = func(name string, t *Team) error { return named(KeyTeam, name, t.Name) }
	g.topicRecs = registry.NewTable(KeyTopic, &g.mu, g.topics)
	g.topicRecs.Check = func(name string, t *Topic) error {
		if t.Visibility == "" {
			t.Visibility = Public // written before topics had a visibility
		}
		return named(KeyTopic, name, t.Name)
	}
	g.topicRecs.Put = func(_ string, t Topic) { g.putTopicLocked(t) }
	g.topicRecs.Delete = g.dropTopicLocked
	g.reviewRecs = registry.NewTable(KeyReview, &g.mu, g.reviews)
	g.reviewRecs.Check = func(id string, r *Review) error { return named(KeyReview, id, r.ID) }
	g.webhookRecs = registry.NewTable(KeyWebhook, &g.mu, g.webhooks)
	g.webhookRecs.Check = func(id string, w *Webhook) error { return named(KeyWebhook, id, w.ID) }
	g.deliveryRecs = registry.NewTable(KeyDelivery, &g.mu, g.deliveries)
	g.deliveryRecs.Check = func(k string, d *Delivery) error {
		if deliveryKey(d.Webhook, d.Position) != k {
			return fmt.Errorf("DELIVERY key names %q but value names %s/%d", k, d.Webhook, d.Position)
		}
		return nil
	}
}

// named refuses a record whose value names another entry than its key.
func named(kt registry.KeyType, key, value string) error {
	if key != value {
		return fmt.Errorf("%s key names %q but value names %q", kt, key, value)
	}
	return nil
}

// sortedKeys lists m's keys in order; empty, not nil, for an empty map.
func sortedKeys[V any](m map[string]V) []string {
	out := slices.AppendSeq(make([]string, 0, len(m)), maps.Keys(m))
	slices.Sort(out)
	return out
}
