package registry

import (
	"github.com/charter-registry/charter/confluent"

	"context"
	"fmt"
	"strings"
)

// UnownedPolicy says who may write subjects that no topic binds.
type UnownedPolicy string

// The unowned-subject policies.
const (
	// UnownedOpen lets any authenticated principal write unowned subjects,
	// so clients keep working when authorization is turned on.
	UnownedOpen UnownedPolicy = "open"
	// UnownedAdminOnly reserves unowned subjects for admins: every subject
	// must be bound to a topic before its owners can write it.
	UnownedAdminOnly UnownedPolicy = "admin-only"
)

// ParseUnownedPolicy accepts open or admin-only.
func ParseUnownedPolicy(s string) (UnownedPolicy, error) {
	switch p := UnownedPolicy(strings.ToLower(strings.TrimSpace(s))); p {
	case UnownedOpen, UnownedAdminOnly:
		return p, nil
	}
	return "", fmt.Errorf("unowned-subject policy %q: use open or admin-only", s)
}

// AccessConfig turns authorization on and sets its policy. With Enforce
// off (the zero-setup default) every write is allowed, and audit entries
// name the request's principal if it has one, else "anonymous".
type AccessConfig struct {
	// Enforce makes every write need a principal (40101 without one) that
	// may make it (40301 otherwise):
	//   - admins may make any write;
	//   - a subject bound to a topic may be changed by the topic's owning
	//     team; with the shared write policy any principal may also
	//     register new versions;
	//   - an unbound subject follows Unowned;
	//   - global config and mode, team creation and deletion, and every
	//     write while a subject is in IMPORT mode are for admins only.
	Enforce bool
	// Unowned is the policy for subjects that no topic binds; open by
	// default.
	Unowned UnownedPolicy
}

// action is a kind of write on a subject.
type action int

const (
	actRegister action = iota
	actDelete
	actConfig
	actMode
	actKeys
)

func (a action) String() string {
	switch a {
	case actRegister:
		return "register schemas under"
	case actDelete:
		return "delete"
	case actConfig:
		return "change the config of"
	case actKeys:
		return "read or change the encryption keys of"
	default:
		return "change the mode of"
	}
}

func errUnauthenticated() *Error {
	return Errorf(CodeUnauthorized, "Authentication required: send an API key as 'Authorization: Bearer <key>' or HTTP basic credentials")
}

func errForbidden(format string, args ...any) *Error {
	return Errorf(CodeForbidden, format, args...)
}

// principal returns the request's principal. With authorization on, a
// request without one is refused with 40101.
func (s *Service) principal(ctx context.Context) (Principal, error) {
	p, ok := PrincipalFrom(ctx)
	if !ok {
		if s.cfg.Access.Enforce {
			return Principal{}, errUnauthenticated()
		}
		p = Principal{Name: Anonymous}
	}
	prov := ProvenanceFrom(ctx)
	if err := prov.Validate(); err != nil {
		return Principal{}, err
	}
	p.provenance = prov
	return p, nil
}

func describe(p Principal) string { return p.Describe() }

// authorizeSubjectLocked decides whether p may make a write of kind act on
// subject ("" for the global config or mode). importing is true when the
// subject is, or is being put, in IMPORT mode. Call it under the state's
// lock, inside the write's build, so the decision and the write see the
// same ownership.
func (s *Service) authorizeSubjectLocked(p Principal, subject string, act action, importing bool) error {
	if !s.cfg.Access.Enforce || p.Admin {
		return nil
	}
	if importing {
		return errForbidden("IMPORT mode writes are reserved for admins: %s may not %s subject '%s' in IMPORT mode", describe(p), act, subject)
	}
	if subject == "" {
		return errForbidden("Only admins may change the global %s; %s is not an admin", map[bool]string{true: "config", false: "mode"}[act == actConfig], describe(p))
	}
	if OwnerKey(subject) == "" {
		// A context (":.staging:", ":.:"), not a subject: its config and
		// mode apply to every subject in it, as the global ones do.
		return errForbidden("Only admins may %s context '%s'; %s is not an admin", act, subject, describe(p))
	}
	t, bound := s.governor().Binding(subject)
	if bound {
		if p.InTeam(t.Owner) || (t.Shared && act == actRegister) {
			return nil
		}
		return errForbidden("Subject '%s' belongs to topic '%s', owned by team '%s': %s may not %s it", subject, t.Topic, t.Owner, describe(p), act)
	}
	if s.cfg.Access.Unowned == UnownedAdminOnly {
		return errForbidden("Subject '%s' is not bound to any topic, and unowned subjects are admin-only: bind it to a topic your team owns (POST /v1/catalog/topics) or ask an admin", subject)
	}
	return nil
}

// authorizeAdminLocked lets only admins through.
func (s *Service) authorizeAdminLocked(p Principal, what string) error {
	if !s.cfg.Access.Enforce || p.Admin {
		return nil
	}
	return errForbidden("Only admins may %s; %s is not an admin", what, describe(p))
}

// subjectTopicLocked returns the name and owner of the topic subject is
// bound to, for audit entries.
func (s *Service) subjectTopicLocked(subject string) (topic, team string) {
	if t, ok := s.governor().Binding(subject); ok {
		return t.Topic, t.Owner
	}
	return "", ""
}

// OwnerKey folds a subject name to the form ownership is looked up by.
// Ownership is per context-qualified subject, as contexts are registries
// of their own: ":.staging:orders-value" is not "orders-value", and whoever
// owns one does not own the other. Within a context a look-alike name
// cannot escape its owner: further context prefixes stacked after the
// first (":.a::.b:orders-value" is ":.a:orders-value"), leading and
// trailing spaces, slashes and dots (what path normalisation adds or
// removes) are dropped, and letters are lower-cased, so "Orders-Value",
// "orders-value/", "./orders-value" and ":.:orders-value" all belong to
// whoever owns orders-value, and ":.Staging:Orders-Value" to whoever owns
// ":.staging:orders-value". The first context that is not the default one
// is the subject's, as Confluent reads it (":.::.b:x" is in ".b"). A name
// that is only contexts (":.staging:", ":.:") folds to "": it names a
// context, which no team owns.
func OwnerKey(subject string) string {
	s, ctx := subject, confluent.DefaultContext
	for {
		s = strings.Trim(s, " /.")
		if !strings.HasPrefix(s, ":.") {
			break
		}
		q := confluent.ParseSubject(s)
		if ctx == confluent.DefaultContext {
			ctx = q.Context
		}
		s = q.Name
	}
	if s == "" {
		return ""
	}
	return strings.ToLower(confluent.ContextPrefix(ctx) + s)
}
