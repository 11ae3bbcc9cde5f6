package api_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/charter-registry/charter/confluent"
	"github.com/charter-registry/charter/contracts/client"
	"github.com/charter-registry/charter/governance"
)

const (
	statusV1 = `{"type":"record","name":"Order","fields":[{"name":"id","type":"string"},{"name":"status","type":{"type":"enum","name":"Status","symbols":["NEW","PAID"],"default":"NEW"}}]}`
	// statusV2 adds the enum symbol SHIPPED: compatible as Avro goes, but
	// a consumer's code may not know what to do with it.
	statusV2 = `{"type":"record","name":"Order","fields":[{"name":"id","type":"string"},{"name":"status","type":{"type":"enum","name":"Status","symbols":["NEW","PAID","SHIPPED"],"default":"NEW"}}]}`
	// statusV3 adds a field with a default: compatible both ways.
	statusV3 = `{"type":"record","name":"Order","fields":[{"name":"id","type":"string"},{"name":"status","type":{"type":"enum","name":"Status","symbols":["NEW","PAID","SHIPPED"],"default":"NEW"}},{"name":"note","type":"string","default":""}]}`
)

// TestReviewStory: a consumer-reviewed topic; the producer registers an
// enum addition, which waits as a pending review (the producer is told so
// with 409/40920); the consumer approves and it lands. A change compatible
// both ways lands at once, and a subscribed topic's events name the
// changes and their verdicts.
func TestReviewStory(t *testing.T) {
	s := windowServer(t)
	call, must, url := s.call, s.must, s.URL
	for _, team := range []string{"payments", "billing", "analytics"} {
		must("admin", "POST", "/v1/catalog/teams", map[string]any{"name": team})
	}
	must("payments", "POST", "/v1/catalog/topics", map[string]any{"name": "orders", "consumers": []string{"billing", "analytics", "a-service"}, "review": "Required"})
	must("billing", "PUT", "/v1/catalog/topics/orders/subscribers/billing", nil)
	if r := call("billing", "PUT", "/v1/catalog/topics/orders/subscribers/analytics", nil); r.status != http.StatusForbidden {
		t.Errorf("billing subscribes analytics: %d %s, want 403", r.status, r.body)
	}
	must("payments", "POST", "/subjects/orders-value/versions", map[string]any{"schema": statusV1})

	// The enum addition waits.
	r := call("payments", "POST", "/subjects/orders-value/versions", map[string]any{"schema": statusV2})
	if r.status != http.StatusConflict || !strings.Contains(string(r.body), `"error_code":40920`) || !strings.Contains(string(r.body), "adds enum symbols") || !strings.Contains(string(r.body), "billing, analytics") {
		t.Fatalf("enum addition on a reviewed topic: %d %s, want 409 40920 naming the reviewers", r.status, r.body)
	}
	// A Confluent-style client sees the code and the message.
	cl, err := client.New(client.URLs(url), client.BearerToken(windowKeys["payments"]))
	if err != nil {
		t.Fatal(err)
	}
	_, err = cl.Register(context.Background(), "orders-value", client.Schema{Schema: statusV2}, false)
	var re *client.ResponseError
	if !errors.As(err, &re) || re.StatusCode != http.StatusConflict || re.ErrorCode != int(confluent.CodePendingReview) || !strings.Contains(re.Message, "held for review") {
		t.Errorf("client error %v, want 409 with code %d", err, confluent.CodePendingReview)
	}
	var versions []int
	must("payments", "GET", "/subjects/orders-value/versions", nil).json(t, &versions)
	if !slices.Equal(versions, []int{1}) {
		t.Fatalf("versions while pending: %v", versions)
	}
	var reviews []governance.Review
	must("billing", "GET", "/v1/catalog/reviews?topic=orders&state=pending", nil).json(t, &reviews)
	if len(reviews) != 1 || !reviews[0].Verdict.EnumSymbolsAdded || !slices.Equal(reviews[0].Reviewers, []string{"billing", "analytics"}) || reviews[0].Requester.Name != "pay-ci" {
		t.Fatalf("pending reviews %+v", reviews)
	}
	id := reviews[0].ID
	var names []string
	for _, ch := range reviews[0].Changes {
		names = append(names, ch.Kind)
	}
	if !slices.Contains(names, "ENUM_SYMBOL_ADDED") {
		t.Errorf("the review names %v, want ENUM_SYMBOL_ADDED", names)
	}

	// Only reviewers (or an admin overriding) approve; the producer cannot.
	if r := call("payments", "POST", "/v1/catalog/reviews/"+id+"/approve", nil); r.status != http.StatusForbidden {
		t.Errorf("the producer approves: %d %s", r.status, r.body)
	}
	if r := call("payments", "POST", "/v1/catalog/reviews/"+id+"/approve?override=true", nil); r.status != http.StatusForbidden {
		t.Errorf("the producer overrides: %d %s", r.status, r.body)
	}
	var rv governance.Review
	must("billing", "POST", "/v1/catalog/reviews/"+id+"/approve", nil).json(t, &rv)
	if rv.State != governance.ReviewPending || !slices.Equal(rv.Waiting(), []string{"analytics"}) {
		t.Fatalf("after billing approved: %+v", rv)
	}
	// Registering the same schema again while pending answers the same review.
	if r := call("payments", "POST", "/subjects/orders-value/versions", map[string]any{"schema": statusV2}); r.status != http.StatusConflict || !strings.Contains(string(r.body), id) {
		t.Errorf("the same schema again: %d %s", r.status, r.body)
	}
	must("analytics", "POST", "/v1/catalog/reviews/"+id+"/approve", nil).json(t, &rv)
	if rv.State != governance.ReviewApproved || rv.Version != 2 {
		t.Fatalf("after every reviewer approved: %+v", rv)
	}
	var latest struct {
		Version int    `json:"version"`
		Schema  string `json:"schema"`
	}
	must("payments", "GET", "/subjects/orders-value/versions/latest", nil).json(t, &latest)
	if latest.Version != 2 || !strings.Contains(latest.Schema, "SHIPPED") {
		t.Fatalf("latest after approval: %+v", latest)
	}
	// The producer's retry now answers with the landed version.
	var got struct {
		ID int `json:"id"`
	}
	must("payments", "POST", "/subjects/orders-value/versions", map[string]any{"schema": statusV2}).json(t, &got)

	// A change compatible both ways lands at once.
	must("payments", "POST", "/subjects/orders-value/versions", map[string]any{"schema": statusV3})

	// The events: the held request, the approvals, the landed version
	// (registered by the producer) with its changes and verdict.
	var b governance.ChangeBatch
	must("billing", "GET", "/v1/changes?subject=orders-value", nil).json(t, &b)
	var ops []string
	for _, e := range b.Events {
		ops = append(ops, string(e.Type))
	}
	want := []string{"schema.registered", "schema.review.requested", "schema.review.approved", "schema.review.approved", "schema.registered", "schema.registered"}
	if !slices.Equal(ops, want) {
		t.Fatalf("events %v, want %v", ops, want)
	}
	landed, later := b.Events[4], b.Events[5]
	if landed.Verdict == nil || !landed.Verdict.EnumSymbolsAdded || len(landed.Changes) == 0 {
		t.Errorf("landed event %+v, want its changes and verdict", landed)
	}
	if later.Verdict == nil || !later.Verdict.Backward || !later.Verdict.Forward || later.Verdict.EnumSymbolsAdded {
		t.Errorf("compatible event verdict %+v", later.Verdict)
	}
	var entries []struct {
		Principal string `json:"principal"`
		Operation string `json:"operation"`
		Version   int    `json:"version"`
	}
	must("admin", "GET", "/v1/audit?subject=orders-value&operation=schema.registered&limit=2", nil).json(t, &entries)
	if len(entries) != 2 || entries[1].Principal != "pay-ci" || entries[1].Version != 2 {
		t.Errorf("the landed version's entry %+v, want registered by pay-ci as version 2", entries)
	}
}

// TestAdminOverridesAReview: an admin may land a held registration
// without its reviewers; the approval entry is marked forced.
func TestAdminOverridesAReview(t *testing.T) {
	call := windowServer(t).call
	for _, team := range []string{"payments", "billing"} {
		call("admin", "POST", "/v1/catalog/teams", map[string]any{"name": team})
	}
	call("payments", "POST", "/v1/catalog/topics", map[string]any{"name": "orders", "consumers": []string{"billing"}, "review": "required"})
	call("payments", "POST", "/subjects/orders-value/versions", map[string]any{"schema": statusV1})
	if r := call("payments", "POST", "/subjects/orders-value/versions", map[string]any{"schema": statusV2}); r.status != http.StatusConflict {
		t.Fatalf("held: %d %s", r.status, r.body)
	}
	var reviews []governance.Review
	call("admin", "GET", "/v1/catalog/reviews?subject=orders-value", nil).json(t, &reviews)
	if len(reviews) != 1 {
		t.Fatalf("reviews %+v", reviews)
	}
	var rv governance.Review
	r := call("admin", "POST", "/v1/catalog/reviews/"+reviews[0].ID+"/approve?override=true", nil)
	r.json(t, &rv)
	if r.status != http.StatusOK || rv.State != governance.ReviewApproved || rv.Overridden != "root" || rv.Version != 2 {
		t.Fatalf("override: %d %+v", r.status, rv)
	}
	var b governance.ChangeBatch
	call("admin", "GET", "/v1/changes?subject=orders-value", nil).json(t, &b)
	var forced bool
	for _, e := range b.Events {
		forced = forced || (e.Type == governance.OpReviewApproved && e.Forced)
	}
	if !forced {
		t.Errorf("no forced approval among %+v", b.Events)
	}
	if r := call("admin", "POST", "/v1/catalog/reviews/"+reviews[0].ID+"/approve", nil); r.status != http.StatusConflict {
		t.Errorf("approve an approved review: %d %s", r.status, r.body)
	}
}

// because sends a POST as who with the X-Charter-Change-Reason header.
func because(t *testing.T, s *governedServer, who, path, reason string) response {
	t.Helper()
	header := http.Header{}
	header.Set("Authorization", "Bearer "+windowKeys[who])
	if reason != "" {
		header.Set("X-Charter-Change-Reason", reason)
	}
	return sendHeader(t, s.URL, "POST", path, nil, header)
}

// TestRejectAndWithdrawAReview: a consuming team rejects a held
// registration (with a reason; the producer cannot), the producer's retry
// is told it was rejected, the producer withdraws it and asks again with a
// new review; the states filter, the audit trail and the change events
// name each step.
func TestRejectAndWithdrawAReview(t *testing.T) {
	s := windowServer(t)
	call, must := s.call, s.must
	for _, team := range []string{"payments", "billing", "analytics"} {
		must("admin", "POST", "/v1/catalog/teams", map[string]any{"name": team})
	}
	must("payments", "POST", "/v1/catalog/topics", map[string]any{"name": "orders", "consumers": []string{"billing", "analytics"}, "review": "required"})
	must("payments", "POST", "/subjects/orders-value/versions", map[string]any{"schema": statusV1})
	if r := call("payments", "POST", "/subjects/orders-value/versions", map[string]any{"schema": statusV2}); r.status != http.StatusConflict {
		t.Fatalf("held: %d %s", r.status, r.body)
	}
	var reviews []governance.Review
	must("billing", "GET", "/v1/catalog/reviews?state=pending", nil).json(t, &reviews)
	if len(reviews) != 1 {
		t.Fatalf("pending %+v", reviews)
	}
	id := reviews[0].ID
	base := "/v1/catalog/reviews/" + id

	if r := because(t, s, "payments", base+"/reject", "not mine to judge"); r.status != http.StatusForbidden {
		t.Errorf("the producer rejects: %d %s, want 403", r.status, r.body)
	}
	if r := because(t, s, "billing", base+"/reject", ""); r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), `"error_code":42212`) || !strings.Contains(string(r.body), "X-Charter-Change-Reason") {
		t.Errorf("reject without a reason: %d %s, want 422 42212 saying how to give one", r.status, r.body)
	}
	r := because(t, s, "billing", base+"/reject", "billing cannot read SHIPPED yet")
	var rv governance.Review
	r.json(t, &rv)
	if r.status != http.StatusOK || rv.State != governance.ReviewRejected || rv.Closed == nil || rv.Closed.By != "bill-ci" || !slices.Equal(rv.Closed.Teams, []string{"billing"}) || rv.Closed.Reason != "billing cannot read SHIPPED yet" {
		t.Fatalf("reject: %d %s", r.status, r.body)
	}
	for _, op := range []string{"/approve", "/reject"} {
		if r := because(t, s, "analytics", base+op, "late"); r.status != http.StatusConflict || !strings.Contains(string(r.body), "rejected already") {
			t.Errorf("%s a rejected review: %d %s, want 409", op, r.status, r.body)
		}
	}
	must("billing", "GET", "/v1/catalog/reviews?state=rejected", nil).json(t, &reviews)
	if len(reviews) != 1 || reviews[0].ID != id {
		t.Errorf("state=rejected: %+v", reviews)
	}
	// The producer's retry is told, with who rejected it and why.
	r = call("payments", "POST", "/subjects/orders-value/versions", map[string]any{"schema": statusV2})
	if r.status != http.StatusConflict || !strings.Contains(string(r.body), `"error_code":40902`) || !strings.Contains(string(r.body), "rejected in review "+id+" by bill-ci for billing: billing cannot read SHIPPED yet") {
		t.Errorf("retry of a rejected schema: %d %s", r.status, r.body)
	}

	// Only the producer's team (or an admin) withdraws.
	if r := because(t, s, "analytics", base+"/withdraw", ""); r.status != http.StatusForbidden {
		t.Errorf("another team withdraws: %d %s, want 403", r.status, r.body)
	}
	r = because(t, s, "payments", base+"/withdraw", "")
	r.json(t, &rv)
	if r.status != http.StatusOK || rv.State != governance.ReviewWithdrawn || rv.Closed.By != "pay-ci" {
		t.Fatalf("withdraw: %d %s", r.status, r.body)
	}
	if r := because(t, s, "payments", base+"/withdraw", ""); r.status != http.StatusConflict {
		t.Errorf("withdraw twice: %d %s, want 409", r.status, r.body)
	}
	// Registering again asks again, in a new review.
	r = call("payments", "POST", "/subjects/orders-value/versions", map[string]any{"schema": statusV2})
	if r.status != http.StatusConflict || !strings.Contains(string(r.body), `"error_code":40920`) || strings.Contains(string(r.body), id) {
		t.Fatalf("register after withdrawing: %d %s, want a new pending review", r.status, r.body)
	}
	must("payments", "GET", "/v1/catalog/reviews?state=pending", nil).json(t, &reviews)
	if len(reviews) != 1 || reviews[0].ID == id {
		t.Fatalf("pending after asking again: %+v", reviews)
	}
	// A pending review is withdrawn by an admin too.
	must("admin", "POST", "/v1/catalog/reviews/"+reviews[0].ID+"/withdraw", nil)
	must("billing", "GET", "/v1/catalog/reviews?state=withdrawn", nil).json(t, &reviews)
	if len(reviews) != 2 {
		t.Errorf("state=withdrawn: %+v", reviews)
	}
	var versions []int
	must("payments", "GET", "/subjects/orders-value/versions", nil).json(t, &versions)
	if !slices.Equal(versions, []int{1}) {
		t.Errorf("versions %v: nothing should have landed", versions)
	}

	var b governance.ChangeBatch
	must("billing", "GET", "/v1/changes?subject=orders-value", nil).json(t, &b)
	var ops []string
	for _, e := range b.Events {
		ops = append(ops, string(e.Type))
	}
	want := []string{"schema.registered", "schema.review.requested", "schema.review.rejected", "schema.review.withdrawn", "schema.review.requested", "schema.review.withdrawn"}
	if !slices.Equal(ops, want) {
		t.Errorf("events %v, want %v", ops, want)
	}
	var entries []struct {
		Principal string `json:"principal"`
		Reason    string `json:"reason"`
	}
	must("admin", "GET", "/v1/audit?operation=schema.review.rejected", nil).json(t, &entries)
	if len(entries) != 1 || entries[0].Principal != "bill-ci" || entries[0].Reason != "billing cannot read SHIPPED yet" {
		t.Errorf("rejection's audit entries %+v", entries)
	}
}

// TestApprovedReviewThatFailsToLand: the last approval registers the held
// schema; when that fails (the subject's level became FULL meanwhile) the
// approval answers the error and the review says why it did not land,
// until a registration of the schema lands it.
func TestApprovedReviewThatFailsToLand(t *testing.T) {
	s := windowServer(t)
	call, must := s.call, s.must
	for _, team := range []string{"payments", "billing"} {
		must("admin", "POST", "/v1/catalog/teams", map[string]any{"name": team})
	}
	must("payments", "POST", "/v1/catalog/topics", map[string]any{"name": "orders", "consumers": []string{"billing"}, "review": "required"})
	v1 := `{"type":"record","name":"O","fields":[{"name":"id","type":"string"},{"name":"note","type":"string"}]}`
	v2 := `{"type":"record","name":"O","fields":[{"name":"id","type":"string"}]}` // backward only
	must("payments", "POST", "/subjects/orders-value/versions", map[string]any{"schema": v1})
	if r := call("payments", "POST", "/subjects/orders-value/versions", map[string]any{"schema": v2}); r.status != http.StatusConflict {
		t.Fatalf("held: %d %s", r.status, r.body)
	}
	var reviews []governance.Review
	must("billing", "GET", "/v1/catalog/reviews", nil).json(t, &reviews)
	if len(reviews) != 1 {
		t.Fatalf("reviews %+v", reviews)
	}
	id := reviews[0].ID
	must("admin", "PUT", "/config/orders-value", map[string]any{"compatibility": "FULL"})
	if r := call("billing", "POST", "/v1/catalog/reviews/"+id+"/approve", nil); r.status != http.StatusConflict || !strings.Contains(string(r.body), `"error_code":40901`) {
		t.Fatalf("approval that cannot land: %d %s, want 409 40901", r.status, r.body)
	}
	var rv governance.Review
	must("billing", "GET", "/v1/catalog/reviews/"+id, nil).json(t, &rv)
	if rv.State != governance.ReviewApproved || rv.Version != 0 || !strings.Contains(rv.LandError, "error code 40901") {
		t.Fatalf("review after the failed landing: %+v, want approved with landError naming 40901", rv)
	}
	must("admin", "PUT", "/config/orders-value", map[string]any{"compatibility": "BACKWARD"})
	must("payments", "POST", "/subjects/orders-value/versions", map[string]any{"schema": v2})
	rv = governance.Review{}
	must("billing", "GET", "/v1/catalog/reviews/"+id, nil).json(t, &rv)
	if rv.State != governance.ReviewApproved || rv.Version != 2 || rv.LandError != "" {
		t.Errorf("review after the schema landed: %+v", rv)
	}
}
