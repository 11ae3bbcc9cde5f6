package governance

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/storage"
)

// The operations of governance's audit entries and change events.
const (
	OpTeamCreated  registry.Operation = "team.created"
	OpTeamUpdated  registry.Operation = "team.updated"
	OpTeamDeleted  registry.Operation = "team.deleted"
	OpTopicCreated registry.Operation = "topic.created"
	OpTopicUpdated registry.Operation = "topic.updated"
	OpTopicDeleted registry.Operation = "topic.deleted"
)

// Operations lists governance's operations, for callers that validate a
// filter beside registry.Operations.
func Operations() []registry.Operation {
	return []registry.Operation{
		OpTeamCreated, OpTeamUpdated, OpTeamDeleted,
		OpTopicCreated, OpTopicUpdated, OpTopicDeleted,
		OpMigrationChanged, OpSubscribed, OpUnsubscribed,
		OpReviewRequested, OpReviewApproved, OpReviewRejected, OpReviewWithdrawn,
		OpWebhookCreated, OpWebhookDeleted,
	}
}

func errTeamNotFound(name string) *registry.Error {
	return registry.Errorf(registry.CodeNotFound, "Team '%s' not found", name)
}

func errTopicNotFound(name string) *registry.Error {
	return registry.Errorf(registry.CodeNotFound, "Topic '%s' not found", name)
}

// withAudit appends e's record to recs.
func (g *Governance) withAudit(recs []storage.Record, p registry.Principal, e registry.AuditEntry) ([]storage.Record, error) {
	r, err := g.svc.AuditRecord(p, e)
	if err != nil {
		return nil, err
	}
	return append(recs, r), nil
}

// Teams lists every team, sorted by name.
func (g *Governance) Teams() []Team {
	g.mu.RLock()
	defer g.mu.RUnlock()
	out := make([]Team, 0, len(g.teams))
	for _, name := range sortedKeys(g.teams) {
		out = append(out, g.teams[name])
	}
	return out
}

// TeamView is a team with the topics it owns.
type TeamView struct {
	Team
	Topics []string `json:"topics"`
}

// Team returns one team and the topics it owns that v may read.
func (g *Governance) Team(v Viewer, name string) (TeamView, error) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	t, ok := g.teams[name]
	if !ok {
		return TeamView{}, errTeamNotFound(name)
	}
	owned := []string{}
	for _, topic := range g.topicsOwnedBy(name) {
		if g.readableLocked(v, g.topics[topic]) {
			owned = append(owned, topic)
		}
	}
	return TeamView{Team: t, Topics: owned}, nil
}

// CreateTeam adds a team. Only admins may create teams.
func (g *Governance) CreateTeam(ctx context.Context, t Team) (Team, error) {
	err := g.svc.MutateAlone(ctx, t.validate, func(m *registry.Mutation) error {
		if err := m.RequireAdmin("create teams"); err != nil {
			return err
		}
		g.mu.RLock()
		_, exists := g.teams[t.Name]
		g.mu.RUnlock()
		if exists {
			return registry.Errorf(registry.CodeConflict, "Team '%s' already exists", t.Name)
		}
		r, err := g.teamRecs.Record(t.Name, t)
		if err != nil {
			return err
		}
		m.Append(r)
		return m.Audit(registry.AuditEntry{Operation: OpTeamCreated, Team: t.Name, After: registry.RawJSON(t)})
	})
	if err != nil {
		return Team{}, registry.WriteError(err, "create team", fmt.Sprintf("create team %q", t.Name))
	}
	return t, nil
}

// UpdateTeam changes a team's description or contacts. Admins and the
// team's members may.
func (g *Governance) UpdateTeam(ctx context.Context, name string, u TeamUpdate) (Team, error) {
	var out Team
	err := g.svc.MutateAlone(ctx, nil, func(m *registry.Mutation) error {
		p := m.Principal()
		if err := g.authorizeTeam(p, name); err != nil {
			return err
		}
		g.mu.RLock()
		cur, ok := g.teams[name]
		g.mu.RUnlock()
		if !ok {
			return errTeamNotFound(name)
		}
		if u.Name != nil && *u.Name != name {
			return registry.Errorf(registry.CodeInvalidRequest, "Team name %q differs from '%s' in the path: a team cannot be renamed; create the new team, move its topics to it and delete this one", *u.Name, name)
		}
		next := cur
		var changed []string
		if u.Description != nil && *u.Description != cur.Description {
			next.Description = *u.Description
			changed = append(changed, "description")
		}
		if u.Contacts != nil && !slices.Equal(*u.Contacts, cur.Contacts) {
			next.Contacts = slices.Clone(*u.Contacts)
			changed = append(changed, "contacts")
		}
		if err := next.validate(); err != nil {
			return err
		}
		out = next
		if len(changed) == 0 {
			return nil
		}
		r, err := g.teamRecs.Record(name, next)
		if err != nil {
			return err
		}
		m.Append(r)
		return m.Audit(registry.AuditEntry{Operation: OpTeamUpdated, Team: name, Changed: changed, Before: registry.RawJSON(cur), After: registry.RawJSON(next)})
	})
	if err != nil {
		return Team{}, registry.WriteError(err, "update team", fmt.Sprintf("update team %q", name))
	}
	return out, nil
}

// DeleteTeam removes a team that owns no topic. Only admins may.
func (g *Governance) DeleteTeam(ctx context.Context, name string) (Team, error) {
	var out Team
	err := g.svc.MutateAlone(ctx, nil, func(m *registry.Mutation) error {
		if err := m.RequireAdmin("delete teams"); err != nil {
			return err
		}
		g.mu.RLock()
		cur, ok := g.teams[name]
		owned := g.topicsOwnedBy(name)
		g.mu.RUnlock()
		if !ok {
			return errTeamNotFound(name)
		}
		if len(owned) > 0 {
			return registry.Errorf(registry.CodeConflict, "Team '%s' still owns topics %s: give them another owner or delete them first", name, strings.Join(owned, ", "))
		}
		out = cur
		m.Append(g.teamRecs.Tombstone(name))
		return m.Audit(registry.AuditEntry{Operation: OpTeamDeleted, Team: name, Before: registry.RawJSON(cur)})
	})
	if err != nil {
		return Team{}, registry.WriteError(err, "delete team", fmt.Sprintf("delete team %q", name))
	}
	return out, nil
}

// TopicFilter selects topics for Topics. Zero fields select everything
// the viewer may read.
type TopicFilter struct {
	Owner     string
	Lifecycle Lifecycle
	Tag       string
	// Viewer is who reads; the zero Viewer is the anonymous principal,
	// which with authorization on reads only public topics.
	Viewer Viewer
}

// Topics lists the topics that match f, sorted by name.
func (g *Governance) Topics(f TopicFilter) []Topic {
	g.mu.RLock()
	defer g.mu.RUnlock()
	out := []Topic{}
	for _, name := range sortedKeys(g.topics) {
		t := g.topics[name]
		if (f.Owner != "" && t.Owner != f.Owner) || (f.Lifecycle != "" && t.Lifecycle != f.Lifecycle) || (f.Tag != "" && !slices.Contains(t.Tags, f.Tag)) || !g.readableLocked(f.Viewer, t) {
			continue
		}
		out = append(out, t)
	}
	return out
}

// BoundSubject is one subject of a topic's contract with what the registry
// holds for it.
type BoundSubject struct {
	Subject string `json:"subject"`
	Role    string `json:"role"`
	// LatestVersion and LatestID describe the newest live version; zero
	// when the subject has none yet.
	LatestVersion int `json:"latestVersion,omitempty"`
	LatestID      int `json:"latestId,omitempty"`
}

// TopicView is a topic with its subjects and the topics that name it as
// their successor.
type TopicView struct {
	Topic
	Subjects     []BoundSubject `json:"subjects"`
	Predecessors []string       `json:"predecessors,omitempty"`
}

// Topic returns one topic with its subjects' latest versions; a topic v
// may not read is not found.
func (g *Governance) Topic(v Viewer, name string) (TopicView, error) {
	g.mu.RLock()
	t, ok := g.topics[name]
	ok = ok && g.readableLocked(v, t)
	var preds []string
	for _, other := range sortedKeys(g.topics) {
		if p := g.topics[other]; p.Successor == name && g.readableLocked(v, p) {
			preds = append(preds, other)
		}
	}
	g.mu.RUnlock()
	if !ok {
		return TopicView{}, errTopicNotFound(name)
	}
	out := TopicView{Topic: t, Subjects: []BoundSubject{}, Predecessors: preds}
	for _, subj := range t.Subjects() {
		b := BoundSubject{Subject: subj, Role: t.Role(subj)}
		if latest, err := g.svc.Version(subj, registry.Latest, false); err == nil {
			b.LatestVersion, b.LatestID = latest.Version, latest.ID
		}
		out.Subjects = append(out.Subjects, b)
	}
	return out, nil
}

// CreateTopic adds a topic to the catalogue. Admins may create any topic;
// other principals only topics their own team owns (the owner defaults to
// the principal's team when it has exactly one). Binding a subject claims
// it: from then on only the owning team (and admins) may change it.
func (g *Governance) CreateTopic(ctx context.Context, name string, u TopicUpdate) (Topic, error) {
	var out Topic
	err := g.svc.MutateAlone(ctx, func() error { return validateTopicName(name) }, func(m *registry.Mutation) error {
		p := m.Principal()
		g.mu.RLock()
		_, exists := g.topics[name]
		g.mu.RUnlock()
		if exists {
			return registry.Errorf(registry.CodeConflict, "Topic '%s' already exists: change it with PUT /v1/catalog/topics/%s", name, name)
		}
		u := u // decide may run again: the request stays as it came
		if u.Owner == nil && len(p.Teams) == 1 {
			u.Owner = &p.Teams[0]
		}
		if u.Owner != nil {
			g.mu.RLock()
			_, ownerExists := g.teams[*u.Owner]
			g.mu.RUnlock()
			if !ownerExists && *u.Owner != "" {
				return errOwnerMissing(*u.Owner)
			}
			if err := g.authorizeTeam(p, *u.Owner); err != nil {
				return err
			}
		} else if err := m.RequireAdmin("create a topic without naming its owner"); err != nil {
			return err
		}
		g.mu.RLock()
		t, err := g.applyTopicUpdate(newTopic(name), u)
		g.mu.RUnlock()
		if err != nil {
			return err
		}
		if _, err := g.settleWindow(nil, &t, u, p); err != nil {
			return err
		}
		if err := g.authorizeSubjects(m.Snapshot(), p, t, nil); err != nil {
			return err
		}
		out = t
		r, err := g.topicRecs.Record(name, t)
		if err != nil {
			return err
		}
		m.Append(r)
		return m.Audit(registry.AuditEntry{Operation: OpTopicCreated, Topic: name, Team: t.Owner, After: registry.RawJSON(t)})
	})
	if err != nil {
		return Topic{}, registry.WriteError(err, "create topic", fmt.Sprintf("create topic %q", name))
	}
	return out, nil
}

// UpdateTopic changes a topic: description, owner, tags, docs, bindings,
// lifecycle, successor, producers, consumers or write policy. Admins and
// members of the owning team may; handing the topic to another team is
// such a change.
func (g *Governance) UpdateTopic(ctx context.Context, name string, u TopicUpdate) (Topic, error) {
	var out Topic
	err := g.svc.MutateAlone(ctx, nil, func(m *registry.Mutation) error {
		p := m.Principal()
		cur, err := g.ownedTopic(p, name, "change topics that do not exist")
		if err != nil {
			return err
		}
		if u.Name != nil && *u.Name != name {
			return registry.Errorf(registry.CodeInvalidRequest, "Topic name %q differs from '%s' in the path: a topic cannot be renamed; create the new topic, bind its subjects and delete this one", *u.Name, name)
		}
		g.mu.RLock()
		next, err := g.applyTopicUpdate(cur, u)
		g.mu.RUnlock()
		if err != nil {
			return err
		}
		forced, err := g.settleWindow(&cur, &next, u, p)
		if err != nil {
			return err
		}
		if err := g.authorizeSubjects(m.Snapshot(), p, next, &cur); err != nil {
			return err
		}
		out = next
		changed := changedFields(cur, next)
		if len(changed) == 0 {
			return nil
		}
		r, err := g.topicRecs.Record(name, next)
		if err != nil {
			return err
		}
		m.Append(r)
		return m.Audit(registry.AuditEntry{Operation: OpTopicUpdated, Topic: name, Team: next.Owner, Changed: changed, Before: registry.RawJSON(cur), After: registry.RawJSON(next), Forced: forced})
	})
	if err != nil {
		return Topic{}, registry.WriteError(err, "update topic", fmt.Sprintf("update topic %q", name))
	}
	return out, nil
}

// DeleteTopic removes a topic from the catalogue, which leaves its subjects
// unowned. A topic that another names as its successor cannot be deleted.
func (g *Governance) DeleteTopic(ctx context.Context, name string) (Topic, error) {
	var out Topic
	err := g.svc.MutateAlone(ctx, nil, func(m *registry.Mutation) error {
		p := m.Principal()
		cur, err := g.ownedTopic(p, name, "delete topics that do not exist")
		if err != nil {
			return err
		}
		g.mu.RLock()
		var pred string
		for _, other := range sortedKeys(g.topics) {
			if g.topics[other].Successor == name {
				pred = other
				break
			}
		}
		g.mu.RUnlock()
		if pred != "" {
			return registry.Errorf(registry.CodeConflict, "Topic '%s' is the successor of '%s': change that topic's successor first", name, pred)
		}
		out = cur
		m.Append(g.topicRecs.Tombstone(name))
		return m.Audit(registry.AuditEntry{Operation: OpTopicDeleted, Topic: name, Team: cur.Owner, Before: registry.RawJSON(cur)})
	})
	if err != nil {
		return Topic{}, registry.WriteError(err, "delete topic", fmt.Sprintf("delete topic %q", name))
	}
	return out, nil
}

// Ownership says who owns a subject and how the registry knows.
type Ownership struct {
	Subject string `json:"subject"`
	// Source is "topic" when a topic binds the subject, "metadata" when
	// only the latest schema's metadata names an owner, and "none".
	Source      string      `json:"source"`
	Topic       string      `json:"topic,omitempty"`
	Role        string      `json:"role,omitempty"`
	Team        string      `json:"team,omitempty"`
	WritePolicy WritePolicy `json:"writePolicy,omitempty"`
	Lifecycle   Lifecycle   `json:"lifecycle,omitempty"`
	Successor   string      `json:"successor,omitempty"`
	// OwnerHint and OwnerEmailHint are the Confluent metadata properties
	// owner and owner_email of the latest version. They are shown for
	// information only and never grant or deny a write: whoever may write
	// an unowned subject could set them.
	OwnerHint      string `json:"ownerHint,omitempty"`
	OwnerEmailHint string `json:"ownerEmailHint,omitempty"`
}

// SubjectOwnership reports who owns subject: the topic binding, else the
// owner named in the latest schema's metadata. A subject that neither
// exists nor is bound, or that v may not read, is 40401.
func (g *Governance) SubjectOwnership(v Viewer, subject string) (Ownership, error) {
	o := Ownership{Subject: subject, Source: "none"}
	g.mu.RLock()
	t, bound := g.topicOfLocked(subject)
	hidden := bound && !g.readableLocked(v, t)
	g.mu.RUnlock()
	if hidden {
		return Ownership{}, registry.Errorf(registry.CodeSubjectNotFound, "Subject '%s' not found.", subject)
	}
	if bound {
		o.Source, o.Topic, o.Role, o.Team = "topic", t.Name, t.Role(subject), t.Owner
		o.WritePolicy, o.Lifecycle, o.Successor = t.WritePolicy, t.Lifecycle, t.Successor
	}
	// Versions with deleted ones fails only for a subject the registry
	// holds nothing of.
	if _, err := g.svc.Versions(subject, true, false); err != nil && !bound {
		return Ownership{}, err
	}
	if latest, err := g.svc.Version(subject, registry.Latest, false); err == nil && latest.Metadata != nil {
		o.OwnerHint = latest.Metadata.Properties["owner"]
		o.OwnerEmailHint = latest.Metadata.Properties["owner_email"]
	}
	if !bound && o.OwnerHint != "" {
		o.Source = "metadata"
	}
	return o, nil
}

var versionSuffix = regexp.MustCompile(`^(.*[-_.]v)(\d+)$`)

// nextTopicName proposes a successor name: orders → orders-v2,
// orders-v2 → orders-v3, skipping names already taken.
func (g *Governance) nextTopicName(name string) string {
	base, n := name+"-v", 2
	if m := versionSuffix.FindStringSubmatch(name); m != nil {
		if v, err := strconv.Atoi(m[2]); err == nil && v < 1<<30 {
			base, n = m[1], v+1
		}
	}
	for {
		cand := base + strconv.Itoa(n)
		if _, taken := g.topics[cand]; !taken {
			return cand
		}
		n++
	}
}

// upgradePathLocked explains, for an incompatible registration on a bound
// subject, how to make the breaking change without breaking consumers.
func (g *Governance) upgradePathLocked(subject string, t Topic) string {
	next := t.Successor
	if next == "" {
		next = g.nextTopicName(t.Name)
	}
	nextSubject := subject
	succ, exists := g.topics[next]
	switch role := t.Role(subject); {
	case role == "key" && exists && succ.Bindings.Key != "":
		nextSubject = succ.Bindings.Key
	case role == "value" && exists && succ.Bindings.Value != "":
		nextSubject = succ.Bindings.Value
	case role == "key":
		nextSubject = next + "-key"
	case role == "value":
		nextSubject = next + "-value"
	case strings.HasPrefix(subject, t.Name):
		nextSubject = next + subject[len(t.Name):]
	}
	if t.Successor != "" {
		return fmt.Sprintf("Upgrade path: subject '%s' belongs to topic '%s' (owned by team '%s'), whose successor is topic '%s': register the new shape under '%s' and move producers and consumers to '%s'.", subject, t.Name, t.Owner, next, nextSubject, next)
	}
	return fmt.Sprintf("Upgrade path: subject '%s' belongs to topic '%s' (owned by team '%s'). To make a breaking change, create a successor topic such as '%s' (POST /v1/catalog/topics), register the new shape under '%s', then mark '%s' deprecated with successor '%s' (PUT /v1/catalog/topics/%s) and move consumers over while both topics run.", subject, t.Name, t.Owner, next, nextSubject, t.Name, next, t.Name)
}

func successorHint(t Topic) string {
	if t.Successor == "" {
		return ""
	}
	return fmt.Sprintf("; its successor is topic '%s'", t.Successor)
}
