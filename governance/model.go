package governance

import (
	"maps"
	"net/mail"
	"reflect"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/charter-registry/charter/registry"
)

// charter's governance keytypes. Their keys use the Confluent layout, with
// the entity's name in the subject field: {"keytype":"TEAM","subject":
// "payments","magic":0}. AUDIT keys (registry.KeyAudit) carry a unique
// entry id there, so that compaction keeps every entry.
const (
	KeyTeam  registry.KeyType = "TEAM"
	KeyTopic registry.KeyType = "TOPIC"
)

// Team is a group of principals that owns topics.
type Team struct {
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	Contacts    []Contact `json:"contacts,omitempty"`
}

// Contact is one way to reach a team: a person, a mailbox, a chat channel
// or an on-call page.
type Contact struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	URL   string `json:"url,omitempty"`
}

// TeamUpdate changes a team; nil fields are left as they are.
type TeamUpdate struct {
	// Name, when given, must be the team's own: teams are not renamed.
	Name        *string    `json:"name,omitempty"`
	Description *string    `json:"description,omitempty"`
	Contacts    *[]Contact `json:"contacts,omitempty"`
}

// Lifecycle is where a topic is in its life.
type Lifecycle string

// The lifecycles, in the order a topic goes through them (see
// window.go): active, deprecated (an upgrade window is open: consumers
// move to the successor), retired (no new schema versions) and archived
// (kept for the record; nothing changes any more).
const (
	Active     Lifecycle = "active"
	Deprecated Lifecycle = "deprecated"
	Retired    Lifecycle = "retired"
	Archived   Lifecycle = "archived"
)

// Lifecycles lists every lifecycle, for callers that validate a filter.
func Lifecycles() []Lifecycle { return []Lifecycle{Active, Deprecated, Retired, Archived} }

// WritePolicy says who may change the contracts of a topic's subjects.
type WritePolicy string

// The write policies.
const (
	// SingleWriter lets only the owning team (and admins) change the
	// topic's subjects: the default, for entity and event topics.
	SingleWriter WritePolicy = "single-writer"
	// Shared also lets any authenticated principal register new versions
	// of the topic's subjects, for command topics many teams write to.
	// Deletes, config and mode changes stay with the owning team.
	Shared WritePolicy = "shared"
)

// Link is a titled documentation link.
type Link struct {
	Title string `json:"title,omitempty"`
	URL   string `json:"url"`
}

// Bindings are the subjects whose schemas are a topic's contract. By
// default they follow Confluent's TopicNameStrategy: <topic>-key and
// <topic>-value. Other lists further subjects, such as those of
// RecordNameStrategy.
type Bindings struct {
	Key   string   `json:"key,omitempty"`
	Value string   `json:"value,omitempty"`
	Other []string `json:"other,omitempty"`
}

// BindingsUpdate changes a topic's bindings; nil fields keep their current
// value (or the TopicNameStrategy default when the topic is created), and
// an empty string unbinds the key or value subject.
type BindingsUpdate struct {
	Key   *string   `json:"key,omitempty"`
	Value *string   `json:"value,omitempty"`
	Other *[]string `json:"other,omitempty"`
}

// Topic is a Kafka topic as the catalogue knows it: who owns it, what it is
// for, which subjects hold its contract and where it is in its life.
type Topic struct {
	Name        string      `json:"name"`
	Description string      `json:"description,omitempty"`
	Owner       string      `json:"owner"`
	Tags        []string    `json:"tags,omitempty"`
	Docs        []Link      `json:"docs,omitempty"`
	Bindings    Bindings    `json:"bindings"`
	Lifecycle   Lifecycle   `json:"lifecycle"`
	Successor   string      `json:"successor,omitempty"`
	Producers   []string    `json:"producers,omitempty"`
	Consumers   []string    `json:"consumers,omitempty"`
	WritePolicy WritePolicy `json:"writePolicy"`
	// Visibility is public (the default) or private: who may read the
	// topic's contract (see Private).
	Visibility Visibility `json:"visibility"`
	// SLA is what the owner promises consumers: freshness, ordering,
	// retention.
	SLA *SLA `json:"sla,omitempty"`
	// Classification is the data's sensitivity: public, internal,
	// confidential or restricted.
	Classification string `json:"classification,omitempty"`
	// DeprecationDate and SunsetDate bound the upgrade window of a
	// deprecated topic (RFC 3339, UTC): when it was deprecated and the
	// deadline by which its consumers should have moved to the successor.
	DeprecationDate string `json:"deprecationDate,omitempty"`
	SunsetDate      string `json:"sunsetDate,omitempty"`
	// Migrations is each consumer's migration state while the topic is
	// deprecated (and, frozen, once it is retired): pending or migrated.
	Migrations map[string]MigrationState `json:"migrations,omitempty"`
	// Review is the topic's review policy: required holds changes that
	// may hurt consumers for the consuming teams' approval; none (or
	// absent) lets them land.
	Review string `json:"review,omitempty"`
	// Subscribers are the teams that asked to hear of contract changes
	// (set through their own route).
	Subscribers []string `json:"subscribers,omitempty"`
	// Lint is the lint policy of the topic's subjects that have none in
	// their own config.
	Lint *registry.LintPolicy `json:"lint,omitempty"`
}

// TopicUpdate creates or changes a topic; nil fields are left as they are
// (or take their defaults on creation).
type TopicUpdate struct {
	// Name, when given, must be the topic's own: topics are not renamed.
	Name           *string         `json:"name,omitempty"`
	Description    *string         `json:"description,omitempty"`
	Owner          *string         `json:"owner,omitempty"`
	Tags           *[]string       `json:"tags,omitempty"`
	Docs           *[]Link         `json:"docs,omitempty"`
	Bindings       *BindingsUpdate `json:"bindings,omitempty"`
	Lifecycle      *Lifecycle      `json:"lifecycle,omitempty"`
	Successor      *string         `json:"successor,omitempty"`
	Producers      *[]string       `json:"producers,omitempty"`
	Consumers      *[]string       `json:"consumers,omitempty"`
	WritePolicy    *WritePolicy    `json:"writePolicy,omitempty"`
	Visibility     *Visibility     `json:"visibility,omitempty"`
	SLA            *SLA            `json:"sla,omitempty"`
	Classification *string         `json:"classification,omitempty"`
	// Review is required or none.
	Review *string `json:"review,omitempty"`
	// DeprecationDate (the window shows the time of the deprecation when
	// it is not given) and SunsetDate
	// take RFC 3339 times or dates (2027-01-31); only a deprecated topic
	// has them.
	DeprecationDate *string `json:"deprecationDate,omitempty"`
	SunsetDate      *string `json:"sunsetDate,omitempty"`
	// Force lets an admin retire a topic whose consumers are still
	// pending (the query parameter force=true); the entry is marked
	// forced.
	Force bool `json:"-"`
	// Lint sets the topic's lint policy; {"mode":"off"} turns it off.
	Lint *registry.LintPolicy `json:"lint,omitempty"`
}

// Subjects lists the topic's bound subjects: key, value, then the others.
func (t Topic) Subjects() []string {
	var out []string
	for _, s := range append([]string{t.Bindings.Key, t.Bindings.Value}, t.Bindings.Other...) {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Role names how subject is bound to the topic: key, value or other; ""
// when it is not bound to it. Subjects compare as ownership does.
func (t Topic) Role(subject string) string {
	k := registry.OwnerKey(subject)
	switch {
	case t.Bindings.Key != "" && registry.OwnerKey(t.Bindings.Key) == k:
		return "key"
	case t.Bindings.Value != "" && registry.OwnerKey(t.Bindings.Value) == k:
		return "value"
	}
	for _, o := range t.Bindings.Other {
		if registry.OwnerKey(o) == k {
			return "other"
		}
	}
	return ""
}

// validateName checks a team name: 1 to 64 ASCII letters, digits, '.', '_'
// and '-', starting with a letter or digit.
func validateTeamName(name string) error {
	if name == "" || len(name) > 64 {
		return registry.Errorf(registry.CodeInvalidRequest, "Invalid team name %q: use 1 to 64 characters", name)
	}
	for i, r := range name {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || (i > 0 && (r == '.' || r == '_' || r == '-'))
		if !ok {
			return registry.Errorf(registry.CodeInvalidRequest, "Invalid team name %q: use ASCII letters, digits, '.', '_' and '-', starting with a letter or digit", name)
		}
	}
	return nil
}

// validateTopicName applies Kafka's rules for topic names.
func validateTopicName(name string) error {
	switch {
	case name == "" || name == "." || name == "..":
		return registry.Errorf(registry.CodeInvalidRequest, "Invalid topic name %q", name)
	case len(name) > 249:
		return registry.Errorf(registry.CodeInvalidRequest, "Invalid topic name: %d characters; Kafka's limit is 249", len(name))
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return registry.Errorf(registry.CodeInvalidRequest, "Invalid topic name %q: Kafka allows only ASCII letters, digits, '.', '_' and '-'", name)
		}
	}
	return nil
}

// validateText checks a free-text field: at most limit characters (as
// openapi.yaml's maxLength counts them) and free of control characters
// other than newlines and tabs.
func validateText(field, s string, limit int) error {
	if n := utf8.RuneCountInString(s); n > limit {
		return registry.Errorf(registry.CodeInvalidRequest, "Invalid %s: %d characters; the limit is %d", field, n, limit)
	}
	for _, r := range s {
		if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f {
			return registry.Errorf(registry.CodeInvalidRequest, "Invalid %s: control characters are not allowed", field)
		}
	}
	return nil
}

// validateURL accepts absolute http, https and mailto URLs in the link
// grammar (registry/links.go) only, so that a catalogue page can render them as
// links safely.
func validateURL(field, raw string) error {
	switch {
	case raw == "" || len(raw) > 2048:
		return registry.Errorf(registry.CodeInvalidRequest, "Invalid %s %q: give a URL of 1 to 2048 characters", field, raw)
	case registry.IsHTTPLink(raw) || registry.IsMailtoLink(raw):
		return nil
	}
	return registry.Errorf(registry.CodeInvalidRequest, "Invalid %s %q: use an http, https or mailto URL with a host name and %s", field, raw, registry.LinkHint)
}

// cleanList validates a list of short names (tags, services), drops
// repeats and keeps the given order.
func cleanList(field string, in []string) ([]string, error) {
	var out []string
	for _, s := range in {
		// The limit applies to the entry as sent, as openapi.yaml's
		// maxLength does; the stored entry is trimmed.
		if err := validateText(field, s, 128); err != nil {
			return nil, err
		}
		s = strings.TrimSpace(s)
		if s == "" {
			return nil, registry.Errorf(registry.CodeInvalidRequest, "Invalid %s: empty entry", field)
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out, nil
}

func (t Team) validate() error {
	if err := validateTeamName(t.Name); err != nil {
		return err
	}
	if err := validateText("description", t.Description, 4096); err != nil {
		return err
	}
	if len(t.Contacts) > 32 {
		return registry.Errorf(registry.CodeInvalidRequest, "Invalid contacts: %d given; the limit is 32", len(t.Contacts))
	}
	for i, c := range t.Contacts {
		if c.Name == "" && c.Email == "" && c.URL == "" {
			return registry.Errorf(registry.CodeInvalidRequest, "Invalid contact %d: give a name, an email or a URL", i)
		}
		if err := validateText("contact name", c.Name, 256); err != nil {
			return err
		}
		if c.Email != "" {
			if a, err := mail.ParseAddress(c.Email); err != nil || a.Address != c.Email {
				return registry.Errorf(registry.CodeInvalidRequest, "Invalid contact email %q: use a plain address such as team@example.com", c.Email)
			}
		}
		if c.URL != "" {
			if err := validateURL("contact url", c.URL); err != nil {
				return err
			}
		}
	}
	return nil
}

// applyTopicUpdate lays u over t and checks the result against the
// catalogue: the owner and successor exist and no bound subject belongs to
// another topic.
func (g *Governance) applyTopicUpdate(t Topic, u TopicUpdate) (Topic, error) {
	if u.Description != nil {
		t.Description = *u.Description
	}
	if u.Owner != nil {
		t.Owner = *u.Owner
	}
	var err error
	if u.Tags != nil {
		if t.Tags, err = cleanList("tags", *u.Tags); err != nil {
			return Topic{}, err
		}
	}
	if u.Docs != nil {
		t.Docs = slices.Clone(*u.Docs)
	}
	if u.Bindings != nil {
		if u.Bindings.Key != nil {
			t.Bindings.Key = *u.Bindings.Key
		}
		if u.Bindings.Value != nil {
			t.Bindings.Value = *u.Bindings.Value
		}
		if u.Bindings.Other != nil {
			t.Bindings.Other = slices.Clone(*u.Bindings.Other)
		}
	}
	if u.Lifecycle != nil {
		t.Lifecycle = Lifecycle(strings.ToLower(string(*u.Lifecycle)))
	}
	if u.Successor != nil {
		t.Successor = *u.Successor
	}
	if u.Producers != nil {
		if t.Producers, err = cleanList("producers", *u.Producers); err != nil {
			return Topic{}, err
		}
	}
	if u.Consumers != nil {
		if t.Consumers, err = cleanList("consumers", *u.Consumers); err != nil {
			return Topic{}, err
		}
	}
	if u.WritePolicy != nil {
		t.WritePolicy = WritePolicy(strings.ToLower(string(*u.WritePolicy)))
	}
	if u.Visibility != nil {
		t.Visibility = Visibility(strings.ToLower(string(*u.Visibility)))
	}
	if u.SLA != nil {
		sla, err := u.SLA.clean()
		if err != nil {
			return Topic{}, err
		}
		t.SLA = &sla
		if sla == (SLA{}) {
			t.SLA = nil
		}
	}
	if u.Review != nil {
		switch r := strings.ToLower(strings.TrimSpace(*u.Review)); r {
		case ReviewRequired:
			t.Review = r
		case ReviewNone, "":
			t.Review = ""
		default:
			return Topic{}, registry.Errorf(registry.CodeInvalidRequest, "Invalid review %q: use required or none", *u.Review)
		}
	}
	if u.Classification != nil {
		if t.Classification, err = cleanClassification(*u.Classification); err != nil {
			return Topic{}, err
		}
	}
	if u.Lint != nil {
		p := *u.Lint
		if err := registry.ValidateLint(&p); err != nil {
			return Topic{}, err
		}
		t.Lint = &p
	}
	return t, g.checkTopic(t)
}

// errOwnerMissing refuses a topic owner that names no team. Anyone may
// list the teams, so it is the answer for every principal, before any
// question of membership.
func errOwnerMissing(team string) error {
	return registry.Errorf(registry.CodeInvalidRequest, "Team '%s' does not exist: create it first with POST /v1/catalog/teams", team)
}

func (g *Governance) checkTopic(t Topic) error {
	if err := validateTopicName(t.Name); err != nil {
		return err
	}
	if err := validateText("description", t.Description, 4096); err != nil {
		return err
	}
	if t.Owner == "" {
		return registry.Errorf(registry.CodeInvalidRequest, "Topic '%s' needs an owner: name the team that produces it", t.Name)
	}
	if _, ok := g.teams[t.Owner]; !ok {
		return errOwnerMissing(t.Owner)
	}
	switch t.Lifecycle {
	case Active, Deprecated, Retired, Archived:
	default:
		return registry.Errorf(registry.CodeInvalidRequest, "Invalid lifecycle %q: use active, deprecated, retired or archived", t.Lifecycle)
	}
	switch t.WritePolicy {
	case SingleWriter, Shared:
	default:
		return registry.Errorf(registry.CodeInvalidRequest, "Invalid writePolicy %q: use single-writer or shared", t.WritePolicy)
	}
	switch t.Visibility {
	case Public, Private:
	default:
		return registry.Errorf(registry.CodeInvalidRequest, "Invalid visibility %q: use public or private", t.Visibility)
	}
	if len(t.Docs) > 32 {
		return registry.Errorf(registry.CodeInvalidRequest, "Invalid docs: %d links given; the limit is 32", len(t.Docs))
	}
	for _, d := range t.Docs {
		if err := validateText("doc title", d.Title, 256); err != nil {
			return err
		}
		if err := validateURL("doc url", d.URL); err != nil {
			return err
		}
	}
	if t.Successor != "" {
		if t.Successor == t.Name {
			return registry.Errorf(registry.CodeInvalidRequest, "Topic '%s' cannot be its own successor", t.Name)
		}
		seen := map[string]bool{t.Name: true}
		for next := t.Successor; next != ""; next = g.topics[next].Successor {
			if _, ok := g.topics[next]; !ok {
				return registry.Errorf(registry.CodeInvalidRequest, "Successor topic '%s' does not exist: create it first", next)
			}
			if seen[next] {
				return registry.Errorf(registry.CodeInvalidRequest, "Successor '%s' would make a cycle of successors", t.Successor)
			}
			seen[next] = true
		}
	}
	if len(t.Bindings.Other) > 64 {
		return registry.Errorf(registry.CodeInvalidRequest, "Invalid bindings: %d other subjects; the limit is 64", len(t.Bindings.Other))
	}
	mine := map[string]bool{}
	for _, s := range t.Subjects() {
		if err := registry.ValidateSubject(s); err != nil {
			return err
		}
		k := registry.OwnerKey(s)
		if mine[k] {
			return registry.Errorf(registry.CodeInvalidRequest, "Subject '%s' is bound to topic '%s' twice", s, t.Name)
		}
		mine[k] = true
		if other, ok := g.bySubject[k]; ok && other != t.Name {
			return registry.Errorf(registry.CodeConflict, "Subject '%s' is already bound to topic '%s'; unbind it there first", s, other)
		}
	}
	return nil
}

// newTopic is a topic with the defaults: active, single-writer, bound by
// TopicNameStrategy.
func newTopic(name string) Topic {
	return Topic{
		Name:        name,
		Lifecycle:   Active,
		WritePolicy: SingleWriter,
		Visibility:  Public,
		Bindings:    Bindings{Key: name + "-key", Value: name + "-value"},
	}
}

// changedFields names the top-level fields that differ between two topics.
func changedFields(a, b Topic) []string {
	var out []string
	add := func(name string, differ bool) {
		if differ {
			out = append(out, name)
		}
	}
	add("description", a.Description != b.Description)
	add("owner", a.Owner != b.Owner)
	add("tags", !slices.Equal(a.Tags, b.Tags))
	add("docs", !slices.Equal(a.Docs, b.Docs))
	add("bindings", a.Bindings.Key != b.Bindings.Key || a.Bindings.Value != b.Bindings.Value || !slices.Equal(a.Bindings.Other, b.Bindings.Other))
	add("lifecycle", a.Lifecycle != b.Lifecycle)
	add("successor", a.Successor != b.Successor)
	add("producers", !slices.Equal(a.Producers, b.Producers))
	add("consumers", !slices.Equal(a.Consumers, b.Consumers))
	add("writePolicy", a.WritePolicy != b.WritePolicy)
	add("visibility", a.Visibility != b.Visibility)
	add("sla", !reflect.DeepEqual(a.SLA, b.SLA))
	add("classification", a.Classification != b.Classification)
	add("review", a.Review != b.Review)
	add("subscribers", !slices.Equal(a.Subscribers, b.Subscribers))
	add("deprecationDate", a.DeprecationDate != b.DeprecationDate)
	add("sunsetDate", a.SunsetDate != b.SunsetDate)
	add("migrations", !maps.Equal(a.Migrations, b.Migrations))
	add("lint", !reflect.DeepEqual(a.Lint, b.Lint))
	return out
}

// topicsOwnedBy lists the topics team owns, sorted.
func (g *Governance) topicsOwnedBy(team string) []string {
	var out []string
	for name, t := range g.topics {
		if t.Owner == team {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}
