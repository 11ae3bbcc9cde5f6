package web

import (
	"strings"
	"time"

	"github.com/charter-registry/charter/registry"
)

// Topic is a Kafka topic as the catalogue shows it: what it carries, who
// owns it and where it is in its life.
type Topic struct {
	Name        string
	Description string
	// Team is the owning team's name; it links to the team page.
	Team string
	// Lifecycle is a stage such as ACTIVE, DEPRECATED or RETIRED.
	Lifecycle   string
	Successor   string
	Predecessor string
	// KeySubject and ValueSubject are the subjects holding the key and
	// value schemas; empty when the topic has none.
	KeySubject   string
	ValueSubject string
	Producers    []string
	Consumers    []string
	Tags         []string
	// Derived marks a topic inferred from subject names (TopicNameStrategy)
	// rather than recorded by governance.
	Derived bool
}

// Team is a group that owns topics and subjects.
type Team struct {
	Name        string
	Description string
	Contacts    []string
	// Derived marks a team inferred from the "owner" metadata property of
	// schemas rather than recorded by governance.
	Derived bool
}

// Authorship is who made one subject version and when, from the audit
// trail.
type Authorship struct {
	Author string
	Time   time.Time
}

// Directory is the governance data the catalogue shows beside the
// registry's own: topics, teams and the audit trail. Supply one with
// WithDirectory. Without it the catalogue infers topics from subject names
// ("orders-value" belongs to topic "orders") and teams from the "owner" and
// "email" metadata properties Confluent's data-contract examples use.
// Implementations must be safe for concurrent use; Topics and Teams are
// called once per state position, Authors once per subject page.
type Directory interface {
	Topics() []Topic
	Teams() []Team
	// Authors returns who registered each version of subject, by version
	// number; versions without an audit entry are absent.
	Authors(subject string) map[int]Authorship
}

// topicOf returns the topic a subject belongs to under Confluent's
// TopicNameStrategy, and whether the subject is its key.
func topicOf(subject string) (topic string, key, ok bool) {
	if t, found := strings.CutSuffix(subject, "-value"); found && t != "" {
		return t, false, true
	}
	if t, found := strings.CutSuffix(subject, "-key"); found && t != "" {
		return t, true, true
	}
	return "", false, false
}

// ownerOf reads the owning team and contact from a schema's metadata.
func ownerOf(md *registry.Metadata) (team, contact string) {
	if md == nil {
		return "", ""
	}
	team = strings.TrimSpace(md.Properties["owner"])
	if team == "" {
		team = strings.TrimSpace(md.Properties["team"])
	}
	contact = strings.TrimSpace(md.Properties["email"])
	if contact == "" {
		contact = strings.TrimSpace(md.Properties["owner_email"])
	}
	return team, contact
}
