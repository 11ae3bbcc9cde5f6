package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v5"

	"github.com/charter-registry/charter/governance"
	"github.com/charter-registry/charter/registry"
)

// The readers of the visibility tests, by the X-Test-Principal header a
// test middleware turns into the request's principal, as the API's
// authentication does.
var readers = map[string]registry.Principal{
	"owner":    {Name: "olga", Teams: []string{"checkout"}},
	"consumer": {Name: "carl", Teams: []string{"billing"}},
	"other":    {Name: "otto", Teams: []string{"outsiders"}},
	"admin":    {Name: "root", Admin: true},
}

func principalFromHeader(next echo.HandlerFunc) echo.HandlerFunc {
	return func(ctx *echo.Context) error {
		if p, ok := readers[ctx.Request().Header.Get("X-Test-Principal")]; ok {
			ctx.SetRequest(ctx.Request().WithContext(registry.WithPrincipal(ctx.Request().Context(), p)))
		}
		return next(ctx)
	}
}

// TestPrivateTopicsAreHiddenFromWhoMayNotReadThem is the catalogue's read
// matrix: a private topic, its subjects, their diff, search hits, listings,
// team pages, lineage and audit entries are shown to its owning team, the
// teams it lists as consumers and admins, and to nobody else, for whom
// its pages answer 404 as for a name nobody registered.
func TestPrivateTopicsAreHiddenFromWhoMayNotReadThem(t *testing.T) {
	h := newHarnessWith(t, registry.ServiceConfig{Access: registry.AccessConfig{Enforce: true}}, WithMiddleware(principalFromHeader))
	ctx := registry.WithPrincipal(context.Background(), readers["admin"])
	g := gov(h.svc)
	for _, team := range []string{"checkout", "billing", "outsiders"} {
		if _, err := g.CreateTeam(ctx, governance.Team{Name: team}); err != nil {
			t.Fatal(err)
		}
	}
	str := func(s string) *string { return &s }
	private := governance.Private
	if _, err := g.CreateTopic(ctx, "payroll", governance.TopicUpdate{Owner: str("checkout"), Visibility: &private,
		Description: str("Salaries."), Consumers: &[]string{"billing"}, Producers: &[]string{"hr-app"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := g.CreateTopic(ctx, "orders", governance.TopicUpdate{Owner: str("checkout"), Description: str("Orders."), Successor: str("payroll")}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"payroll-value", "orders-value"} {
		for _, schema := range []string{avroOrderV1, avroOrderV2} {
			if _, err := h.svc.Register(ctx, s, registry.RegisterRequest{Schema: schema}); err != nil {
				t.Fatal(err)
			}
		}
	}
	var payrollEntry int64
	for _, e := range g.Audit(governance.AuditFilter{Subject: "payroll-value", Viewer: governance.Everyone()}) {
		payrollEntry = e.Position
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
	pages := []struct {
		path string
		// shown is what the page holds for a reader of payroll; a reader
		// who may not read it gets 404 (hides) or the page without it.
		shown string
		hides bool
	}{
		{"/ui/topics/payroll", "Salaries.", true},
		{"/ui/subjects/payroll-value", "Version history", true},
		{"/ui/diff?subject=payroll-value&from=1&to=2", "Compatibility of v2 with v1", true},
		{fmt.Sprintf("/ui/audit/%d", payrollEntry), "payroll-value v1", true},
		{"/ui/topics", `href="/ui/topics/payroll"`, false},
		{"/ui/subjects", `href="/ui/subjects/payroll-value"`, false},
		{"/ui/", `href="/ui/topics/payroll"`, false},
		{"/ui/search?q=payroll", `href="/ui/subjects/payroll-value"`, false},
		{"/ui/search?q=salaries", `href="/ui/topics/payroll"`, false},
		{"/ui/search?q=customer_email", `href="/ui/subjects/payroll-value#v2"`, false},
		{"/ui/teams/checkout", `href="/ui/topics/payroll"`, false},
		{"/ui/teams/checkout", "hr-app", false},
		{"/ui/topics/orders", `succeeded by <a href="/ui/topics/payroll">payroll</a>`, false},
		{"/ui/audit", "payroll-value v2", false},
		{"/ui/audit?subject=payroll-value", "payroll-value v1", false},
	}
	for _, who := range []string{"owner", "consumer", "admin", "other", "anonymous"} {
		may := who == "owner" || who == "consumer" || who == "admin"
		for _, p := range pages {
			res := get(who, p.path)
			switch {
			case may && (res.status != http.StatusOK || !strings.Contains(res.body, p.shown)):
				t.Errorf("%s GET %s: %d, want 200 with %q", who, p.path, res.status, p.shown)
			case !may && p.hides && res.status != http.StatusNotFound:
				t.Errorf("%s GET %s: %d, want 404", who, p.path, res.status)
			case !may && !p.hides && (res.status != http.StatusOK || strings.Contains(res.body, p.shown)):
				t.Errorf("%s GET %s: %d, shows %q (want 200 without it)", who, p.path, res.status, p.shown)
			}
			if !may && strings.Contains(res.body, "payroll") && !strings.Contains(p.path, "payroll") {
				t.Errorf("%s GET %s names payroll:\n%s", who, p.path, res.body)
			}
		}
		// The public topic stays readable for everyone.
		if res := get(who, "/ui/subjects/orders-value"); res.status != http.StatusOK {
			t.Errorf("%s GET /ui/subjects/orders-value: %d", who, res.status)
		}
	}
	// A 404 for a private subject reads as for a subject nobody registered.
	hidden, missing := get("other", "/ui/subjects/payroll-value"), get("other", "/ui/subjects/nobody-value")
	if strings.ReplaceAll(hidden.body, "payroll-value", "X") != strings.ReplaceAll(missing.body, "nobody-value", "X") {
		t.Errorf("a hidden subject's 404 differs from a missing one's:\n%s\n---\n%s", hidden.body, missing.body)
	}
}
