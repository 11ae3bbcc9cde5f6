package governance

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/storage"
)

// Consumers in the loop. Teams subscribe to a topic; a registration that
// changes a subscribed (or reviewed) topic's contract names its changes and
// their verdicts in its audit entry and change event. A topic whose
// review policy is required holds a change that is compatible in one
// direction only, or that adds enum symbols, as a pending review until
// every consuming team approves it or an admin overrides; then it lands.

// KeyReview is the keytype of a pending registration:
// {"keytype":"REVIEW","subject":"<review id>","magic":0}.
const KeyReview registry.KeyType = "REVIEW"

// ReviewRequired is the topic review policy that holds changes for the
// consuming teams' approval; "none" (or no policy) lets them land.
const (
	ReviewRequired = "required"
	ReviewNone     = "none"
)

// The operations of the consumer loop.
const (
	OpSubscribed      registry.Operation = "topic.subscribed"
	OpUnsubscribed    registry.Operation = "topic.unsubscribed"
	OpReviewRequested registry.Operation = "schema.review.requested"
	OpReviewApproved  registry.Operation = "schema.review.approved"
	OpReviewRejected  registry.Operation = "schema.review.rejected"
	OpReviewWithdrawn registry.Operation = "schema.review.withdrawn"
)

// ReviewState is where a held registration is.
type ReviewState string

// The review states. Approved reviews land as versions (the approval
// registers them); Version says which, LandError why one did not. A
// consuming team (or an admin) rejects a pending review; its producer's
// team (or an admin) withdraws a pending or rejected one. Rejected and
// withdrawn reviews are closed: nothing lands.
const (
	ReviewPending   ReviewState = "pending"
	ReviewApproved  ReviewState = "approved"
	ReviewRejected  ReviewState = "rejected"
	ReviewWithdrawn ReviewState = "withdrawn"
)

// ReviewStates lists the states, for callers that validate a filter.
func ReviewStates() []ReviewState {
	return []ReviewState{ReviewPending, ReviewApproved, ReviewRejected, ReviewWithdrawn}
}

// ReviewClosure says who rejected or withdrew a review, for which of the
// reviewing teams (a rejection by a member; none for an admin or a
// withdrawal), when and why.
type ReviewClosure struct {
	By     string    `json:"by"`
	Teams  []string  `json:"teams,omitempty"`
	Reason string    `json:"reason,omitempty"`
	At     time.Time `json:"at"`
}

// Review is one held registration.
type Review struct {
	ID      string      `json:"id"`
	Subject string      `json:"subject"`
	Topic   string      `json:"topic"`
	State   ReviewState `json:"state"`
	// Schema is the registration as the producer sent it.
	Schema     string               `json:"schema"`
	SchemaType compat.Type          `json:"schemaType,omitempty"`
	References []registry.Reference `json:"references,omitempty"`
	Metadata   *registry.Metadata   `json:"metadata,omitempty"`
	RuleSet    *registry.RuleSet    `json:"ruleSet,omitempty"`
	Normalize  bool                 `json:"normalize,omitempty"`
	// Stored is the schema text as the registry would store it, which
	// identifies a registration of the same schema again.
	Stored string `json:"stored"`
	// Previous is the version the changes are against.
	Previous  int                `json:"previous"`
	Changes   []compat.Change    `json:"changes"`
	Verdict   registry.Verdict   `json:"verdict"`
	Requester registry.Principal `json:"requester"`
	Requested time.Time          `json:"requested"`
	Reason    string             `json:"reason,omitempty"`
	Link      string             `json:"link,omitempty"`
	// Reviewers are the consuming teams whose approval it waits for;
	// Approvals names the principal that approved for each.
	Reviewers []string          `json:"reviewers"`
	Approvals map[string]string `json:"approvals,omitempty"`
	// Overridden names the admin who approved for everyone.
	Overridden string `json:"overridden,omitempty"`
	// Closed is set once the review is rejected or withdrawn.
	Closed *ReviewClosure `json:"closed,omitempty"`
	// Version is the version the approved schema landed as; zero until it
	// has.
	Version int `json:"version,omitempty"`
	// LandError is why the approved schema did not land when the last
	// approval registered it (cleared in answers once a later
	// registration of it has).
	LandError string `json:"landError,omitempty"`
}

// Waiting lists the reviewers that have not approved yet.
func (r Review) Waiting() []string {
	var out []string
	for _, t := range r.Reviewers {
		if _, ok := r.Approvals[t]; !ok {
			out = append(out, t)
		}
	}
	return out
}

// consumerTeamsLocked lists the topic's consumers that name teams.
func (g *Governance) consumerTeamsLocked(t Topic) []string {
	var out []string
	for _, c := range t.Consumers {
		if _, ok := g.teams[c]; ok {
			out = append(out, c)
		}
	}
	return out
}

// needsReview says whether a change set waits for the consumers: it is
// compatible in one direction only (or neither), or it adds enum symbols.
func needsReview(v registry.Verdict) bool {
	return !v.Backward || !v.Forward || v.EnumSymbolsAdded
}

// Why says in words why the change waits for its consumers: "adds enum
// symbols", "is backward but not forward compatible (...)".
func (r Review) Why() string { return describeVerdict(r.Verdict) }

func describeVerdict(v registry.Verdict) string {
	var why []string
	switch {
	case v.Backward && !v.Forward:
		why = append(why, "is backward but not forward compatible (old readers may fail on new data)")
	case !v.Backward && v.Forward:
		why = append(why, "is forward but not backward compatible")
	case !v.Backward && !v.Forward:
		why = append(why, "is incompatible in both directions")
	}
	if v.EnumSymbolsAdded {
		why = append(why, "adds enum symbols")
	}
	return strings.Join(why, " and ")
}

func errPendingReview(r Review) error {
	return registry.Errorf(registry.CodePendingReview, "Schema for subject '%s' is held for review %s: topic '%s' requires its consuming teams to approve a change that %s. Waiting for %s; it lands once they approve (POST /v1/catalog/reviews/%s/approve) or an admin overrides",
		r.Subject, r.ID, r.Topic, describeVerdict(r.Verdict), strings.Join(r.Waiting(), ", "), r.ID)
}

func errRejectedReview(r Review) error {
	c := ReviewClosure{}
	if r.Closed != nil {
		c = *r.Closed
	}
	who := c.By
	if len(c.Teams) > 0 {
		who = fmt.Sprintf("%s for %s", c.By, strings.Join(c.Teams, ", "))
	}
	return registry.Errorf(registry.CodeConflict, "Schema for subject '%s' was rejected in review %s by %s: %s. It does not land; change the schema, or withdraw the review (POST /v1/catalog/reviews/%s/withdraw) and register it again to ask for a new review",
		r.Subject, r.ID, who, c.Reason, r.ID)
}

// Hold implements registry.Governor: a change the topic's consumers must
// review is held as a pending review (one per subject and schema); an
// approved review of the same schema lands.
func (g *Governance) Hold(h registry.Hold) ([]storage.Record, error) {
	g.mu.RLock()
	t, ok := g.topicOfLocked(h.Subject)
	var reviewers []string
	if ok {
		reviewers = g.consumerTeamsLocked(t)
	}
	var same *Review
	for _, id := range sortedKeys(g.reviews) {
		if r := g.reviews[id]; registry.OwnerKey(r.Subject) == registry.OwnerKey(h.Subject) && r.Stored == h.Text && r.SchemaType == h.Type && r.Version == 0 && r.State != ReviewWithdrawn {
			same = &r
		}
	}
	g.mu.RUnlock()
	if !ok || t.Review != ReviewRequired || len(reviewers) == 0 || !needsReview(h.Verdict) {
		return nil, nil
	}
	if same != nil {
		switch same.State {
		case ReviewApproved:
			return nil, nil
		case ReviewRejected:
			return nil, errRejectedReview(*same)
		}
		return nil, errPendingReview(*same)
	}
	var id [8]byte
	_, _ = rand.Read(id[:])
	prov := registry.ProvenanceOf(h.Principal)
	r := Review{
		ID: hex.EncodeToString(id[:]), Subject: h.Subject, Topic: t.Name, State: ReviewPending,
		Schema: h.Request.Schema, SchemaType: h.Type, References: h.Request.References, Metadata: h.Request.Metadata, RuleSet: h.Request.RuleSet, Normalize: h.Request.Normalize,
		Stored: h.Text, Previous: h.Previous, Changes: h.Changes, Verdict: h.Verdict,
		Requester: h.Principal, Requested: g.svc.Now().UTC(), Reason: prov.Reason, Link: prov.Link, Reviewers: reviewers,
	}
	if r.Changes == nil {
		r.Changes = []compat.Change{}
	}
	rec, err := g.reviewRecs.Record(r.ID, r)
	if err != nil {
		return nil, err
	}
	recs, err := g.withAudit([]storage.Record{rec}, h.Principal, registry.AuditEntry{
		Operation: OpReviewRequested, Subject: h.Subject, Version: h.Previous, Topic: t.Name, Team: t.Owner,
		Changes: h.Changes, Verdict: &r.Verdict, Changed: reviewers, After: registry.RawJSON(map[string]string{"review": r.ID}),
	})
	if err != nil {
		return nil, err
	}
	return recs, errPendingReview(r)
}

// ReviewFilter selects reviews.
type ReviewFilter struct {
	Topic, Subject string
	State          ReviewState
	Viewer         Viewer
}

// Reviews lists the reviews that match f, oldest first.
func (g *Governance) Reviews(f ReviewFilter) []Review {
	g.mu.RLock()
	var out []Review
	for _, id := range sortedKeys(g.reviews) {
		r := g.reviews[id]
		if (f.Topic != "" && r.Topic != f.Topic) || (f.Subject != "" && registry.OwnerKey(r.Subject) != registry.OwnerKey(f.Subject)) || (f.State != "" && r.State != f.State) || !g.subjectReadableLocked(f.Viewer, r.Subject) {
			continue
		}
		out = append(out, r)
	}
	g.mu.RUnlock()
	slices.SortStableFunc(out, func(a, b Review) int { return a.Requested.Compare(b.Requested) })
	for i := range out {
		out[i] = g.landed(out[i])
	}
	if out == nil {
		out = []Review{}
	}
	return out
}

// Review returns one review; not found when v may not read its subject.
func (g *Governance) Review(v Viewer, id string) (Review, error) {
	g.mu.RLock()
	r, ok := g.reviews[id]
	ok = ok && g.subjectReadableLocked(v, r.Subject)
	g.mu.RUnlock()
	if !ok {
		return Review{}, registry.Errorf(registry.CodeNotFound, "Review '%s' not found", id)
	}
	return g.landed(r), nil
}

// landed fills in the version an approved review landed as.
func (g *Governance) landed(r Review) Review {
	if r.State != ReviewApproved || r.Version != 0 {
		return r
	}
	if sc, err := g.svc.Lookup(r.Subject, r.request(), false); err == nil {
		r.Version, r.LandError = sc.Version, ""
	}
	return r
}

func (r Review) request() registry.RegisterRequest {
	return registry.RegisterRequest{Schema: r.Schema, SchemaType: r.SchemaType, References: r.References, Metadata: r.Metadata, RuleSet: r.RuleSet, Normalize: r.Normalize}
}

// Approve records the approval of the request's principal for each of its
// teams the review waits for; with override, an admin approves for every
// reviewer (the entry is marked forced). Once every reviewer has approved
// the registration lands, as its producer, with its provenance.
func (g *Governance) Approve(ctx context.Context, id string, override bool) (Review, error) {
	var out Review
	err := g.svc.MutateAlone(ctx, nil, func(m *registry.Mutation) error {
		p := m.Principal()
		g.mu.RLock()
		cur, ok := g.reviews[id]
		readable := ok && g.subjectReadableLocked(As(p), cur.Subject)
		g.mu.RUnlock()
		if !readable {
			return registry.Errorf(registry.CodeNotFound, "Review '%s' not found", id)
		}
		if cur.State != ReviewPending {
			return registry.Errorf(registry.CodeConflict, "Review '%s' is %s already", id, cur.State)
		}
		next := cur
		next.Approvals = map[string]string{}
		for k, v := range cur.Approvals {
			next.Approvals[k] = v
		}
		var approvedFor []string
		if override {
			if err := m.RequireAdmin("override a review"); err != nil {
				return err
			}
			next.Overridden = p.Name
			approvedFor = next.Waiting()
		} else {
			for _, team := range cur.Waiting() {
				if p.InTeam(team) || !g.svc.Access().Enforce {
					next.Approvals[team] = p.Name
					approvedFor = append(approvedFor, team)
				}
			}
			if len(approvedFor) == 0 {
				return errForbidden("Review '%s' waits for %s; %s is in none of them (an admin may override)", id, strings.Join(cur.Waiting(), ", "), p.Describe())
			}
		}
		if override || len(next.Waiting()) == 0 {
			next.State = ReviewApproved
		}
		out = next
		rec, err := g.reviewRecs.Record(id, next)
		if err != nil {
			return err
		}
		m.Append(rec)
		return m.Audit(registry.AuditEntry{
			Operation: OpReviewApproved, Subject: cur.Subject, Topic: cur.Topic, Team: ownerOf(g, cur.Topic), Changed: approvedFor,
			Forced: override, After: registry.RawJSON(map[string]string{"review": id, "state": string(next.State)}),
		})
	})
	if err != nil {
		return Review{}, registry.WriteError(err, "approve review", fmt.Sprintf("approve review %q", id))
	}
	if out.State != ReviewApproved {
		return out, nil
	}
	// Land it as its producer, with the producer's reason and link.
	lctx := registry.WithPrincipal(context.WithoutCancel(ctx), out.Requester)
	lctx = registry.WithProvenance(lctx, registry.Provenance{Reason: out.Reason, Link: out.Link})
	sc, err := g.svc.Register(lctx, out.Subject, out.request())
	if err != nil {
		g.recordLandError(lctx, id, err)
		return out, fmt.Errorf("review %q is approved but its schema did not land (register it again to retry): %w", id, err)
	}
	out.Version = sc.Version
	return out, nil
}

// recordLandError writes why an approved review's schema did not land
// into the review, so that it does not read as landed with no version.
// A failure to record it leaves the review as it was (the approval's
// answer names the error either way).
func (g *Governance) recordLandError(ctx context.Context, id string, landErr error) {
	_ = g.svc.MutateSystem(ctx, func(m *registry.Mutation) error {
		g.mu.RLock()
		cur, ok := g.reviews[id]
		g.mu.RUnlock()
		if !ok || cur.State != ReviewApproved || cur.Version != 0 {
			return nil
		}
		msg := landErr.Error()
		var re *registry.Error
		if errors.As(landErr, &re) {
			msg = fmt.Sprintf("%s (error code %d)", re.Message, re.Code)
		}
		if cur.LandError == msg {
			return nil
		}
		cur.LandError = msg
		rec, err := g.reviewRecs.Record(id, cur)
		if err != nil {
			return err
		}
		m.Append(rec)
		return nil
	})
}

// Reject closes a pending review without landing it: a member of a team
// the review waits for (or any reviewer's team) rejects it for those of
// its teams that review it, an admin for everyone. The reason, from the
// request's X-Charter-Change-Reason, is required and kept in the review.
func (g *Governance) Reject(ctx context.Context, id string) (Review, error) {
	return g.close(ctx, id, ReviewRejected)
}

// Withdraw closes a pending or rejected review: the producer that sent
// it, a member of one of its teams, or an admin. A withdrawn review no
// longer answers a registration of its schema, which asks again.
func (g *Governance) Withdraw(ctx context.Context, id string) (Review, error) {
	return g.close(ctx, id, ReviewWithdrawn)
}

func (g *Governance) close(ctx context.Context, id string, to ReviewState) (Review, error) {
	var out Review
	verb := map[ReviewState]string{ReviewRejected: "reject", ReviewWithdrawn: "withdraw"}[to]
	err := g.svc.MutateAlone(ctx, nil, func(m *registry.Mutation) error {
		p := m.Principal()
		g.mu.RLock()
		cur, ok := g.reviews[id]
		readable := ok && g.subjectReadableLocked(As(p), cur.Subject)
		g.mu.RUnlock()
		if !readable {
			return registry.Errorf(registry.CodeNotFound, "Review '%s' not found", id)
		}
		open := cur.State == ReviewPending || (to == ReviewWithdrawn && cur.State == ReviewRejected)
		if !open {
			return registry.Errorf(registry.CodeConflict, "Review '%s' is %s already; only a pending review can be %s", id, cur.State, map[ReviewState]string{ReviewRejected: "rejected", ReviewWithdrawn: "withdrawn (or a rejected one)"}[to])
		}
		reason := strings.TrimSpace(registry.ProvenanceOf(p).Reason)
		enforce := g.svc.Access().Enforce
		var teams []string
		switch to {
		case ReviewRejected:
			if reason == "" {
				return registry.Errorf(registry.CodeInvalidRequest, "Rejecting review '%s' needs a reason: send it in the X-Charter-Change-Reason header", id)
			}
			for _, team := range cur.Reviewers {
				if p.InTeam(team) {
					teams = append(teams, team)
				}
			}
			if enforce && len(teams) == 0 && !p.Admin {
				return errForbidden("Review '%s' is reviewed by %s; %s is in none of them and not an admin", id, strings.Join(cur.Reviewers, ", "), p.Describe())
			}
			if p.Admin {
				teams = nil
			}
		case ReviewWithdrawn:
			mine := p.Name == cur.Requester.Name || slices.ContainsFunc(cur.Requester.Teams, p.InTeam)
			if enforce && !mine && !p.Admin {
				return errForbidden("Review '%s' was requested by %s; only that principal, its teams' members and admins may withdraw it, and %s is none of them", id, cur.Requester.Describe(), p.Describe())
			}
		}
		next := cur
		next.State = to
		next.Closed = &ReviewClosure{By: p.Name, Teams: teams, Reason: reason, At: g.svc.Now().UTC()}
		out = next
		rec, err := g.reviewRecs.Record(id, next)
		if err != nil {
			return err
		}
		m.Append(rec)
		op := OpReviewRejected
		if to == ReviewWithdrawn {
			op = OpReviewWithdrawn
		}
		return m.Audit(registry.AuditEntry{
			Operation: op, Subject: cur.Subject, Topic: cur.Topic, Team: ownerOf(g, cur.Topic), Changed: teams,
			After: registry.RawJSON(map[string]string{"review": id, "state": string(to)}),
		})
	})
	if err != nil {
		return Review{}, registry.WriteError(err, verb+" review", fmt.Sprintf("%s review %q", verb, id))
	}
	return out, nil
}

func ownerOf(g *Governance, topic string) string {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return g.topics[topic].Owner
}

// Subscribe makes team a subscriber of topic (or, with on false, stops
// it): its members and admins may.
func (g *Governance) Subscribe(ctx context.Context, topic, team string, on bool) (Topic, error) {
	var out Topic
	err := g.svc.MutateAlone(ctx, nil, func(m *registry.Mutation) error {
		p := m.Principal()
		g.mu.RLock()
		cur, ok := g.topics[topic]
		readable := ok && g.readableLocked(As(p), cur)
		_, teamExists := g.teams[team]
		g.mu.RUnlock()
		if !readable {
			return errTopicNotFound(topic)
		}
		if !teamExists {
			return errTeamNotFound(team)
		}
		if err := g.authorizeTeam(p, team); err != nil {
			return err
		}
		next := cur
		next.Subscribers = slices.DeleteFunc(slices.Clone(cur.Subscribers), func(s string) bool { return s == team })
		op := OpUnsubscribed
		if on {
			next.Subscribers = append(next.Subscribers, team)
			slices.Sort(next.Subscribers)
			op = OpSubscribed
		}
		if len(next.Subscribers) == 0 {
			next.Subscribers = nil
		}
		out = next
		if slices.Equal(cur.Subscribers, next.Subscribers) {
			return nil
		}
		rec, err := g.topicRecs.Record(topic, next)
		if err != nil {
			return err
		}
		m.Append(rec)
		return m.Audit(registry.AuditEntry{Operation: op, Topic: topic, Team: team, Changed: []string{team}})
	})
	if err != nil {
		return Topic{}, registry.WriteError(err, "subscribe", fmt.Sprintf("subscribe %q to topic %q", team, topic))
	}
	return out, nil
}
