package web

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charter-registry/charter/governance"
	"github.com/charter-registry/charter/registry"
)

const (
	reviewV1 = `{"type":"record","name":"Order","fields":[{"name":"id","type":"string"},{"name":"status","type":{"type":"enum","name":"Status","symbols":["NEW","PAID"],"default":"NEW"}}]}`
)

// reviewSymbol is reviewV1 with one more enum symbol: a change the
// consuming teams review.
func reviewSymbol(sym string) string {
	return strings.Replace(reviewV1, `"PAID"]`, `"PAID","`+sym+`"]`, 1)
}

// TestReviewsInTheCatalogue walks held reviews on a private topic with
// review: required and reads the topic and subject pages: a pending one
// (who asked, when, why, who approved, who must still approve), one
// rejected, one withdrawn and one an admin overrode (each with who, why
// and its audit entry); readers the topic is hidden from get 404 as for
// every page of it.
func TestReviewsInTheCatalogue(t *testing.T) {
	clk := &clock{now: time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)}
	h := newHarnessWith(t, registry.ServiceConfig{Now: clk.Now, Access: registry.AccessConfig{Enforce: true}}, WithMiddleware(principalFromHeader))
	g := gov(h.svc)
	as := func(p registry.Principal, reason string) context.Context {
		ctx := registry.WithPrincipal(context.Background(), p)
		if reason != "" {
			ctx = registry.WithProvenance(ctx, registry.Provenance{Reason: reason, Link: "https://git.example.com/pr/" + strconv.Itoa(len(reason))})
		}
		return ctx
	}
	admin, producer, billing := readers["admin"], readers["owner"], readers["consumer"]
	analytics := registry.Principal{Name: "ana", Teams: []string{"analytics"}}
	for _, team := range []string{"checkout", "billing", "analytics", "outsiders"} {
		if _, err := g.CreateTeam(as(admin, ""), governance.Team{Name: team}); err != nil {
			t.Fatal(err)
		}
	}
	str := func(s string) *string { return &s }
	private := governance.Private
	if _, err := g.CreateTopic(as(admin, ""), "orders", governance.TopicUpdate{Owner: str("checkout"), Visibility: &private,
		Consumers: &[]string{"billing", "analytics", "a-service"}, Review: str(governance.ReviewRequired)}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.Register(as(producer, ""), "orders-value", registry.RegisterRequest{Schema: reviewV1}); err != nil {
		t.Fatal(err)
	}
	held := func(sym, reason string) string {
		t.Helper()
		_, err := h.svc.Register(as(producer, reason), "orders-value", registry.RegisterRequest{Schema: reviewSymbol(sym)})
		if !errors.Is(err, &registry.Error{Code: registry.CodePendingReview}) {
			t.Fatalf("register %s: %v, want it held for review", sym, err)
		}
		rs := g.Reviews(governance.ReviewFilter{Subject: "orders-value", State: governance.ReviewPending, Viewer: governance.Everyone()})
		return rs[len(rs)-1].ID
	}
	must := func(_ governance.Review, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	pending := held("SHIPPED", "ship tracking")
	clk.set(time.Date(2027, 3, 1, 10, 30, 0, 0, time.UTC))
	must(g.Approve(as(billing, ""), pending, false))
	rejected := held("LOST", "lost parcels")
	clk.set(time.Date(2027, 3, 2, 8, 0, 0, 0, time.UTC))
	must(g.Reject(as(analytics, "our reports cannot place LOST"), rejected))
	withdrawn := held("RETURNED", "returns")
	clk.set(time.Date(2027, 3, 2, 9, 0, 0, 0, time.UTC))
	must(g.Withdraw(as(producer, "returns come later"), withdrawn))
	overridden := held("HELD", "fraud holds")
	clk.set(time.Date(2027, 3, 3, 12, 0, 0, 0, time.UTC))
	must(g.Approve(as(admin, ""), overridden, true))

	entry := func(op registry.Operation, id string) string {
		t.Helper()
		for _, e := range g.Audit(governance.AuditFilter{Subject: "orders-value", Operation: op, Viewer: governance.Everyone()}) {
			if strings.Contains(string(e.After), `"`+id+`"`) {
				return `<a href="/ui/audit/` + strconv.FormatInt(e.Position, 10) + `">audit entry</a>`
			}
		}
		t.Fatalf("no %s entry for review %s", op, id)
		return ""
	}
	get := func(who, path string) response {
		t.Helper()
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Accept", "text/html")
		if who != "anonymous" {
			req.Header.Set("X-Test-Principal", who)
		}
		rec := httptest.NewRecorder()
		h.e.ServeHTTP(rec, req)
		return response{status: rec.Code, body: rec.Body.String()}
	}
	article := func(body, id string) string {
		t.Helper()
		i := strings.Index(body, `id="review-`+id+`"`)
		if i < 0 {
			t.Fatalf("no review %s on the page", id)
		}
		j := strings.Index(body[i:], "</article>")
		return body[i : i+j]
	}

	for _, path := range []string{"/ui/topics/orders", "/ui/subjects/orders-value"} {
		for _, who := range []string{"owner", "consumer", "admin"} {
			res := get(who, path)
			if res.status != http.StatusOK {
				t.Fatalf("%s GET %s: %d", who, path, res.status)
			}
			body := res.body
			contains(t, body, `<h2 id="h-reviews">Reviews</h2>`)
			// Pending comes before decided; decided newest first.
			pi, oi, wi, ri := strings.Index(body, "review-"+pending), strings.Index(body, "review-"+overridden), strings.Index(body, "review-"+withdrawn), strings.Index(body, "review-"+rejected)
			if !(pi < strings.Index(body, "<h3>Decided</h3>") && pi < oi && oi < wi && wi < ri) {
				t.Errorf("%s %s: reviews out of order (pending %d, overridden %d, withdrawn %d, rejected %d)", who, path, pi, oi, wi, ri)
			}
			p := article(body, pending)
			contains(t, p,
				`<span class="badge review-state pending">pending</span>`,
				`<dd class="requested">by olga, 2027-03-01 09:00 UTC · `+entry(governance.OpReviewRequested, pending)+`</dd>`,
				`<dd>ship tracking · <a href="https://git.example.com/pr/13" rel="noopener noreferrer">https://git.example.com/pr/13</a></dd>`,
				`<dd>the change adds enum symbols</dd>`,
				`<dd class="waiting"><a href="/ui/teams/analytics">analytics</a></dd>`,
				`<div class="approval">by carl for billing, 2027-03-01 10:30 UTC · `+entry(governance.OpReviewApproved, pending)+`</div>`,
				`POST /v1/catalog/reviews/`+pending+`/approve`,
				`<code>ENUM_SYMBOL_ADDED</code>`,
			)
			r := article(body, rejected)
			contains(t, r, `<span class="badge review-state rejected">rejected</span>`,
				`<dt>Rejected</dt><dd class="closed">by ana for analytics, 2027-03-02 08:00 UTC · our reports cannot place LOST · `+entry(governance.OpReviewRejected, rejected)+`</dd>`,
				`<span class="muted">by no team</span>`)
			lacks(t, r, `class="waiting"`, "/approve", "by no team yet")
			w := article(body, withdrawn)
			contains(t, w, `<span class="badge review-state withdrawn">withdrawn</span>`,
				`<dt>Withdrawn</dt><dd class="closed">by olga, 2027-03-02 09:00 UTC · returns come later · `+entry(governance.OpReviewWithdrawn, withdrawn)+`</dd>`)
			o := article(body, overridden)
			contains(t, o, `<span class="badge review-state overridden">overridden</span>`,
				`<div class="approval"><span class="badge warn">override</span> by root for billing, analytics, 2027-03-03 12:00 UTC · `+entry(governance.OpReviewApproved, overridden)+`</div>`,
				`<dt>Landed</dt><dd>as <a href="/ui/subjects/orders-value#v2">v2</a></dd>`)
		}
		// Whoever may not read the private topic sees none of it.
		for _, who := range []string{"other", "anonymous"} {
			if res := get(who, path); res.status != http.StatusNotFound || strings.Contains(res.body, pending) {
				t.Errorf("%s GET %s: %d, want 404 without the review", who, path, res.status)
			}
		}
	}
	// A topic without reviews shows no review section.
	if _, err := g.CreateTopic(as(admin, ""), "quiet", governance.TopicUpdate{Owner: str("checkout")}); err != nil {
		t.Fatal(err)
	}
	lacks(t, h.ok("/ui/topics/quiet"), `id="h-reviews"`)
}
