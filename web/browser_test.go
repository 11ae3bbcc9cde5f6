package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/charter-registry/charter"
	"github.com/charter-registry/charter/api"
	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/storage/memory"
	"github.com/charter-registry/charter/web"
)

var updateScreenshots = flag.Bool("update-screenshots", false, "also write the README screenshots to docs/img")

// TestBrowser drives the catalogue in a real headless Chromium: it starts
// charter in-process (the API with the catalogue mounted), seeds topics,
// teams and versions in all three formats through the REST API, and runs
// web/e2e/catalogue.mjs against it. CI sets CHARTER_BROWSER; see
// scripts/browser-setup.sh.
func TestBrowser(t *testing.T) {
	browser := os.Getenv("CHARTER_BROWSER")
	if browser == "" {
		t.Skip("CHARTER_BROWSER is not set: run `eval \"$(bash scripts/browser-setup.sh)\"` to install Debian's chromium and playwright-core and point the test at the browser")
	}
	if _, err := os.Stat(browser); err != nil {
		t.Fatalf("CHARTER_BROWSER=%s: %v", browser, err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is not installed: %v", err)
	}
	if _, err := os.Stat("e2e/node_modules/playwright-core"); err != nil {
		t.Fatalf("playwright-core is not installed in web/e2e: run `npm ci` there (scripts/browser-setup.sh does): %v", err)
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	artifacts := filepath.Join(root, "test-artifacts", "catalogue")
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}

	svc, err := registry.NewService(registry.ServiceConfig{Log: memory.New(memory.WithKeyFunc(registry.LogicalKey)), Formats: charter.Formats()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = svc.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	srv := api.New(svc, api.Config{OpenAPI: charter.OpenAPI()})
	if _, err := web.Mount(srv.Echo(), svc, web.WithFormats(charter.Formats()...)); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	if err := svc.WaitReady(wctx); err != nil {
		t.Fatal(err)
	}
	seedGovernance(t, svc)
	seed(t, hs.URL, svc)

	args := []string{"e2e/catalogue.mjs", hs.URL, artifacts}
	if *updateScreenshots {
		args = append(args, filepath.Join(root, "docs", "img"))
	}
	// A second server with authentication required, for signing in.
	authSrv, _ := newAuthServer(t, false)

	rctx, rcancel := context.WithTimeout(ctx, 3*time.Minute)
	defer rcancel()
	cmd := exec.CommandContext(rctx, node, args...)
	cmd.Env = append(os.Environ(), "CHARTER_BROWSER="+browser,
		"CATALOGUE_AUTH_URL="+authSrv.URL, "CATALOGUE_AUTH_USER=reader", "CATALOGUE_AUTH_PASSWORD="+catalogueKey)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	t.Logf("catalogue.mjs output:\n%s", out.String())
	if err != nil {
		t.Fatalf("browser test failed: %v (screenshots in %s)", err, artifacts)
	}
}

// seedGovernance records teams and topics, and registers the two versions
// of orders-value as alice so that the audit trail names an author.
func seedGovernance(t *testing.T, svc *registry.Service) {
	t.Helper()
	ctx := context.Background()
	str := func(s string) *string { return &s }
	for _, team := range []registry.Team{
		{Name: "checkout", Description: "Basket, checkout and order events.", Contacts: []registry.Contact{{Name: "On call", Email: "checkout-oncall@example.com"}, {Name: "#checkout", URL: "https://chat.example.com/checkout"}}},
		{Name: "logistics", Description: "Shipping and stock.", Contacts: []registry.Contact{{Email: "logistics@example.com"}}},
	} {
		if _, err := svc.CreateTeam(ctx, team); err != nil {
			t.Fatal(err)
		}
	}
	active, deprecated := registry.Active, registry.Deprecated
	for name, u := range map[string]registry.TopicUpdate{
		"orders": {Description: str("One event per order placed in the shop, keyed by order id."), Owner: str("checkout"), Lifecycle: &active,
			Tags: &[]string{"pii", "tier-1"}, Producers: &[]string{"checkout-api"}, Consumers: &[]string{"billing", "warehouse", "analytics"},
			Docs: &[]registry.Link{{Title: "Runbook", URL: "https://wiki.example.com/orders"}}},
		"legacy-orders": {Description: str("Orders before the 2025 checkout rewrite."), Owner: str("checkout"), Lifecycle: &deprecated, Successor: str("orders")},
		"shipments":     {Description: str("Parcels handed to carriers."), Owner: str("logistics"), Lifecycle: &active, Producers: &[]string{"dispatch"}, Consumers: &[]string{"notifications"}},
	} {
		if _, err := svc.CreateTopic(ctx, name, u); err != nil {
			t.Fatal(err)
		}
	}
}

// seed registers what the browser script expects, through the REST API as
// a producer team would: a topic per format, a data-contract rule, a
// reference and a second version whose diff the script opens.
func seed(t *testing.T, base string, svc *registry.Service) {
	t.Helper()
	do := func(method, path string, body any) {
		t.Helper()
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		req, err := http.NewRequest(method, base+path, bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/vnd.schemaregistry.v1+json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusOK {
			var msg bytes.Buffer
			_, _ = msg.ReadFrom(res.Body)
			t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, msg.String())
		}
	}
	owner := func(team, email string) map[string]any {
		return map[string]any{"properties": map[string]string{"owner": team, "email": email}, "tags": map[string][]string{"customer.customer_email": {"PII"}}}
	}
	do(http.MethodPut, "/config/orders-value", map[string]string{"compatibility": "BACKWARD"})
	do(http.MethodPost, "/subjects/customer/versions", map[string]any{
		"schema": `{"type":"record","name":"Customer","namespace":"shop","doc":"A buyer. <script>alert('doc')</script>","fields":[{"name":"customer_email","type":"string"},{"name":"loyalty_tier","type":"string","default":"none"}]}`,
	})
	// orders-value is registered as alice, through the service with her
	// principal, so that the audit trail names an author.
	alice := registry.WithPrincipal(context.Background(), registry.Principal{Name: "alice", Teams: []string{"checkout"}})
	orderRules := &registry.RuleSet{DomainRules: []registry.Rule{{
		Name: "totalNotNegative", Kind: "CONDITION", Mode: "WRITE", Type: "CEL",
		Expr: "message.order_total >= 0.0", OnFailure: "DLQ", Doc: "An order never has a negative total.",
	}}}
	for _, text := range []string{
		`{"type":"record","name":"Order","namespace":"shop","doc":"One order placed in the shop.","fields":[{"name":"order_id","type":"string"},{"name":"customer","type":"shop.Customer"},{"name":"coupon_code","type":"string"}]}`,
		`{"type":"record","name":"Order","namespace":"shop","doc":"One order placed in the shop.","fields":[{"name":"order_id","type":"string"},{"name":"customer","type":"shop.Customer"},{"name":"order_total","type":"double","default":0.0},{"name":"currency","type":{"type":"enum","name":"Currency","symbols":["EUR","USD","GBP"]},"default":"EUR"}]}`,
	} {
		if _, err := svc.Register(alice, "orders-value", registry.RegisterRequest{
			Schema:     text,
			References: []registry.Reference{{Name: "shop.Customer", Subject: "customer", Version: 1}},
			Metadata:   &registry.Metadata{Tags: map[string][]string{"customer.customer_email": {"PII"}}, Sensitive: []string{"customer.customer_email"}},
			RuleSet:    orderRules,
		}); err != nil {
			t.Fatal(err)
		}
	}
	do(http.MethodPost, "/subjects/orders-key/versions", map[string]any{"schema": `"string"`})
	do(http.MethodPost, "/subjects/payments-value/versions", map[string]any{
		"schemaType": "PROTOBUF",
		"schema":     "syntax = \"proto3\";\npackage pay;\n\n// A settled card payment.\nmessage Payment {\n  string payment_ref = 1;\n  int64 amount_cents = 2;\n  string currency = 3;\n}\n",
		"metadata":   owner("Payments", "payments@example.com"),
	})
	do(http.MethodPost, "/subjects/shipments-value/versions", map[string]any{
		"schemaType": "JSON",
		"schema":     `{"$schema":"http://json-schema.org/draft-07/schema#","title":"Shipment","type":"object","properties":{"shipment_id":{"type":"string"},"address":{"type":"object","properties":{"postcode":{"type":"string"},"country":{"type":"string"}}}},"required":["shipment_id"]}`,
		"metadata":   owner("logistics", "logistics@example.com"),
	})
	for i := 0; i < 3; i++ {
		do(http.MethodPost, fmt.Sprintf("/subjects/inventory-%d-value/versions", i), map[string]any{
			"schemaType": "JSON",
			"schema":     fmt.Sprintf(`{"type":"object","properties":{"sku_%d":{"type":"string"},"quantity":{"type":"integer"}}}`, i),
			"metadata":   owner("logistics", "logistics@example.com"),
		})
	}
}
