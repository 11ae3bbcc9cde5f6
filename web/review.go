package web

import (
	"encoding/json"
	"net/url"
	"slices"
	"time"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/governance"
	"github.com/charter-registry/charter/registry"
)

// reviewSource is a Directory that knows held reviews (registrations on a
// topic with review: required, waiting for its consuming teams); the
// default GovernanceDirectory does. Both answers apply governance's read
// rule for v.
type reviewSource interface {
	reviews(f governance.ReviewFilter) []governance.Review
	auditTrail(f governance.AuditFilter) []registry.AuditEntry
}

func (d governanceDirectory) reviews(f governance.ReviewFilter) []governance.Review {
	return d.gov.Reviews(f)
}

// maxDecidedReviews is how many decided reviews a page lists, newest
// first; GET /v1/catalog/reviews gives them all.
const maxDecidedReviews = 50

// reviewsView is a topic's or subject's reviews as its page lists them.
type reviewsView struct {
	Pending []reviewView
	Decided []reviewView
	// MoreDecided counts the decided reviews past Decided, not shown.
	MoreDecided int
	// Query is the API address listing them all.
	Query string
}

// reviewView is one review: what was asked, by whom and why, who must
// still approve, who approved, and how it was decided, each step with its
// audit entry.
type reviewView struct {
	ID, Subject, Topic string
	State              string
	// Shown is the state as the page names it: an approved review an
	// admin overrode is "overridden".
	Shown        string
	Requester    string
	Requested    string
	RequestEntry string
	Reason, Link string
	// Why says why the change waits: "adds enum symbols".
	Why      string
	Previous int
	Changes  []compat.Change
	Waiting  []string
	// Reviewers are every team it waits or waited for.
	Reviewers []string
	Approvals []approvalView
	// Overridden names the admin who approved for every team.
	Overridden string
	// Closed is the rejection or withdrawal.
	Closed    *closureView
	Version   int
	LandError string
	// decided is when it was approved for the last team, rejected or
	// withdrawn, the order of the decided list.
	decided time.Time
}

type approvalView struct {
	By    string
	Teams []string
	When  string
	// Forced marks an admin's override.
	Forced bool
	Entry  string
}

type closureView struct {
	By     string
	Teams  []string
	Reason string
	When   string
	Entry  string
}

// reviewsOf lists the reviews of a topic (or of a subject when topic is
// empty) that v may read, pending ones oldest first and decided ones
// newest decision first; nil when there are none or the directory keeps none.
func (c *Catalogue) reviewsOf(v governance.Viewer, topic, subject string) *reviewsView {
	src, ok := c.cfg.directory.(reviewSource)
	if !ok {
		return nil
	}
	rs := src.reviews(governance.ReviewFilter{Topic: topic, Subject: subject, Viewer: v})
	if len(rs) == 0 {
		return nil
	}
	// The audit entries of every step, by review id, oldest first.
	steps := map[string][]registry.AuditEntry{}
	for _, op := range []registry.Operation{governance.OpReviewRequested, governance.OpReviewApproved, governance.OpReviewRejected, governance.OpReviewWithdrawn} {
		for _, e := range src.auditTrail(governance.AuditFilter{Topic: topic, Subject: subject, Operation: op, Limit: 1000, Viewer: v}) {
			var after struct {
				Review string `json:"review"`
			}
			if json.Unmarshal(e.After, &after) == nil && after.Review != "" {
				steps[after.Review] = append(steps[after.Review], e)
			}
		}
	}
	for id := range steps {
		slices.SortFunc(steps[id], func(a, b registry.AuditEntry) int { return int(a.Position - b.Position) })
	}
	q := url.Values{"topic": {topic}}
	if topic == "" {
		q = url.Values{"subject": {subject}}
	}
	out := &reviewsView{Query: "/v1/catalog/reviews?" + q.Encode()}
	var decided []reviewView
	for _, r := range rs {
		rv := viewReview(r, steps[r.ID])
		if r.State == governance.ReviewPending {
			out.Pending = append(out.Pending, rv)
		} else {
			decided = append(decided, rv)
		}
	}
	slices.SortStableFunc(decided, func(a, b reviewView) int { return b.decided.Compare(a.decided) })
	out.Decided = decided[:min(len(decided), maxDecidedReviews)]
	out.MoreDecided = len(decided) - len(out.Decided)
	return out
}

func viewReview(r governance.Review, steps []registry.AuditEntry) reviewView {
	when := func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }
	rv := reviewView{ID: r.ID, Subject: r.Subject, Topic: r.Topic, State: string(r.State), Requester: r.Requester.Name,
		Requested: when(r.Requested), Reason: r.Reason, Link: r.Link, Why: r.Why(), Previous: r.Previous, Changes: r.Changes,
		Waiting: r.Waiting(), Reviewers: r.Reviewers, Overridden: r.Overridden, Version: r.Version, LandError: r.LandError}
	rv.Shown = rv.State
	if r.State == governance.ReviewApproved && r.Overridden != "" {
		rv.Shown = "overridden"
	}
	if r.State != governance.ReviewPending {
		rv.Waiting = nil
	}
	approvedBy := map[string]bool{}
	for _, e := range steps {
		switch e.Operation {
		case governance.OpReviewRequested:
			rv.RequestEntry = auditEntryURL(e.Position)
		case governance.OpReviewApproved:
			rv.Approvals = append(rv.Approvals, approvalView{By: e.Principal, Teams: e.Changed, When: when(e.Time), Forced: e.Forced, Entry: auditEntryURL(e.Position)})
			for _, t := range e.Changed {
				approvedBy[t] = true
			}
			rv.decided = e.Time
		case governance.OpReviewRejected, governance.OpReviewWithdrawn:
			if r.Closed != nil {
				rv.Closed = &closureView{By: r.Closed.By, Teams: r.Closed.Teams, Reason: r.Closed.Reason, When: when(r.Closed.At), Entry: auditEntryURL(e.Position)}
			}
		}
	}
	// Approvals the audit trail does not show (an older page of it): as
	// the review records them, without time or entry.
	for _, team := range r.Reviewers {
		if by, ok := r.Approvals[team]; ok && !approvedBy[team] {
			rv.Approvals = append(rv.Approvals, approvalView{By: by, Teams: []string{team}})
		}
	}
	if r.Closed != nil && rv.Closed == nil {
		rv.Closed = &closureView{By: r.Closed.By, Teams: r.Closed.Teams, Reason: r.Closed.Reason, When: when(r.Closed.At)}
	}
	if r.Closed != nil {
		rv.decided = r.Closed.At
	}
	return rv
}
