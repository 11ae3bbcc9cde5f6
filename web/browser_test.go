package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
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

	// The catalogue is served the way charter serve does it: on the API's
	// router, behind its authentication. Reads are anonymous here, and the
	// seed writes as alice with her API key, so the audit trail names her.
	hs := newServer(t, true)
	seed(t, hs.URL)

	args := []string{"e2e/catalogue.mjs", hs.URL, artifacts}
	if *updateScreenshots {
		args = append(args, filepath.Join(root, "docs", "img"))
	}
	// A second server with authentication required, for signing in.
	authSrv := newAuthServer(t, false)

	rctx, rcancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer rcancel()
	cmd := exec.CommandContext(rctx, node, args...)
	cmd.Env = append(os.Environ(), "CHARTER_BROWSER="+browser,
		"CATALOGUE_AUTH_URL="+authSrv.URL, "CATALOGUE_AUTH_USER=reader", "CATALOGUE_AUTH_PASSWORD="+catalogueKey,
		"CATALOGUE_WRITER_USER=alice", "CATALOGUE_WRITER_PASSWORD="+aliceKey)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	t.Logf("catalogue.mjs output:\n%s", out.String())
	if err != nil {
		t.Fatalf("browser test failed: %v (screenshots in %s)", err, artifacts)
	}
}

// seed records teams and topics and registers versions in all three
// formats through the REST API, as alice: a data-contract rule, a
// reference, and a second version whose diff the script opens.
func seed(t *testing.T, base string) {
	t.Helper()
	var provenance map[string]string // headers of the next write
	do := func(method, path string, body any) {
		t.Helper()
		defer func() { provenance = nil }()
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		req, err := http.NewRequest(method, base+path, bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/vnd.schemaregistry.v1+json")
		req.SetBasicAuth("alice", aliceKey)
		for k, v := range provenance {
			req.Header.Set(k, v)
		}
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
		return map[string]any{"properties": map[string]string{"owner": team, "email": email}}
	}

	do(http.MethodPost, "/v1/catalog/teams", map[string]any{"name": "checkout", "description": "Basket, checkout and order events.",
		"contacts": []map[string]string{{"name": "On call", "email": "checkout-oncall@example.com"}, {"name": "#checkout", "url": "https://chat.example.com/checkout"}}})
	do(http.MethodPost, "/v1/catalog/teams", map[string]any{"name": "billing", "description": "Invoices and dunning."})
	do(http.MethodPost, "/v1/catalog/teams", map[string]any{"name": "logistics", "description": "Shipping and stock.",
		"contacts": []map[string]string{{"email": "logistics@example.com"}}})
	do(http.MethodPost, "/v1/catalog/topics", map[string]any{"name": "orders", "description": "One event per order placed in the shop, keyed by order id.",
		"owner": "checkout", "lifecycle": "active", "tags": []string{"pii", "tier-1"}, "producers": []string{"checkout-api"},
		"consumers": []string{"billing", "warehouse", "analytics"},
		"sla":       map[string]string{"freshness": "5m", "ordering": "per-key", "retention": "7d"}, "classification": "confidential", "docs": []map[string]string{{"title": "Runbook", "url": "https://wiki.example.com/orders"}}})
	do(http.MethodPost, "/v1/catalog/topics", map[string]any{"name": "legacy-orders", "description": "Orders before the 2025 checkout rewrite.",
		"owner": "checkout", "lifecycle": "deprecated", "successor": "orders"})
	do(http.MethodPost, "/v1/catalog/topics", map[string]any{"name": "shipments", "description": "Parcels handed to carriers.",
		"owner": "logistics", "lifecycle": "active", "producers": []string{"dispatch"}, "consumers": []string{"notifications"}})

	do(http.MethodPut, "/config/orders-value", map[string]string{"compatibility": "BACKWARD"})
	do(http.MethodPost, "/subjects/customer/versions", map[string]any{
		"schema": `{"type":"record","name":"Customer","namespace":"shop","doc":"A buyer. <script>alert('doc')</script>","fields":[{"name":"customer_email","type":"string"},{"name":"loyalty_tier","type":"string","default":"none"}]}`,
	})
	ref := []map[string]any{{"name": "shop.Customer", "subject": "customer", "version": 1}}
	contract := map[string]any{"tags": map[string][]string{"customer.customer_email": {"PII"}, "shop.Order.order_id": {"KEY"}}, "sensitive": []string{"customer.customer_email"}}
	rules := map[string]any{"domainRules": []map[string]any{{
		"name": "totalNotNegative", "kind": "CONDITION", "mode": "WRITE", "type": "CEL",
		"expr": "message.order_total >= 0.0", "onFailure": "DLQ", "doc": "An order never has a negative total.",
	}}}
	for _, text := range []string{
		`{"type":"record","name":"Order","namespace":"shop","doc":"One order placed in the shop.","fields":[{"name":"order_id","type":"string"},{"name":"customer","type":"shop.Customer"},{"name":"coupon_code","type":"string"}]}`,
		`{"type":"record","name":"Order","namespace":"shop","doc":"One order placed in the shop.","fields":[{"name":"order_id","type":"string","doc":"Unique per shop."},{"name":"customer","type":"shop.Customer"},{"name":"order_total","type":"double","default":0.0,"doc":"Gross, in the order's currency."},{"name":"currency","type":{"type":"enum","name":"Currency","doc":"ISO 4217 codes the shop sells in.","symbols":["EUR","USD","GBP"],"default":"EUR"},"default":"EUR"}]}`,
	} {
		if strings.Contains(text, "order_total") {
			provenance = map[string]string{"X-Charter-Change-Reason": "Orders carry their total and currency", "X-Charter-Change-Link": "https://git.example.com/shop/schemas/pull/42"}
		}
		do(http.MethodPost, "/subjects/orders-value/versions", map[string]any{"schema": text, "references": ref, "metadata": contract, "ruleSet": rules})
	}
	do(http.MethodPost, "/subjects/orders-key/versions", map[string]any{"schema": `"string"`})
	do(http.MethodPost, "/subjects/payments-value/versions", map[string]any{
		"schemaType": "PROTOBUF",
		"schema":     "syntax = \"proto3\";\npackage pay;\nimport \"confluent/meta.proto\";\n\n// A settled card payment.\nmessage Payment {\n  // The acquirer's reference.\n  string payment_ref = 1;\n  int64 amount_cents = 2;\n  string currency = 3;\n  // The card holder's name as printed.\n  string holder = 4 [(confluent.field_meta).tags = \"PII\"];\n  Method method = 5;\n}\n\n// How the buyer paid.\nenum Method {\n  // Not known: an old client.\n  METHOD_UNSPECIFIED = 0;\n  // A debit or credit card.\n  METHOD_CARD = 1;\n  // A bank transfer, settled a day later.\n  METHOD_TRANSFER = 2;\n}\n",
		"metadata":   owner("Payments", "payments@example.com"),
	})
	do(http.MethodPost, "/subjects/shipments-value/versions", map[string]any{
		"schemaType": "JSON",
		"schema":     `{"$schema":"http://json-schema.org/draft-07/schema#","title":"Shipment","type":"object","properties":{"shipment_id":{"type":"string"},"address":{"type":"object","properties":{"postcode":{"type":"string","confluent:tags":["PII"]},"country":{"type":"string","default":"NL"}}},"speed":{"description":"How fast the carrier delivers.","oneOf":[{"const":"standard","description":"Within three working days."},{"const":"express","description":"The next working day."}]}},"required":["shipment_id"]}`,
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
