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
	// Lifecycle is a stage such as active, deprecated or retired.
	Lifecycle string
	// Successor is the topic that replaces this one; Predecessors are the
	// topics this one replaces.
	Successor    string
	Predecessors []string
	// KeySubject and ValueSubject are the subjects holding the key and
	// value schemas; empty when the topic has none. Other lists further
	// bound subjects, such as those of RecordNameStrategy.
	KeySubject   string
	ValueSubject string
	Other        []string
	Producers    []string
	Consumers    []string
	Tags         []string
	Docs         []Link
	// WritePolicy says who may change the topic's contracts.
	WritePolicy string
	// Freshness, Ordering and Retention are the owner's SLA to consumers
	// (how late a record may arrive, none/per-key/total, how long records
	// are kept); Classification is the data's sensitivity (public,
	// internal, confidential, restricted). Empty when not published.
	Freshness, Ordering, Retention string
	Classification                 string
	// Private marks a topic only its owning team, the teams it lists as
	// consumers and admins may read; to everyone else the catalogue shows
	// neither it nor its subjects.
	Private bool
	// Derived marks a topic inferred from subject names (TopicNameStrategy)
	// rather than recorded by governance.
	Derived bool
}

// Link is a titled documentation link.
type Link struct {
	Title string
	URL   string
}

// Contact is one way to reach a team.
type Contact struct {
	Name  string
	Email string
	URL   string
}

// Team is a group that owns topics and subjects.
type Team struct {
	Name        string
	Description string
	Contacts    []Contact
	// Derived marks a team inferred from the "owner" metadata property of
	// schemas rather than recorded by governance.
	Derived bool
}

// Authorship is who registered one subject version and when, and who
// deleted it, from the audit trail.
type Authorship struct {
	Author string
	Time   time.Time
	// Reason and Link are the registration's provenance: why it was made
	// and where it was decided (a pull request, say).
	Reason    string
	Link      string
	DeletedBy string
	DeletedAt time.Time
}

// Directory is the governance data the catalogue shows beside the
// registry's own: topics, teams and the audit trail. By default the
// catalogue reads the registry's governance records (see
// GovernanceDirectory); WithDirectory replaces them. Either way, subjects
// that no topic binds are grouped into topics inferred from their names
// ("orders-value" belongs to topic "orders"), and owners named only in the
// "owner" and "email" metadata properties Confluent's data-contract
// examples use become inferred teams.
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
