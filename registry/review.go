package registry

import (
	"slices"

	"github.com/charter-registry/charter/compat"
)

// Verdict judges a registration's changes against the subject's latest
// version in both directions: Backward (new readers read old data) and
// Forward (old readers read new data).
type Verdict struct {
	Backward bool `json:"backward"`
	Forward  bool `json:"forward"`
	// EnumSymbolsAdded reports an enum that grew, which old readers may
	// not know how to read even where the format calls it compatible.
	EnumSymbolsAdded bool `json:"enumSymbolsAdded,omitempty"`
}

// Hold is a registration the governance layer may hold for review: the
// topic binding the subject asks its consumers to review such changes.
type Hold struct {
	Principal Principal
	Subject   string
	// Request is the registration as sent, to land once approved.
	Request RegisterRequest
	// Text and Type are the schema as it would be stored.
	Text string
	Type compat.Type
	// Previous is the version the changes are against.
	Previous int
	Changes  []compat.Change
	Verdict  Verdict
}

// enumAdditions are the change kinds that add enum symbols, per format.
var enumAdditions = []string{"ENUM_SYMBOL_ADDED", "ENUM_CONST_ADDED", "ENUM_ARRAY_EXTENDED"}

// review: on a topic its consumers watch, the changes against the latest
// version are named in the registration's audit entry with their
// verdicts; where the topic asks for review, the governance layer may
// hold the registration instead (its records are written, the version is
// not, and the producer is answered with CodePendingReview).
func (r *registration) review() error {
	if r.mode == Import || !r.hasTopic || (!r.topic.Watched && !r.topic.Review) {
		return nil
	}
	latest := r.ss.latestLive()
	if latest == nil || latest.schema == nil || latest.schema.typ() != r.c.typ {
		return nil
	}
	prev, err := r.s.parsedOn(r.sn, latest.schema)
	if err != nil {
		return nil
	}
	opts := options(r.cfg)
	r.changes = r.c.format.Diff(prev, r.c.parsed, opts)
	if r.changes == nil {
		r.changes = []compat.Change{}
	}
	v := Verdict{Backward: true, Forward: true}
	for _, ch := range r.changes {
		v.Backward = v.Backward && ch.Compatible
		v.EnumSymbolsAdded = v.EnumSymbolsAdded || slices.Contains(enumAdditions, ch.Kind) || slices.Contains(enumAdditions, ch.Rule)
	}
	for _, ch := range r.c.format.Diff(r.c.parsed, prev, opts) {
		v.Forward = v.Forward && ch.Compatible
	}
	r.verdict = &v
	if !r.topic.Review {
		return nil
	}
	recs, held := r.s.governor().Hold(Hold{
		Principal: r.m.Principal(), Subject: r.subject, Request: r.req,
		Text: r.c.text, Type: r.c.typ, Previous: latest.version, Changes: r.changes, Verdict: v,
	})
	if held == nil {
		return nil
	}
	r.m.Append(recs...)
	r.held, r.answered = held, true
	return nil
}

// latestLive is the newest version that is not soft-deleted.
func (ss *subjectState) latestLive() *versionState {
	if ss == nil {
		return nil
	}
	for i := len(ss.versions) - 1; i >= 0; i-- {
		if !ss.versions[i].deleted {
			return &ss.versions[i]
		}
	}
	return nil
}
