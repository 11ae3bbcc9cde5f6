package api_test

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestCatalogOverHTTP walks the catalogue the way the README does: create
// a team, create a topic bound by TopicNameStrategy, register, look the
// subject's owner up, search, deprecate with a successor.
func TestCatalogOverHTTP(t *testing.T) {
	h := newHarness(t)
	r := h.do("POST", "/v1/catalog/teams", map[string]any{"name": "payments", "description": "Takes payments", "contacts": []map[string]string{{"name": "On call", "email": "payments@example.com", "url": "https://chat.example.com/payments"}}})
	if r.status != 200 {
		t.Fatalf("create team: %d %s", r.status, r.body)
	}
	r = h.do("POST", "/v1/catalog/topics", map[string]any{"name": "orders", "owner": "payments", "description": "Orders placed", "tags": []string{"core"}, "producers": []string{"checkout"}, "consumers": []string{"billing", "shipping"}})
	if r.status != 200 {
		t.Fatalf("create topic: %d %s", r.status, r.body)
	}
	var topic struct {
		Name, Owner, Lifecycle, WritePolicy string
		Bindings                            struct{ Key, Value string }
	}
	r.json(t, &topic)
	if topic.Bindings.Key != "orders-key" || topic.Bindings.Value != "orders-value" || topic.Lifecycle != "active" || topic.WritePolicy != "single-writer" {
		t.Errorf("new topic %+v", topic)
	}
	h.register("orders-value", recordV2Default)

	var view struct {
		Name     string
		Subjects []struct {
			Subject       string
			Role          string
			LatestVersion int
			LatestID      int
		}
	}
	r = h.do("GET", "/v1/catalog/topics/orders", nil)
	r.json(t, &view)
	if len(view.Subjects) != 2 || view.Subjects[1].Subject != "orders-value" || view.Subjects[1].LatestVersion != 1 || view.Subjects[0].LatestVersion != 0 {
		t.Errorf("topic view %s", r.body)
	}
	r = h.do("GET", "/v1/catalog/subjects/orders-value", nil)
	var own struct{ Source, Topic, Team, Role string }
	r.json(t, &own)
	if own.Source != "topic" || own.Topic != "orders" || own.Team != "payments" || own.Role != "value" {
		t.Errorf("ownership %s", r.body)
	}
	r = h.do("GET", "/v1/catalog/search?q=AMOUNT", nil)
	if r.status != 200 || !strings.Contains(string(r.body), `"kind":"field","name":"amount","match":"field","subject":"orders-value","topic":"orders","team":"payments"`) {
		t.Errorf("search: %d %s", r.status, r.body)
	}
	r = h.do("PUT", "/v1/catalog/topics/orders/bindings", map[string]any{"key": ""})
	if r.status != 200 || strings.Contains(string(r.body), "orders-key") {
		t.Errorf("unbind key: %d %s", r.status, r.body)
	}
	r = h.do("GET", "/v1/catalog/topics?owner=payments&lifecycle=active", nil)
	if r.status != 200 || !strings.Contains(string(r.body), `"name":"orders"`) {
		t.Errorf("list topics: %s", r.body)
	}

	// A breaking change on a bound subject: 409 with the upgrade path.
	r = h.do("POST", "/subjects/orders-value/versions", map[string]any{"schema": `{"type":"record","name":"Order","namespace":"acme","fields":[{"name":"id","type":"long"}]}`})
	if r.status != http.StatusConflict || r.errorCode(t) != 40901 || !strings.Contains(string(r.body), "orders-v2") {
		t.Errorf("breaking change: %d %s", r.status, r.body)
	}
	h.do("POST", "/v1/catalog/topics", map[string]any{"name": "orders-v2", "owner": "payments"})
	r = h.do("PUT", "/v1/catalog/topics/orders", map[string]any{"lifecycle": "deprecated", "successor": "orders-v2"})
	if r.status != 200 {
		t.Fatalf("deprecate: %d %s", r.status, r.body)
	}
	r = h.do("GET", "/v1/catalog/topics/orders-v2", nil)
	if !strings.Contains(string(r.body), `"predecessors":["orders"]`) {
		t.Errorf("successor view %s", r.body)
	}
	r = h.do("GET", "/v1/catalog/teams/payments", nil)
	if !strings.Contains(string(r.body), `"topics":["orders","orders-v2"]`) {
		t.Errorf("team view %s", r.body)
	}

	// Errors.
	for _, c := range []struct {
		method, path string
		body         any
		status, code int
	}{
		{"POST", "/v1/catalog/teams", map[string]any{"name": "payments"}, 409, 40902},
		{"POST", "/v1/catalog/teams", map[string]any{"name": "bad name"}, 422, 42212},
		{"POST", "/v1/catalog/teams", map[string]any{"name": "y", "contacts": []map[string]string{{"url": "javascript:alert(1)"}}}, 422, 42212},
		{"GET", "/v1/catalog/teams/nobody", nil, 404, 40410},
		{"GET", "/v1/catalog/topics/nothing", nil, 404, 40410},
		{"PUT", "/v1/catalog/topics/nothing", map[string]any{"description": "x"}, 404, 40410},
		{"PUT", "/v1/catalog/topics/orders", map[string]any{"name": "renamed"}, 422, 42212},
		{"PUT", "/v1/catalog/teams/payments", map[string]any{"name": "renamed", "description": "x"}, 422, 42212},
		{"POST", "/v1/catalog/topics", map[string]any{"name": "t1", "owner": "payments", "lifecycle": "zombie"}, 422, 42212},
		{"POST", "/v1/catalog/topics", map[string]any{"name": "t2", "owner": "payments", "writePolicy": "anyone"}, 422, 42212},
		{"POST", "/v1/catalog/topics", map[string]any{"name": "t3"}, 422, 42212},
		{"DELETE", "/v1/catalog/teams/payments", nil, 409, 40902},
		{"DELETE", "/v1/catalog/topics/orders-v2", nil, 409, 40902},
		{"GET", "/v1/catalog/subjects/nothing", nil, 404, 40401},
		{"GET", "/v1/catalog/search", nil, 422, 422},
		{"GET", "/v1/audit?from=yesterday", nil, 422, 422},
		{"GET", "/v1/audit?before=-1", nil, 422, 422},
		{"GET", "/v1/changes?since=abc", nil, 422, 422},
		{"GET", "/v1/changes?timeout=soon", nil, 422, 422},
	} {
		r := h.do(c.method, c.path, c.body)
		if r.status != c.status || r.errorCode(t) != c.code {
			t.Errorf("%s %s: %d %s, want %d/%d", c.method, c.path, r.status, r.body, c.status, c.code)
		}
	}

	// A rename is refused with a message saying so; the name of the path
	// itself is accepted, and nothing was half-applied.
	r = h.do("PUT", "/v1/catalog/topics/orders", map[string]any{"name": "renamed", "description": "not applied"})
	if !strings.Contains(string(r.body), `Topic name \"renamed\" differs from 'orders' in the path: a topic cannot be renamed`) {
		t.Errorf("rename message: %s", r.body)
	}
	if r := h.do("PUT", "/v1/catalog/topics/orders", map[string]any{"name": "orders", "description": "kept"}); r.status != 200 {
		t.Errorf("PUT with the topic's own name: %d %s", r.status, r.body)
	}
	var after struct{ Name, Description string }
	h.do("GET", "/v1/catalog/topics/orders", nil).json(t, &after)
	if after.Name != "orders" || after.Description != "kept" {
		t.Errorf("topic after a refused rename: %+v", after)
	}
	if r := h.do("GET", "/v1/catalog/topics/renamed", nil); r.status != 404 {
		t.Errorf("renamed topic exists: %d %s", r.status, r.body)
	}
}

func TestAuditOverHTTP(t *testing.T) {
	h := newAuthHarness(t, authOptions{})
	start := time.Now().UTC().Add(-time.Second)
	h.seedGovernance()
	h.must(asOwner, "PUT", "/config/orders-value", map[string]any{"compatibility": "FULL"})
	h.must(asOther, "PUT", "/v1/catalog/topics/parcels", map[string]any{"lifecycle": "deprecated"})
	var entries []struct {
		Operation, Principal, Subject, Topic, Team string
		Before, After                              map[string]any
		Changed                                    []string
		Position                                   int64
	}
	r := h.must(asOther, "GET", "/v1/audit?subject=orders-value&operation=config.changed", nil)
	r.json(t, &entries)
	if len(entries) != 1 || entries[0].Principal != "pay-ci" || entries[0].Topic != "orders" || entries[0].After["compatibilityLevel"] != "FULL" {
		t.Errorf("config audit %s", r.body)
	}
	r = h.must(asOther, "GET", "/v1/audit?topic=parcels&principal=ship-ci", nil)
	r.json(t, &entries)
	if len(entries) != 1 || entries[0].Operation != "topic.updated" || entries[0].Before["lifecycle"] != "active" || entries[0].After["lifecycle"] != "deprecated" {
		t.Errorf("topic audit %s", r.body)
	}
	r = h.must(asOther, "GET", "/v1/audit?from="+start.Format(time.RFC3339Nano)+"&to="+time.Now().Add(time.Second).UTC().Format(time.RFC3339Nano)+"&limit=3", nil)
	r.json(t, &entries)
	if len(entries) != 3 || entries[0].Operation != "topic.updated" || entries[0].Position <= entries[1].Position {
		t.Errorf("time range, newest first %s", r.body)
	}
	r = h.must(asOther, "GET", "/v1/audit?to="+start.Format(time.RFC3339), nil)
	r.json(t, &entries)
	if len(entries) != 0 {
		t.Errorf("entries before the start: %s", r.body)
	}
}

func TestChangesLongPollOverHTTP(t *testing.T) {
	h := newHarness(t)
	var first struct {
		Events []any
		Next   int64
	}
	r := h.do("GET", "/v1/changes", nil)
	r.json(t, &first)
	if len(first.Events) != 0 {
		t.Fatalf("changes of an empty registry: %s", r.body)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	// The poll waits up to 20 s; a poll that did not wake on the write would
	// answer only then, with no event, and fail the checks below. (Had the
	// write landed before the poll began, it would answer at once with the
	// same event.)
	var polled response
	go func() {
		defer wg.Done()
		polled = h.do("GET", "/v1/changes?since="+strconv.FormatInt(first.Next, 10)+"&timeout=20", nil)
	}()
	h.register("orders-value", recordV1)
	wg.Wait()
	var b struct {
		Events []struct {
			Type, Subject string
			Version       int
			SchemaID      int `json:"schemaId"`
			Position      int64
		}
		Next int64
	}
	polled.json(t, &b)
	if len(b.Events) != 1 || b.Events[0].Type != "schema.registered" || b.Events[0].Subject != "orders-value" || b.Events[0].SchemaID != 1 || b.Next != b.Events[0].Position+1 {
		t.Errorf("long poll answer %s", polled.body)
	}
	// Polling from next with a short timeout returns nothing, after the wait.
	start := time.Now()
	r = h.do("GET", "/v1/changes?since="+strconv.FormatInt(b.Next, 10)+"&timeout=0.2", nil)
	var empty struct {
		Events []any
		Next   int64
	}
	r.json(t, &empty)
	if len(empty.Events) != 0 || empty.Next != b.Next || time.Since(start) < 200*time.Millisecond {
		t.Errorf("idle poll: %s after %v", r.body, time.Since(start))
	}
}
