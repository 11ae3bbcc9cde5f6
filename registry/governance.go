package registry

import (
	"encoding/json"
	"fmt"
	"net/mail"
	"reflect"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// charter's governance keytypes. Their keys use the Confluent layout, with
// the entity's name in the subject field: {"keytype":"TEAM","subject":
// "payments","magic":0}. AUDIT keys carry a unique entry id there, so that
// compaction keeps every entry.
const (
	KeyTeam  KeyType = "TEAM"
	KeyTopic KeyType = "TOPIC"
	KeyAudit KeyType = "AUDIT"
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

// The lifecycles. A retired topic accepts no new schema versions.
const (
	Active     Lifecycle = "active"
	Deprecated Lifecycle = "deprecated"
	Retired    Lifecycle = "retired"
)

// Lifecycles lists every lifecycle, for callers that validate a filter.
func Lifecycles() []Lifecycle { return []Lifecycle{Active, Deprecated, Retired} }

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
	// Lint is the lint policy of the topic's subjects that have none in
	// their own config.
	Lint *LintPolicy `json:"lint,omitempty"`
}

// TopicUpdate creates or changes a topic; nil fields are left as they are
// (or take their defaults on creation).
type TopicUpdate struct {
	// Name, when given, must be the topic's own: topics are not renamed.
	Name        *string         `json:"name,omitempty"`
	Description *string         `json:"description,omitempty"`
	Owner       *string         `json:"owner,omitempty"`
	Tags        *[]string       `json:"tags,omitempty"`
	Docs        *[]Link         `json:"docs,omitempty"`
	Bindings    *BindingsUpdate `json:"bindings,omitempty"`
	Lifecycle   *Lifecycle      `json:"lifecycle,omitempty"`
	Successor   *string         `json:"successor,omitempty"`
	Producers   *[]string       `json:"producers,omitempty"`
	Consumers   *[]string       `json:"consumers,omitempty"`
	WritePolicy *WritePolicy    `json:"writePolicy,omitempty"`
	// Lint sets the topic's lint policy; {"mode":"off"} turns it off.
	Lint *LintPolicy `json:"lint,omitempty"`
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
	k := OwnerKey(subject)
	switch {
	case t.Bindings.Key != "" && OwnerKey(t.Bindings.Key) == k:
		return "key"
	case t.Bindings.Value != "" && OwnerKey(t.Bindings.Value) == k:
		return "value"
	}
	for _, o := range t.Bindings.Other {
		if OwnerKey(o) == k {
			return "other"
		}
	}
	return ""
}

// OwnerKey folds a subject name to the form ownership is looked up by, so
// that a look-alike name cannot escape its owner: every Confluent context
// prefix (":.staging:", however many are stacked) is dropped, leading and
// trailing spaces, slashes and dots (what path normalisation adds or
// removes) are trimmed, and letters are lower-cased. "orders-value",
// ":.staging:orders-value", ":.a::.b:orders-value", "Orders-Value",
// "orders-value/" and "./orders-value" all belong to whoever owns
// orders-value. A name that is only contexts (":.staging:", ":.:") folds to
// "": it names a context, which no team owns.
func OwnerKey(subject string) string {
	s := subject
	for {
		s = strings.Trim(s, " /.")
		if !strings.HasPrefix(s, ":.") {
			break
		}
		i := strings.IndexByte(s[2:], ':')
		if i < 0 {
			break
		}
		s = s[2+i+1:]
	}
	return strings.ToLower(s)
}

// governance is the catalogue and the audit trail, applied from TEAM,
// TOPIC and AUDIT records. It lives under State's lock.
type governance struct {
	teams     map[string]Team
	topics    map[string]Topic
	bySubject map[string]string // OwnerKey(subject) → topic
	// predecessors maps a topic to the topics that name it as their
	// successor.
	predecessors map[string]map[string]bool
	audit        []AuditEntry // in log order
	auditIDs     map[string]bool
}

func newGovernance() *governance {
	return &governance{
		teams:     map[string]Team{},
		topics:    map[string]Topic{},
		bySubject: map[string]string{},
		auditIDs:  map[string]bool{},

		predecessors: map[string]map[string]bool{},
	}
}

// predecessorsOf lists, sorted, the topics that name topic as successor.
func (g *governance) predecessorsOf(topic string) []string {
	return sortedKeys(g.predecessors[topic])
}

// topicOf returns the topic subject is bound to.
func (g *governance) topicOf(subject string) (Topic, bool) {
	name, ok := g.bySubject[OwnerKey(subject)]
	if !ok {
		return Topic{}, false
	}
	t, ok := g.topics[name]
	return t, ok
}

func (g *governance) putTopic(t Topic) {
	g.dropTopic(t.Name)
	g.topics[t.Name] = t
	for _, s := range t.Subjects() {
		g.bySubject[OwnerKey(s)] = t.Name
	}
	if t.Successor != "" {
		if g.predecessors[t.Successor] == nil {
			g.predecessors[t.Successor] = map[string]bool{}
		}
		g.predecessors[t.Successor][t.Name] = true
	}
}

func (g *governance) dropTopic(name string) {
	old, ok := g.topics[name]
	if !ok {
		return
	}
	for _, s := range old.Subjects() {
		if g.bySubject[OwnerKey(s)] == name {
			delete(g.bySubject, OwnerKey(s))
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

// teamRecords, topicRecords and auditRecords apply one keytype each.
type (
	teamRecords  struct{ g *governance }
	topicRecords struct{ g *governance }
	auditRecords struct{ g *governance }
)

func (e teamRecords) Apply(k Key, value []byte, _ int64) error {
	if value == nil {
		delete(e.g.teams, k.Subject)
		return nil
	}
	var t Team
	if err := json.Unmarshal(value, &t); err != nil {
		return fmt.Errorf("decode TEAM value: %w", err)
	}
	if t.Name != k.Subject {
		return fmt.Errorf("TEAM key names %q but value names %q", k.Subject, t.Name)
	}
	e.g.teams[t.Name] = t
	return nil
}

func (e teamRecords) Digest(w func([]byte)) {
	for _, name := range sortedKeys(e.g.teams) {
		b, _ := json.Marshal(e.g.teams[name])
		w(b)
	}
}

func (e topicRecords) Apply(k Key, value []byte, _ int64) error {
	if value == nil {
		e.g.dropTopic(k.Subject)
		return nil
	}
	var t Topic
	if err := json.Unmarshal(value, &t); err != nil {
		return fmt.Errorf("decode TOPIC value: %w", err)
	}
	if t.Name != k.Subject {
		return fmt.Errorf("TOPIC key names %q but value names %q", k.Subject, t.Name)
	}
	e.g.putTopic(t)
	return nil
}

func (e topicRecords) Digest(w func([]byte)) {
	for _, name := range sortedKeys(e.g.topics) {
		b, _ := json.Marshal(e.g.topics[name])
		w(b)
	}
}

func (e auditRecords) Apply(k Key, value []byte, offset int64) error {
	if value == nil || e.g.auditIDs[k.Subject] {
		return nil
	}
	var a AuditEntry
	if err := json.Unmarshal(value, &a); err != nil {
		return fmt.Errorf("decode AUDIT value: %w", err)
	}
	if a.ID != k.Subject {
		return fmt.Errorf("AUDIT key names %q but value names %q", k.Subject, a.ID)
	}
	a.Position = offset
	e.g.auditIDs[a.ID] = true
	e.g.audit = append(e.g.audit, a)
	return nil
}

func (e auditRecords) Digest(w func([]byte)) {
	for _, a := range e.g.audit {
		b, _ := json.Marshal(a)
		w(b)
	}
}

// validateName checks a team name: 1 to 64 ASCII letters, digits, '.', '_'
// and '-', starting with a letter or digit.
func validateTeamName(name string) error {
	if name == "" || len(name) > 64 {
		return Errorf(CodeInvalidRequest, "Invalid team name %q: use 1 to 64 characters", name)
	}
	for i, r := range name {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || (i > 0 && (r == '.' || r == '_' || r == '-'))
		if !ok {
			return Errorf(CodeInvalidRequest, "Invalid team name %q: use ASCII letters, digits, '.', '_' and '-', starting with a letter or digit", name)
		}
	}
	return nil
}

// validateTopicName applies Kafka's rules for topic names.
func validateTopicName(name string) error {
	switch {
	case name == "" || name == "." || name == "..":
		return Errorf(CodeInvalidRequest, "Invalid topic name %q", name)
	case len(name) > 249:
		return Errorf(CodeInvalidRequest, "Invalid topic name: %d characters; Kafka's limit is 249", len(name))
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return Errorf(CodeInvalidRequest, "Invalid topic name %q: Kafka allows only ASCII letters, digits, '.', '_' and '-'", name)
		}
	}
	return nil
}

// validateText checks a free-text field: at most limit characters (as
// openapi.yaml's maxLength counts them) and free of control characters
// other than newlines and tabs.
func validateText(field, s string, limit int) error {
	if n := utf8.RuneCountInString(s); n > limit {
		return Errorf(CodeInvalidRequest, "Invalid %s: %d characters; the limit is %d", field, n, limit)
	}
	for _, r := range s {
		if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f {
			return Errorf(CodeInvalidRequest, "Invalid %s: control characters are not allowed", field)
		}
	}
	return nil
}

// validateURL accepts absolute http, https and mailto URLs in the link
// grammar (links.go) only, so that a catalogue page can render them as
// links safely.
func validateURL(field, raw string) error {
	switch {
	case raw == "" || len(raw) > 2048:
		return Errorf(CodeInvalidRequest, "Invalid %s %q: give a URL of 1 to 2048 characters", field, raw)
	case httpLink.MatchString(raw) || mailtoLink.MatchString(raw):
		return nil
	}
	return Errorf(CodeInvalidRequest, "Invalid %s %q: use an http, https or mailto URL with a host name and %s", field, raw, linkHint)
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
			return nil, Errorf(CodeInvalidRequest, "Invalid %s: empty entry", field)
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
		return Errorf(CodeInvalidRequest, "Invalid contacts: %d given; the limit is 32", len(t.Contacts))
	}
	for i, c := range t.Contacts {
		if c.Name == "" && c.Email == "" && c.URL == "" {
			return Errorf(CodeInvalidRequest, "Invalid contact %d: give a name, an email or a URL", i)
		}
		if err := validateText("contact name", c.Name, 256); err != nil {
			return err
		}
		if c.Email != "" {
			if a, err := mail.ParseAddress(c.Email); err != nil || a.Address != c.Email {
				return Errorf(CodeInvalidRequest, "Invalid contact email %q: use a plain address such as team@example.com", c.Email)
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
func (g *governance) applyTopicUpdate(t Topic, u TopicUpdate) (Topic, error) {
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
	if u.Lint != nil {
		p := *u.Lint
		if err := validateLint(&p); err != nil {
			return Topic{}, err
		}
		t.Lint = &p
	}
	return t, g.checkTopic(t)
}

func (g *governance) checkTopic(t Topic) error {
	if err := validateTopicName(t.Name); err != nil {
		return err
	}
	if err := validateText("description", t.Description, 4096); err != nil {
		return err
	}
	if t.Owner == "" {
		return Errorf(CodeInvalidRequest, "Topic '%s' needs an owner: name the team that produces it", t.Name)
	}
	if _, ok := g.teams[t.Owner]; !ok {
		return Errorf(CodeInvalidRequest, "Team '%s' does not exist: create it first with POST /v1/catalog/teams", t.Owner)
	}
	switch t.Lifecycle {
	case Active, Deprecated, Retired:
	default:
		return Errorf(CodeInvalidRequest, "Invalid lifecycle %q: use active, deprecated or retired", t.Lifecycle)
	}
	switch t.WritePolicy {
	case SingleWriter, Shared:
	default:
		return Errorf(CodeInvalidRequest, "Invalid writePolicy %q: use single-writer or shared", t.WritePolicy)
	}
	if len(t.Docs) > 32 {
		return Errorf(CodeInvalidRequest, "Invalid docs: %d links given; the limit is 32", len(t.Docs))
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
			return Errorf(CodeInvalidRequest, "Topic '%s' cannot be its own successor", t.Name)
		}
		seen := map[string]bool{t.Name: true}
		for next := t.Successor; next != ""; next = g.topics[next].Successor {
			if _, ok := g.topics[next]; !ok {
				return Errorf(CodeInvalidRequest, "Successor topic '%s' does not exist: create it first", next)
			}
			if seen[next] {
				return Errorf(CodeInvalidRequest, "Successor '%s' would make a cycle of successors", t.Successor)
			}
			seen[next] = true
		}
	}
	if len(t.Bindings.Other) > 64 {
		return Errorf(CodeInvalidRequest, "Invalid bindings: %d other subjects; the limit is 64", len(t.Bindings.Other))
	}
	mine := map[string]bool{}
	for _, s := range t.Subjects() {
		if err := ValidateSubject(s); err != nil {
			return err
		}
		k := OwnerKey(s)
		if mine[k] {
			return Errorf(CodeInvalidRequest, "Subject '%s' is bound to topic '%s' twice", s, t.Name)
		}
		mine[k] = true
		if other, ok := g.bySubject[k]; ok && other != t.Name {
			return Errorf(CodeConflict, "Subject '%s' is already bound to topic '%s'; unbind it there first", s, other)
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
	add("lint", !reflect.DeepEqual(a.Lint, b.Lint))
	return out
}

// topicsOwnedBy lists the topics team owns, sorted.
func (g *governance) topicsOwnedBy(team string) []string {
	var out []string
	for name, t := range g.topics {
		if t.Owner == team {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}
