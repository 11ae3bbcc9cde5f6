package registry

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Principal is who makes a request: a name, the teams it belongs to and
// whether it is an administrator. The API layer resolves credentials to a
// Principal and puts it in the request's context with WithPrincipal; the
// Service reads it back with PrincipalFrom to authorise writes and to name
// the author of every audit entry.
type Principal struct {
	Name  string   `json:"name"`
	Teams []string `json:"teams,omitempty"`
	Admin bool     `json:"admin,omitempty"`
	// provenance is the request's Provenance, which Service.principal
	// attaches, so every write that names its author in the audit entry
	// records why as well.
	provenance Provenance
}

// InTeam reports whether the principal belongs to team.
func (p Principal) InTeam(team string) bool {
	return team != "" && slices.Contains(p.Teams, team)
}

// Describe names the principal and its teams for refusals:
// "principal 'pay-ci' (team payments)".
func (p Principal) Describe() string {
	if len(p.Teams) == 0 {
		return fmt.Sprintf("principal '%s' (no team)", p.Name)
	}
	return fmt.Sprintf("principal '%s' (team %s)", p.Name, strings.Join(p.Teams, ", "))
}

// ProvenanceOf returns the provenance Service attached to p, for
// governance that writes on p's behalf later (a held registration).
func ProvenanceOf(p Principal) Provenance { return p.provenance }

// Anonymous is the principal name audit entries carry for writes made
// without a principal, which happens only while authorization is off.
const Anonymous = "anonymous"

type principalKey struct{}

// WithPrincipal returns a context that carries p. Use it in the layer that
// authenticates requests, before calling a Service write.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal WithPrincipal stored in ctx, and
// false when the request is anonymous.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok && p.Name != ""
}
