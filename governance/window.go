package governance

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charter-registry/charter/registry"
)

// The upgrade window. A breaking change moves a topic's consumers to a
// successor: the old topic is deprecated (with a deprecation date and a
// sunset deadline), each of its consumers has a migration state, set by
// that consumer's team or an admin, and the topic can be retired only
// once none is pending, unless an admin forces it. Then it is archived.

// MigrationState is where one consumer of a deprecated topic is.
type MigrationState string

// The migration states.
const (
	Pending  MigrationState = "pending"
	Migrated MigrationState = "migrated"
)

// OpMigrationChanged is the operation of a consumer's migration state
// change.
const OpMigrationChanged registry.Operation = "topic.migration.changed"

// transitions are the lifecycle changes a topic may make.
var transitions = map[[2]Lifecycle]bool{
	{Active, Deprecated}:  true,
	{Deprecated, Active}:  true, // the window is called off
	{Deprecated, Retired}: true,
	{Retired, Archived}:   true,
}

// parseWhen reads an RFC 3339 time or a date (2027-01-31, midnight UTC)
// and writes it as RFC 3339 in UTC.
func parseWhen(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		if t, err = time.Parse(time.DateOnly, s); err != nil {
			return "", registry.Errorf(registry.CodeInvalidRequest, "Invalid %s %q: give an RFC 3339 time (2027-01-31T12:00:00Z) or a date (2027-01-31)", field, s)
		}
	}
	return t.UTC().Format(time.RFC3339), nil
}

// settleWindow applies the upgrade-window rules to next, the topic as the
// update u leaves it; cur is the topic before (nil when it is created).
// It reports whether an admin forced a retirement past pending consumers.
func (g *Governance) settleWindow(cur *Topic, next *Topic, u TopicUpdate, p registry.Principal) (forced bool, err error) {
	from := Active
	if cur != nil {
		from = cur.Lifecycle
	}
	to := next.Lifecycle
	if cur != nil && from != to && !transitions[[2]Lifecycle{from, to}] {
		return false, registry.Errorf(registry.CodeConflict, "Topic '%s' cannot go from %s to %s: a topic goes active, deprecated, retired, archived, in that order (a deprecated topic may go back to active)", next.Name, from, to)
	}
	if u.DeprecationDate != nil || u.SunsetDate != nil {
		if to != Deprecated {
			return false, registry.Errorf(registry.CodeInvalidRequest, "Topic '%s' is %s: only a deprecated topic has a deprecation date and a sunset date; deprecate it in the same request", next.Name, to)
		}
	}
	if u.DeprecationDate != nil {
		if next.DeprecationDate, err = parseWhen("deprecationDate", *u.DeprecationDate); err != nil {
			return false, err
		}
	}
	if u.SunsetDate != nil {
		if next.SunsetDate, err = parseWhen("sunsetDate", *u.SunsetDate); err != nil {
			return false, err
		}
	}
	switch {
	case to == Deprecated:
		if from != Deprecated {
			next.Migrations = nil // a new window
			if u.DeprecationDate == nil {
				next.DeprecationDate = "" // the window shows the transition's time
			}
		}
		next.Migrations = syncMigrations(next.Migrations, next.Consumers)
		if next.SunsetDate != "" && next.DeprecationDate != "" && next.SunsetDate < next.DeprecationDate {
			return false, registry.Errorf(registry.CodeInvalidRequest, "Topic '%s': the sunset date %s is before the deprecation date %s", next.Name, next.SunsetDate, next.DeprecationDate)
		}
	case to == Active:
		next.DeprecationDate, next.SunsetDate, next.Migrations = "", "", nil
	case from == Deprecated && to == Retired:
		if pending := pendingConsumers(*next); len(pending) > 0 {
			if !u.Force {
				return false, registry.Errorf(registry.CodeConflict, "Topic '%s' still has consumers pending migration%s: %s. Retire it once each has migrated (PUT /v1/catalog/topics/%s/migrations/{consumer}), or as an admin with force=true", next.Name, successorHint(*next), strings.Join(pending, ", "), next.Name)
			}
			if err := g.svc.RequireAdmin(p, "retire a topic whose consumers are still pending"); err != nil {
				return false, err
			}
			forced = true
		}
	}
	return forced, nil
}

// syncMigrations gives every consumer a state (pending for new ones) and
// drops the states of consumers no longer listed.
func syncMigrations(states map[string]MigrationState, consumers []string) map[string]MigrationState {
	out := make(map[string]MigrationState, len(consumers))
	for _, c := range consumers {
		if s, ok := states[c]; ok {
			out[c] = s
		} else {
			out[c] = Pending
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// pendingConsumers lists, in the topic's order, the consumers still
// pending.
func pendingConsumers(t Topic) []string {
	var out []string
	for _, c := range t.Consumers {
		if t.Migrations[c] == Pending {
			out = append(out, c)
		}
	}
	return out
}

// SetMigration records where consumer is in leaving the deprecated topic:
// pending or migrated. The consumer's team (a consumer entry that names a
// team) and admins may; the change is audited as OpMigrationChanged.
func (g *Governance) SetMigration(ctx context.Context, topic, consumer string, state MigrationState) (Window, error) {
	check := func() error {
		state = MigrationState(strings.ToLower(string(state)))
		if state != Pending && state != Migrated {
			return registry.Errorf(registry.CodeInvalidRequest, "Invalid migration state %q: use pending or migrated", state)
		}
		return nil
	}
	var p registry.Principal // for the answer, which p may read
	err := g.svc.MutateAlone(ctx, check, func(m *registry.Mutation) error {
		p = m.Principal()
		g.mu.RLock()
		cur, ok := g.topics[topic]
		readable := ok && g.readableLocked(As(p), cur)
		g.mu.RUnlock()
		if !readable {
			return errTopicNotFound(topic)
		}
		if !slices.Contains(cur.Consumers, consumer) {
			return registry.Errorf(registry.CodeNotFound, "Topic '%s' lists no consumer '%s'", topic, consumer)
		}
		if g.svc.Access().Enforce && !p.Admin && !p.InTeam(consumer) {
			return errForbidden("Only consumer team '%s' and admins may set its migration state; %s is neither", consumer, p.Describe())
		}
		if cur.Lifecycle != Deprecated {
			return registry.Errorf(registry.CodeConflict, "Topic '%s' is %s, not deprecated: migration states change only while its upgrade window is open", topic, cur.Lifecycle)
		}
		before := cur.Migrations[consumer]
		if before == state {
			return nil
		}
		next := cur
		next.Migrations = cloneStates(cur.Migrations)
		next.Migrations[consumer] = state
		r, err := g.topicRecs.Record(topic, next)
		if err != nil {
			return err
		}
		m.Append(r)
		return m.Audit(registry.AuditEntry{
			Operation: OpMigrationChanged, Topic: topic, Team: cur.Owner, Changed: []string{consumer},
			Before: registry.RawJSON(migrationValue{consumer, before}), After: registry.RawJSON(migrationValue{consumer, state}),
		})
	})
	if err != nil {
		return Window{}, registry.WriteError(err, "set migration", fmt.Sprintf("set migration of %q on topic %q", consumer, topic))
	}
	return g.Window(As(p), topic)
}

func cloneStates(m map[string]MigrationState) map[string]MigrationState {
	out := make(map[string]MigrationState, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// migrationValue is the before and after of a migration change.
type migrationValue struct {
	Consumer string         `json:"consumer"`
	State    MigrationState `json:"state,omitempty"`
}

// Window is a topic's upgrade window as the catalogue shows it: the
// dates, the successor, each consumer's state and the lifecycle history.
type Window struct {
	Topic           string    `json:"topic"`
	Lifecycle       Lifecycle `json:"lifecycle"`
	Successor       string    `json:"successor,omitempty"`
	DeprecationDate string    `json:"deprecationDate,omitempty"`
	SunsetDate      string    `json:"sunsetDate,omitempty"`
	// SecondsLeft is the time until the sunset date, negative once it has
	// passed; absent without a sunset date or once the topic is retired.
	SecondsLeft *int64 `json:"secondsLeft,omitempty"`
	// Consumers are the topic's consumers with their migration state.
	Consumers []ConsumerMigration `json:"consumers"`
	// Pending names the consumers still pending, which block retirement.
	Pending []string `json:"pending"`
	// History is every lifecycle transition and migration change, oldest
	// first, from the audit trail.
	History []WindowEvent `json:"history"`
}

// ConsumerMigration is one consumer of a topic in its upgrade window.
type ConsumerMigration struct {
	Consumer string `json:"consumer"`
	// Team is true when the consumer names a team, which may set its state.
	Team  bool           `json:"team"`
	State MigrationState `json:"state,omitempty"`
	// OnSuccessor is true when the successor lists the same consumer.
	OnSuccessor bool `json:"onSuccessor"`
}

// WindowEvent is one step of a topic's window: a lifecycle transition
// (From, To) or a consumer's migration change (Consumer, State).
type WindowEvent struct {
	Position  int64          `json:"position"`
	Time      time.Time      `json:"time"`
	Principal string         `json:"principal"`
	From      Lifecycle      `json:"from,omitempty"`
	To        Lifecycle      `json:"to,omitempty"`
	Consumer  string         `json:"consumer,omitempty"`
	State     MigrationState `json:"state,omitempty"`
	Forced    bool           `json:"forced,omitempty"`
	Reason    string         `json:"reason,omitempty"`
	Link      string         `json:"link,omitempty"`
}

// Window returns the upgrade window of topic name: not found when it does
// not exist or v may not read it.
func (g *Governance) Window(v Viewer, name string) (Window, error) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	t, ok := g.topics[name]
	if !ok || !g.readableLocked(v, t) {
		return Window{}, errTopicNotFound(name)
	}
	w := Window{Topic: t.Name, Lifecycle: t.Lifecycle, Successor: t.Successor, DeprecationDate: t.DeprecationDate, SunsetDate: t.SunsetDate,
		Consumers: []ConsumerMigration{}, Pending: []string{}, History: []WindowEvent{}}
	succ := g.topics[t.Successor]
	for _, c := range t.Consumers {
		_, team := g.teams[c]
		w.Consumers = append(w.Consumers, ConsumerMigration{Consumer: c, Team: team, State: t.Migrations[c], OnSuccessor: slices.Contains(succ.Consumers, c)})
	}
	if p := pendingConsumers(t); p != nil {
		w.Pending = p
	}
	if sunset, err := time.Parse(time.RFC3339, t.SunsetDate); err == nil && t.Lifecycle == Deprecated {
		left := int64(sunset.Sub(g.svc.Now()) / time.Second)
		w.SecondsLeft = &left
	}
	for _, e := range g.audit {
		if e.Topic != name {
			continue
		}
		switch e.Operation {
		case OpTopicCreated, OpTopicUpdated:
			var before, after struct {
				Lifecycle Lifecycle `json:"lifecycle"`
			}
			_ = json.Unmarshal(e.Before, &before)
			_ = json.Unmarshal(e.After, &after)
			if e.Operation == OpTopicCreated {
				before.Lifecycle = ""
			}
			if before.Lifecycle == after.Lifecycle || (e.Operation == OpTopicCreated && after.Lifecycle == Active) {
				continue
			}
			w.History = append(w.History, WindowEvent{Position: e.Position, Time: e.Time, Principal: e.Principal, From: before.Lifecycle, To: after.Lifecycle, Forced: e.Forced, Reason: e.Reason, Link: e.Link})
		case OpMigrationChanged:
			var after migrationValue
			_ = json.Unmarshal(e.After, &after)
			w.History = append(w.History, WindowEvent{Position: e.Position, Time: e.Time, Principal: e.Principal, Consumer: after.Consumer, State: after.State, Reason: e.Reason, Link: e.Link})
		}
	}
	if w.DeprecationDate == "" && t.Lifecycle != Active {
		// Not given: the time of the last transition to deprecated.
		for i := len(w.History) - 1; i >= 0; i-- {
			if h := w.History[i]; h.To == Deprecated {
				w.DeprecationDate = h.Time.UTC().Format(time.RFC3339)
				break
			}
		}
	}
	return w, nil
}
