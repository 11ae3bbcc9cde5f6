package web

import (
	"context"
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/charter-registry/charter"
	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/storage/memory"
)

// harness is a running registry with the catalogue mounted on a bare
// echo instance.
type harness struct {
	t   testing.TB
	svc *registry.Service
	cat *Catalogue
	e   *echo.Echo
}

func newHarness(t testing.TB, opts ...Option) *harness {
	t.Helper()
	return newHarnessWith(t, registry.ServiceConfig{}, opts...)
}

// newHarnessWith is newHarness over a service built from cfg (its log and
// formats are filled in).
func newHarnessWith(t testing.TB, cfg registry.ServiceConfig, opts ...Option) *harness {
	t.Helper()
	cfg.Log = memory.New(memory.WithKeyFunc(registry.LogicalKey))
	cfg.Formats = charter.Formats()
	svc, err := registry.NewService(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = svc.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	if err := svc.WaitReady(wctx); err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	cat, err := Mount(e, svc, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, svc: svc, cat: cat, e: e}
}

func (h *harness) register(subject string, typ compat.Type, schema string, mut ...func(*registry.RegisterRequest)) registry.Schema {
	h.t.Helper()
	req := registry.RegisterRequest{Schema: schema, SchemaType: typ}
	for _, m := range mut {
		m(&req)
	}
	s, err := h.svc.Register(context.Background(), subject, req)
	if err != nil {
		h.t.Fatalf("register %s: %v", subject, err)
	}
	return s
}

func (h *harness) setLevel(subject string, l compat.Level) {
	h.t.Helper()
	if _, err := h.svc.SetConfig(context.Background(), subject, registry.Config{Compatibility: &l}); err != nil {
		h.t.Fatal(err)
	}
}

type response struct {
	status int
	body   string
	header http.Header
}

// get serves path through the echo instance, as a browser would ask.
func (h *harness) get(path string) response {
	h.t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Accept", "text/html")
	rec := httptest.NewRecorder()
	h.e.ServeHTTP(rec, req)
	b, _ := io.ReadAll(rec.Result().Body)
	return response{status: rec.Code, body: string(b), header: rec.Header()}
}

// ok fetches path and fails unless it answers 200 with a full HTML page.
func (h *harness) ok(path string) string {
	h.t.Helper()
	p := h.get(path)
	if p.status != http.StatusOK {
		h.t.Fatalf("GET %s: status %d\n%s", path, p.status, p.body)
	}
	if !strings.HasPrefix(p.body, "<!doctype html>") || !strings.Contains(p.body, "</html>") {
		h.t.Fatalf("GET %s: not a full HTML page:\n%.300s", path, p.body)
	}
	if ct := p.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		h.t.Fatalf("GET %s: Content-Type %q", path, ct)
	}
	return p.body
}

func contains(t testing.TB, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
}

func lacks(t testing.TB, body string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(body, w) {
			t.Errorf("page contains %q", w)
		}
	}
}

// The schemas the tests seed: one subject per format, with distinct field
// names so that a field search finds exactly one of them.
const (
	avroOrderV1 = `{"type":"record","name":"Order","namespace":"shop","fields":[
		{"name":"order_id","type":"string"},
		{"name":"customer","type":{"type":"record","name":"Customer","fields":[{"name":"customer_email","type":"string"}]}}]}`
	avroOrderV2 = `{"type":"record","name":"Order","namespace":"shop","fields":[
		{"name":"order_id","type":"string"},
		{"name":"customer","type":{"type":"record","name":"Customer","fields":[{"name":"customer_email","type":"string"}]}},
		{"name":"order_total","type":"double","default":0}]}`
	protoPayment = `syntax = "proto3";
package pay;
message Payment {
  string payment_ref = 1;
  int64 amount_cents = 2;
}
`
	jsonShipment = `{"type":"object","properties":{"shipment_id":{"type":"string"},"address":{"type":"object","properties":{"postcode":{"type":"string"}}}}}`
)

type (
	echoHandler = echo.HandlerFunc
	echoContext = echo.Context
)

// owned sets the owner and email metadata properties Confluent's data
// contract examples use.
func owned(team, email string) func(*registry.RegisterRequest) {
	return func(r *registry.RegisterRequest) {
		props := map[string]string{"owner": team}
		if email != "" {
			props["email"] = email
		}
		r.Metadata = &registry.Metadata{Properties: props, Tags: map[string][]string{"customer.customer_email": {"PII"}}, Sensitive: []string{"customer.customer_email"}}
	}
}

// withRules attaches a CEL domain rule.
func withRules() func(*registry.RegisterRequest) {
	return func(r *registry.RegisterRequest) {
		r.RuleSet = &registry.RuleSet{DomainRules: []registry.Rule{{
			Name: "checkSku", Kind: "CONDITION", Mode: "WRITE", Type: "CEL", Expr: "message.sku.size() > 0", OnFailure: "DLQ",
			Doc: "Every order names a product.", Params: map[string]string{"dlq.topic": "orders-dlq"},
		}}}
	}
}

// fakeDirectory is governance data held in memory, standing in for the
// registry's governance records in handler tests.
type fakeDirectory struct {
	topics  []Topic
	teams   []Team
	authors map[string]map[int]Authorship
}

func (d *fakeDirectory) Topics() []Topic { return d.topics }
func (d *fakeDirectory) Teams() []Team   { return d.teams }
func (d *fakeDirectory) Authors(subject string) map[int]Authorship {
	return d.authors[subject]
}

func htmlEscape(s string) string { return template.HTMLEscapeString(s) }
func urlQuery(s string) string   { return url.QueryEscape(s) }
func itoa(i int) string          { return strconv.Itoa(i) }
