package governance

import (
	"context"
	"encoding/json"
	"log/slog"
	"sort"
	"time"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/registry"
)

// ChangeEvent announces one change: a new version, a deletion, a config or
// mode change, or a team or topic change (ownership and lifecycle
// included). Events are the audit trail without the principal, so every
// instance serves the same events at the same positions.
type ChangeEvent struct {
	// Position is the event's place in the log. A consumer resumes from
	// Position+1.
	Position  int64              `json:"position"`
	Time      time.Time          `json:"time"`
	Type      registry.Operation `json:"type"`
	Subject   string             `json:"subject,omitempty"`
	Version   int                `json:"version,omitempty"`
	Versions  []int              `json:"versions,omitempty"`
	SchemaID  int                `json:"schemaId,omitempty"`
	Topic     string             `json:"topic,omitempty"`
	Team      string             `json:"team,omitempty"`
	Permanent bool               `json:"permanent,omitempty"`
	Changed   []string           `json:"changed,omitempty"`
	Before    json.RawMessage    `json:"before,omitempty"`
	After     json.RawMessage    `json:"after,omitempty"`
	// Reason and Link are the write's registry.Provenance.
	Reason string `json:"reason,omitempty"`
	Link   string `json:"link,omitempty"`
	// Changes and Verdict name what a registration on a watched topic
	// changed and how compatible that is (registry.AuditEntry.Changes).
	Changes []compat.Change   `json:"changes,omitempty"`
	Verdict *registry.Verdict `json:"verdict,omitempty"`
	// Forced marks an admin's override (registry.AuditEntry.Forced).
	Forced bool `json:"forced,omitempty"`
}

// Key is what the event is about: its subject, else its topic, else its
// team; "_global" for global config and mode changes. Published events are
// keyed by it, so one subject's events stay in order on one partition.
func (e ChangeEvent) Key() string {
	switch {
	case e.Subject != "":
		return e.Subject
	case e.Topic != "":
		return e.Topic
	case e.Team != "":
		return e.Team
	}
	return "_global"
}

func changeOf(a registry.AuditEntry) ChangeEvent {
	return ChangeEvent{
		Position: a.Position, Time: a.Time, Type: a.Operation,
		Subject: a.Subject, Version: a.Version, Versions: a.Versions, SchemaID: a.SchemaID,
		Topic: a.Topic, Team: a.Team, Permanent: a.Permanent, Changed: a.Changed,
		Before: a.Before, After: a.After, Reason: a.Reason, Link: a.Link,
		Changes: a.Changes, Verdict: a.Verdict, Forced: a.Forced,
	}
}

// ChangeQuery asks for change events.
type ChangeQuery struct {
	// Since is the first position wanted; 0 is the beginning.
	Since int64
	// Limit bounds the events returned (100 by default, at most 1000).
	Limit int
	// Wait is how long to wait for an event when there is none yet; zero
	// answers at once.
	Wait time.Duration
	// Subject and Topic, when set, keep only events about them. Subjects
	// compare as ownership does (registry.OwnerKey).
	Subject string
	Topic   string
	// Viewer is who reads: events about subjects and topics it may not
	// read are left out. The zero Viewer is the anonymous principal.
	Viewer Viewer
}

// ChangeBatch is an answer to a ChangeQuery. Next is the Since of the
// following query: after the last event returned, or the registry's
// current position when there were no more events.
type ChangeBatch struct {
	Events []ChangeEvent `json:"events"`
	Next   int64         `json:"next"`
}

// Changes returns the change events at or after q.Since. When there are
// none it waits up to q.Wait for one (a long poll). It returns ctx.Err()
// with what it has if ctx ends first.
func (g *Governance) Changes(ctx context.Context, q ChangeQuery) (ChangeBatch, error) {
	if q.Limit <= 0 {
		q.Limit = 100
	}
	q.Limit = min(q.Limit, 1000)
	if q.Since < 0 {
		q.Since = 0
	}
	var timeout <-chan time.Time
	if q.Wait > 0 {
		t := time.NewTimer(q.Wait)
		defer t.Stop()
		timeout = t.C
	}
	for {
		ch := g.svc.Applied()
		b := g.changesSince(q)
		if len(b.Events) > 0 || timeout == nil {
			return b, nil
		}
		// Nothing matched below b.Next: wait only for what comes after.
		q.Since = b.Next
		select {
		case <-ctx.Done():
			return b, ctx.Err()
		case <-timeout:
			return b, nil
		case <-ch:
		}
	}
}

func (g *Governance) changesSince(q ChangeQuery) ChangeBatch {
	subject := ""
	if q.Subject != "" {
		subject = registry.OwnerKey(q.Subject)
	}
	// The position first: every entry below it is in the trail by the time
	// the trail is read, so Next never skips one; entries applied in
	// between are returned and Next moves past them.
	pos := g.svc.State().Position()
	g.mu.RLock()
	defer g.mu.RUnlock()
	trail := g.audit
	b := ChangeBatch{Events: []ChangeEvent{}, Next: max(q.Since, pos)}
	for i := sort.Search(len(trail), func(i int) bool { return trail[i].Position >= q.Since }); i < len(trail); i++ {
		a := trail[i]
		if (subject != "" && (a.Subject == "" || registry.OwnerKey(a.Subject) != subject)) || (q.Topic != "" && a.Topic != q.Topic) || !g.entryReadableLocked(q.Viewer, a) {
			continue
		}
		if len(b.Events) == q.Limit {
			b.Next = b.Events[len(b.Events)-1].Position + 1
			break
		}
		b.Events = append(b.Events, changeOf(a))
		b.Next = max(b.Next, a.Position+1)
	}
	return b
}

// ChangePublisher sends change events out of the registry, to a Kafka topic
// for instance.
type ChangePublisher interface {
	// Resume returns the position to publish from: after the last event
	// already published.
	Resume(ctx context.Context) (int64, error)
	// Publish sends events in order and returns once they are durable. On
	// error, a prefix of events may have been published.
	Publish(ctx context.Context, events []ChangeEvent) error
}

// PublishChanges feeds every change event to pub, from where pub says it
// stopped, until ctx ends. Failures are logged and retried with backoff,
// so an event is published at least once; consumers can drop repeats by
// position.
func (g *Governance) PublishChanges(ctx context.Context, pub ChangePublisher) error {
	backoff := func(attempt int) error {
		d := min(time.Duration(1<<min(attempt, 5))*250*time.Millisecond, 10*time.Second)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(d):
			return nil
		}
	}
	var pos int64
	for attempt := 0; ; attempt++ {
		p, err := pub.Resume(ctx)
		if err == nil {
			pos = p
			break
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		g.svc.Logger().Warn("change publisher cannot find where it stopped; retrying", slog.Any("error", err))
		if err := backoff(attempt); err != nil {
			return err
		}
	}
	g.svc.Logger().Info("publishing change events", slog.Int64("from_position", pos))
	for {
		b, err := g.Changes(ctx, ChangeQuery{Since: pos, Limit: 500, Wait: 30 * time.Second, Viewer: Everyone()})
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			return err
		}
		for attempt := 0; len(b.Events) > 0; attempt++ {
			err := pub.Publish(ctx, b.Events)
			if err == nil {
				break
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			g.svc.Logger().Warn("publishing change events failed; retrying", slog.Int64("position", b.Events[0].Position), slog.Any("error", err))
			if err := backoff(attempt); err != nil {
				return err
			}
		}
		pos = b.Next
	}
}
