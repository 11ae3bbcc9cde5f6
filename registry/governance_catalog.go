package registry

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/charter-registry/charter/storage"
)

func errTeamNotFound(name string) *Error {
	return Errorf(CodeNotFound, "Team '%s' not found", name)
}

func errTopicNotFound(name string) *Error {
	return Errorf(CodeNotFound, "Topic '%s' not found", name)
}

// Teams lists every team, sorted by name.
func (s *Service) Teams() []Team {
	st := s.state
	st.mu.RLock()
	defer st.mu.RUnlock()
	out := make([]Team, 0, len(s.gov.teams))
	for _, name := range sortedKeys(s.gov.teams) {
		out = append(out, s.gov.teams[name])
	}
	return out
}

// TeamView is a team with the topics it owns.
type TeamView struct {
	Team
	Topics []string `json:"topics"`
}

// Team returns one team and the topics it owns.
func (s *Service) Team(name string) (TeamView, error) {
	st := s.state
	st.mu.RLock()
	defer st.mu.RUnlock()
	t, ok := s.gov.teams[name]
	if !ok {
		return TeamView{}, errTeamNotFound(name)
	}
	owned := s.gov.topicsOwnedBy(name)
	if owned == nil {
		owned = []string{}
	}
	return TeamView{Team: t, Topics: owned}, nil
}

// CreateTeam adds a team. Only admins may create teams.
func (s *Service) CreateTeam(ctx context.Context, t Team) (Team, error) {
	p, err := s.principal(ctx)
	if err != nil {
		return Team{}, fmt.Errorf("create team: %w", err)
	}
	if err := t.validate(); err != nil {
		return Team{}, err
	}
	err = s.write(ctx, func() ([]storage.Record, error) {
		st := s.state
		st.mu.RLock()
		defer st.mu.RUnlock()
		if err := s.authorizeAdminLocked(p, "create teams"); err != nil {
			return nil, err
		}
		if _, ok := s.gov.teams[t.Name]; ok {
			return nil, Errorf(CodeConflict, "Team '%s' already exists", t.Name)
		}
		r, err := record(Key{Type: KeyTeam, Subject: t.Name}, t)
		if err != nil {
			return nil, err
		}
		return s.withAudit([]storage.Record{r}, p, AuditEntry{Operation: OpTeamCreated, Team: t.Name, After: rawJSON(t)})
	})
	if err != nil {
		return Team{}, fmt.Errorf("create team %q: %w", t.Name, err)
	}
	return t, nil
}

// UpdateTeam changes a team's description or contacts. Admins and the
// team's members may.
func (s *Service) UpdateTeam(ctx context.Context, name string, u TeamUpdate) (Team, error) {
	p, err := s.principal(ctx)
	if err != nil {
		return Team{}, fmt.Errorf("update team: %w", err)
	}
	var out Team
	err = s.write(ctx, func() ([]storage.Record, error) {
		st := s.state
		st.mu.RLock()
		defer st.mu.RUnlock()
		if err := s.authorizeTeamLocked(p, name); err != nil {
			return nil, err
		}
		cur, ok := s.gov.teams[name]
		if !ok {
			return nil, errTeamNotFound(name)
		}
		if u.Name != nil && *u.Name != name {
			return nil, Errorf(CodeInvalidRequest, "Team name %q differs from '%s' in the path: a team cannot be renamed; create the new team, move its topics to it and delete this one", *u.Name, name)
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
			return nil, err
		}
		out = next
		if len(changed) == 0 {
			return nil, nil
		}
		r, err := record(Key{Type: KeyTeam, Subject: name}, next)
		if err != nil {
			return nil, err
		}
		return s.withAudit([]storage.Record{r}, p, AuditEntry{Operation: OpTeamUpdated, Team: name, Changed: changed, Before: rawJSON(cur), After: rawJSON(next)})
	})
	if err != nil {
		return Team{}, fmt.Errorf("update team %q: %w", name, err)
	}
	return out, nil
}

// DeleteTeam removes a team that owns no topic. Only admins may.
func (s *Service) DeleteTeam(ctx context.Context, name string) (Team, error) {
	p, err := s.principal(ctx)
	if err != nil {
		return Team{}, fmt.Errorf("delete team: %w", err)
	}
	var out Team
	err = s.write(ctx, func() ([]storage.Record, error) {
		st := s.state
		st.mu.RLock()
		defer st.mu.RUnlock()
		if err := s.authorizeAdminLocked(p, "delete teams"); err != nil {
			return nil, err
		}
		cur, ok := s.gov.teams[name]
		if !ok {
			return nil, errTeamNotFound(name)
		}
		if owned := s.gov.topicsOwnedBy(name); len(owned) > 0 {
			return nil, Errorf(CodeConflict, "Team '%s' still owns topics %s: give them another owner or delete them first", name, strings.Join(owned, ", "))
		}
		out = cur
		return s.withAudit([]storage.Record{tombstone(Key{Type: KeyTeam, Subject: name})}, p, AuditEntry{Operation: OpTeamDeleted, Team: name, Before: rawJSON(cur)})
	})
	if err != nil {
		return Team{}, fmt.Errorf("delete team %q: %w", name, err)
	}
	return out, nil
}

// TopicFilter selects topics for Topics. Zero fields select everything.
type TopicFilter struct {
	Owner     string
	Lifecycle Lifecycle
	Tag       string
}

// Topics lists the topics that match f, sorted by name.
func (s *Service) Topics(f TopicFilter) []Topic {
	st := s.state
	st.mu.RLock()
	defer st.mu.RUnlock()
	out := []Topic{}
	for _, name := range sortedKeys(s.gov.topics) {
		t := s.gov.topics[name]
		if (f.Owner != "" && t.Owner != f.Owner) || (f.Lifecycle != "" && t.Lifecycle != f.Lifecycle) || (f.Tag != "" && !slices.Contains(t.Tags, f.Tag)) {
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

// Topic returns one topic with its subjects' latest versions.
func (s *Service) Topic(name string) (TopicView, error) {
	st := s.state
	st.mu.RLock()
	defer st.mu.RUnlock()
	t, ok := s.gov.topics[name]
	if !ok {
		return TopicView{}, errTopicNotFound(name)
	}
	v := TopicView{Topic: t, Subjects: []BoundSubject{}}
	for _, subj := range t.Subjects() {
		b := BoundSubject{Subject: subj, Role: t.Role(subj)}
		if ss := st.subjects[subj]; ss != nil {
			if vs := ss.latest(false); vs != nil {
				b.LatestVersion, b.LatestID = vs.version, vs.id
			}
		}
		v.Subjects = append(v.Subjects, b)
	}
	for _, other := range sortedKeys(s.gov.topics) {
		if s.gov.topics[other].Successor == name {
			v.Predecessors = append(v.Predecessors, other)
		}
	}
	return v, nil
}

// CreateTopic adds a topic to the catalogue. Admins may create any topic;
// other principals only topics their own team owns (the owner defaults to
// the principal's team when it has exactly one). Binding a subject claims
// it: from then on only the owning team (and admins) may change it.
func (s *Service) CreateTopic(ctx context.Context, name string, u TopicUpdate) (Topic, error) {
	p, err := s.principal(ctx)
	if err != nil {
		return Topic{}, fmt.Errorf("create topic: %w", err)
	}
	if err := validateTopicName(name); err != nil {
		return Topic{}, err
	}
	var out Topic
	err = s.write(ctx, func() ([]storage.Record, error) {
		st := s.state
		st.mu.RLock()
		defer st.mu.RUnlock()
		if _, ok := s.gov.topics[name]; ok {
			return nil, Errorf(CodeConflict, "Topic '%s' already exists: change it with PUT /v1/catalog/topics/%s", name, name)
		}
		if u.Owner == nil && len(p.Teams) == 1 {
			u.Owner = &p.Teams[0]
		}
		if u.Owner != nil {
			if err := s.authorizeTeamLocked(p, *u.Owner); err != nil {
				return nil, err
			}
		} else if err := s.authorizeAdminLocked(p, "create a topic without naming its owner"); err != nil {
			return nil, err
		}
		t, err := s.gov.applyTopicUpdate(newTopic(name), u)
		if err != nil {
			return nil, err
		}
		if err := s.authorizeSubjectsLocked(p, t, nil); err != nil {
			return nil, err
		}
		out = t
		r, err := record(Key{Type: KeyTopic, Subject: name}, t)
		if err != nil {
			return nil, err
		}
		return s.withAudit([]storage.Record{r}, p, AuditEntry{Operation: OpTopicCreated, Topic: name, Team: t.Owner, After: rawJSON(t)})
	})
	if err != nil {
		return Topic{}, fmt.Errorf("create topic %q: %w", name, err)
	}
	return out, nil
}

// authorizeSubjectsLocked refuses a non-admin binding a subject it could
// not write today. Binding claims a subject, so it must not be a way
// around the unowned-subject policy or IMPORT mode: under admin-only, a
// subject that already holds versions (in any spelling OwnerKey folds
// together) can be bound only by an admin; a new one may be bound by its
// future owner. Subjects the topic already bound (was) are not rechecked.
func (s *Service) authorizeSubjectsLocked(p Principal, t Topic, was *Topic) error {
	if !s.cfg.Access.Enforce || p.Admin {
		return nil
	}
	st := s.state
	for _, subj := range t.Subjects() {
		if was != nil && was.Role(subj) != "" {
			continue
		}
		if st.effectiveMode(subj) == Import {
			return errForbidden("Subject '%s' is in IMPORT mode: only admins may bind it", subj)
		}
		if s.cfg.Access.Unowned != UnownedAdminOnly {
			continue
		}
		k := OwnerKey(subj)
		for name := range st.subjects {
			if OwnerKey(name) == k {
				return errForbidden("Subject '%s' already holds schemas and unowned subjects are admin-only: only an admin may bind it to a topic", name)
			}
		}
	}
	return nil
}

// ownedTopicLocked returns the topic name for a change by p: only its
// owning team and admins may change it. A missing topic is not found for
// admins and refused for everyone else, as only admins may act on topics nobody owns.
func (s *Service) ownedTopicLocked(p Principal, name, what string) (Topic, error) {
	cur, ok := s.gov.topics[name]
	if !ok {
		if err := s.authorizeAdminLocked(p, what); err != nil {
			return Topic{}, err
		}
		return Topic{}, errTopicNotFound(name)
	}
	if err := s.authorizeTeamLocked(p, cur.Owner); err != nil {
		return Topic{}, err
	}
	return cur, nil
}

// UpdateTopic changes a topic: description, owner, tags, docs, bindings,
// lifecycle, successor, producers, consumers or write policy. Admins and
// members of the owning team may; handing the topic to another team is
// such a change.
func (s *Service) UpdateTopic(ctx context.Context, name string, u TopicUpdate) (Topic, error) {
	p, err := s.principal(ctx)
	if err != nil {
		return Topic{}, fmt.Errorf("update topic: %w", err)
	}
	var out Topic
	err = s.write(ctx, func() ([]storage.Record, error) {
		st := s.state
		st.mu.RLock()
		defer st.mu.RUnlock()
		cur, err := s.ownedTopicLocked(p, name, "change topics that do not exist")
		if err != nil {
			return nil, err
		}
		if u.Name != nil && *u.Name != name {
			return nil, Errorf(CodeInvalidRequest, "Topic name %q differs from '%s' in the path: a topic cannot be renamed; create the new topic, bind its subjects and delete this one", *u.Name, name)
		}
		next, err := s.gov.applyTopicUpdate(cur, u)
		if err != nil {
			return nil, err
		}
		if err := s.authorizeSubjectsLocked(p, next, &cur); err != nil {
			return nil, err
		}
		out = next
		changed := changedFields(cur, next)
		if len(changed) == 0 {
			return nil, nil
		}
		r, err := record(Key{Type: KeyTopic, Subject: name}, next)
		if err != nil {
			return nil, err
		}
		return s.withAudit([]storage.Record{r}, p, AuditEntry{Operation: OpTopicUpdated, Topic: name, Team: next.Owner, Changed: changed, Before: rawJSON(cur), After: rawJSON(next)})
	})
	if err != nil {
		return Topic{}, fmt.Errorf("update topic %q: %w", name, err)
	}
	return out, nil
}

// DeleteTopic removes a topic from the catalogue, which leaves its subjects
// unowned. A topic that another names as its successor cannot be deleted.
func (s *Service) DeleteTopic(ctx context.Context, name string) (Topic, error) {
	p, err := s.principal(ctx)
	if err != nil {
		return Topic{}, fmt.Errorf("delete topic: %w", err)
	}
	var out Topic
	err = s.write(ctx, func() ([]storage.Record, error) {
		st := s.state
		st.mu.RLock()
		defer st.mu.RUnlock()
		cur, err := s.ownedTopicLocked(p, name, "delete topics that do not exist")
		if err != nil {
			return nil, err
		}
		for _, other := range sortedKeys(s.gov.topics) {
			if s.gov.topics[other].Successor == name {
				return nil, Errorf(CodeConflict, "Topic '%s' is the successor of '%s': change that topic's successor first", name, other)
			}
		}
		out = cur
		return s.withAudit([]storage.Record{tombstone(Key{Type: KeyTopic, Subject: name})}, p, AuditEntry{Operation: OpTopicDeleted, Topic: name, Team: cur.Owner, Before: rawJSON(cur)})
	})
	if err != nil {
		return Topic{}, fmt.Errorf("delete topic %q: %w", name, err)
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
// exists nor is bound is 40401.
func (s *Service) SubjectOwnership(subject string) (Ownership, error) {
	st := s.state
	st.mu.RLock()
	defer st.mu.RUnlock()
	o := Ownership{Subject: subject, Source: "none"}
	t, bound := s.gov.topicOf(subject)
	if bound {
		o.Source, o.Topic, o.Role, o.Team = "topic", t.Name, t.Role(subject), t.Owner
		o.WritePolicy, o.Lifecycle, o.Successor = t.WritePolicy, t.Lifecycle, t.Successor
	}
	ss := st.subjects[subject]
	if ss == nil && !bound {
		return Ownership{}, errSubjectNotFound(subject)
	}
	if ss != nil {
		if vs := ss.latest(false); vs != nil {
			if sc := vs.schema; sc != nil && sc.metadata != nil {
				o.OwnerHint = sc.metadata.Properties["owner"]
				o.OwnerEmailHint = sc.metadata.Properties["owner_email"]
			}
		}
	}
	if !bound && o.OwnerHint != "" {
		o.Source = "metadata"
	}
	return o, nil
}

var versionSuffix = regexp.MustCompile(`^(.*[-_.]v)(\d+)$`)

// nextTopicName proposes a successor name: orders → orders-v2,
// orders-v2 → orders-v3, skipping names already taken.
func (g *governance) nextTopicName(name string) string {
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
func (s *Service) upgradePathLocked(subject string, t Topic) string {
	next := t.Successor
	if next == "" {
		next = s.gov.nextTopicName(t.Name)
	}
	nextSubject := subject
	succ, exists := s.gov.topics[next]
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

// sortedTeams returns team names, sorted, for search.
func (g *governance) sortedTeams() []string {
	out := make([]string, 0, len(g.teams))
	for n := range g.teams {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
