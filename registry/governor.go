package registry

import "github.com/charter-registry/charter/storage"

// Governor is what the registry asks the governance layer (package
// governance) about subjects: which topic binds one, who owns it, whether
// it still takes new versions, what lint policy the topic sets and how a
// breaking change should be made instead. The registry knows nothing else
// about teams and topics. Without a Governor every subject is unbound.
//
// The registry calls a Governor while it holds its state's read lock
// (inside a write's build, so the decision and the write see the same
// ownership), and applies records to extensions under its write lock: a
// Governor must not call back into the Service from these methods.
type Governor interface {
	// Binding returns what the registry needs of the topic that binds
	// subject; false when none does. Subjects compare as OwnerKey folds
	// them.
	Binding(subject string) (Binding, bool)
	// UpgradePath explains, for an incompatible registration on a bound
	// subject, how to make the breaking change without breaking consumers;
	// it is appended to the 40901 message.
	UpgradePath(subject string) string
	// Predecessors lists, in order, the subjects of the topics whose
	// successor binds subject in the same role (key or value), for lint
	// rules that compare a first schema with the one it replaces.
	Predecessors(subject string) []Predecessor
	// Hold decides whether a registration on a topic with Review set
	// waits for its reviewers. To hold it, it returns the records to
	// write in the registration's batch instead of the version (the
	// pending review and its audit entry) and the error the producer is
	// answered with (CodePendingReview); nil, nil lets it land.
	Hold(h Hold) ([]storage.Record, error)
}

// Binding is what the registry knows of the topic a subject is bound to.
type Binding struct {
	// Topic is the topic's name, Owner its owning team.
	Topic string
	Owner string
	// Shared lets any authenticated principal register new versions; only
	// the owner may delete or change config and mode.
	Shared bool
	// Closed, when not empty, refuses new versions with this message
	// (42205): the topic is retired, say.
	Closed string
	// Lint is the topic's lint policy, for subjects without their own.
	Lint *LintPolicy
	// Watched asks for a registration's changes and verdicts in its audit
	// entry and change event (teams subscribe to the topic).
	Watched bool
	// Review asks Hold about every registration with changes.
	Review bool
}

// Predecessor is one subject a successor's subject replaces.
type Predecessor struct {
	Topic   string
	Subject string
}

// governorRef boxes a Governor for an atomic pointer.
type governorRef struct{ Governor }

type noGovernor struct{}

func (noGovernor) Binding(string) (Binding, bool)      { return Binding{}, false }
func (noGovernor) UpgradePath(string) string           { return "" }
func (noGovernor) Predecessors(string) []Predecessor   { return nil }
func (noGovernor) Hold(Hold) ([]storage.Record, error) { return nil, nil }

// SetGovernor makes g the service's governance. Call it before Run, as
// State.Register, so that replay and every write see the same ownership.
func (s *Service) SetGovernor(g Governor) { s.gov.Store(&governorRef{g}) }

// Governor returns the service's governance; nil when none is set.
func (s *Service) Governor() Governor {
	if r := s.gov.Load(); r != nil {
		return r.Governor
	}
	return nil
}

// governor returns the service's governance, or one that binds nothing.
func (s *Service) governor() Governor {
	if g := s.Governor(); g != nil {
		return g
	}
	return noGovernor{}
}
