package registry

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Provenance says why a write was made: a reason in words and a link to
// where the change was decided (a pull request, a ticket, a CI run). It is
// stored in the write's audit entry and its change event, never in the
// schema's metadata, so a later version does not inherit it.
type Provenance struct {
	Reason string `json:"reason,omitempty"`
	Link   string `json:"link,omitempty"`
}

// Limits on a provenance, so that the audit trail stays a trail.
const (
	MaxReasonLength = 1024
	MaxLinkLength   = 2048
)

// Validate refuses a reason that is too long or holds control characters,
// and a link that is not an absolute http(s) URL.
func (p Provenance) Validate() error {
	if !utf8.ValidString(p.Reason) || strings.IndexFunc(p.Reason, unicode.IsControl) >= 0 {
		return Errorf(CodeInvalidRequest, "The change reason must be UTF-8 text without control characters")
	}
	// Characters, as openapi.yaml's maxLength counts them.
	if n := utf8.RuneCountInString(p.Reason); n > MaxReasonLength {
		return Errorf(CodeInvalidRequest, "The change reason is %d characters long; at most %d are allowed", n, MaxReasonLength)
	}
	if p.Link == "" {
		return nil
	}
	if len(p.Link) > MaxLinkLength {
		return Errorf(CodeInvalidRequest, "The change link is %d bytes long; at most %d are allowed", len(p.Link), MaxLinkLength)
	}
	if !httpLink.MatchString(p.Link) {
		return Errorf(CodeInvalidRequest, "The change link '%s' is not an absolute http or https URL with a host name, without credentials and with %s", p.Link, linkHint)
	}
	return nil
}

type provenanceKey struct{}

// WithProvenance returns a context whose writes record p in their audit
// entries. The API layer calls it with what the request's headers said.
func WithProvenance(ctx context.Context, p Provenance) context.Context {
	return context.WithValue(ctx, provenanceKey{}, p)
}

// ProvenanceFrom returns the provenance WithProvenance stored in ctx.
func ProvenanceFrom(ctx context.Context) Provenance {
	p, _ := ctx.Value(provenanceKey{}).(Provenance)
	return p
}
