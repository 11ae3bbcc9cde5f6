package governance_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/governance"
	"github.com/charter-registry/charter/internal/registrytest"
	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/storage"
	"github.com/charter-registry/charter/storage/memory"
)

// batchLog records every Append batch, to check what a write appends
// together.
type batchLog struct {
	storage.Log
	mu      sync.Mutex
	batches [][]storage.Record
}

func (l *batchLog) Append(ctx context.Context, recs ...storage.Record) (int64, error) {
	l.mu.Lock()
	l.batches = append(l.batches, slices.Clone(recs))
	l.mu.Unlock()
	return l.Log.Append(ctx, recs...)
}

func (l *batchLog) last() []storage.Record {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.batches[len(l.batches)-1]
}

// runService starts a Service over log and waits until it is ready.
func runService(t *testing.T, log storage.Log, access registry.AccessConfig) *registry.Service {
	t.Helper()
	return registrytest.Run(t, registrytest.WithLog(log), registrytest.WithAccess(access))
}

func memLog() storage.Log { return memory.New(memory.WithKeyFunc(registry.LogicalKey)) }

var (
	admin    = registry.Principal{Name: "root", Admin: true}
	payments = registry.Principal{Name: "pay-ci", Teams: []string{"payments"}}
	shipping = registry.Principal{Name: "ship-ci", Teams: []string{"shipping"}}
)

func as(p registry.Principal) context.Context {
	return registry.WithPrincipal(context.Background(), p)
}

func ptr[T any](v T) *T { return &v }

const (
	orderV1 = `{"type":"record","name":"Order","namespace":"acme","fields":[{"name":"id","type":"string"}]}`
	orderV2 = `{"type":"record","name":"Order","namespace":"acme","fields":[{"name":"id","type":"string"},{"name":"amount","type":"double","default":0}]}`
	orderV3 = `{"type":"record","name":"Order","namespace":"acme","fields":[{"name":"id","type":"long"}]}`
)

func wantCode(t *testing.T, what string, err error, code registry.Code) {
	t.Helper()
	if code == 0 {
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return
	}
	if !errors.Is(err, &registry.Error{Code: code}) {
		t.Fatalf("%s: error %v, want code %d", what, err, code)
	}
}

// seedCatalog creates teams payments and shipping and their topics orders
// and parcels, as an admin.
func seedCatalog(t *testing.T, svc *registry.Service) {
	t.Helper()
	for _, team := range []string{"payments", "shipping"} {
		_, err := gov(svc).CreateTeam(as(admin), governance.Team{Name: team, Description: team + " team", Contacts: []governance.Contact{{Email: team + "@example.com"}}})
		wantCode(t, "create team "+team, err, 0)
	}
	_, err := gov(svc).CreateTopic(as(payments), "orders", governance.TopicUpdate{Description: ptr("Orders placed"), Tags: &[]string{"pii", "core"}})
	wantCode(t, "create orders", err, 0)
	_, err = gov(svc).CreateTopic(as(shipping), "parcels", governance.TopicUpdate{})
	wantCode(t, "create parcels", err, 0)
}

func TestTopicDefaultsAndBindings(t *testing.T) {
	svc := runService(t, memLog(), registry.AccessConfig{Enforce: true})
	seedCatalog(t, svc)
	v, err := gov(svc).Topic(governance.Everyone(), "orders")
	wantCode(t, "get orders", err, 0)
	if v.Owner != "payments" || v.Lifecycle != governance.Active || v.WritePolicy != governance.SingleWriter {
		t.Errorf("defaults: %+v", v.Topic)
	}
	if v.Bindings.Key != "orders-key" || v.Bindings.Value != "orders-value" {
		t.Errorf("bindings %+v, want TopicNameStrategy", v.Bindings)
	}
	// The owner defaulted to the creator's only team.
	if p, _ := gov(svc).Topic(governance.Everyone(), "parcels"); p.Owner != "shipping" {
		t.Errorf("parcels owner %q, want shipping", p.Owner)
	}
	// Explicit bindings, and a subject bound twice is a conflict.
	_, err = gov(svc).CreateTopic(as(payments), "refunds", governance.TopicUpdate{Bindings: &governance.BindingsUpdate{Key: ptr(""), Value: ptr("com.acme.Refund"), Other: &[]string{"refunds-audit"}}})
	wantCode(t, "create refunds", err, 0)
	r, _ := gov(svc).Topic(governance.Everyone(), "refunds")
	if got := r.Topic.Subjects(); !slices.Equal(got, []string{"com.acme.Refund", "refunds-audit"}) {
		t.Errorf("refunds subjects %v", got)
	}
	_, err = gov(svc).CreateTopic(as(shipping), "returns", governance.TopicUpdate{Bindings: &governance.BindingsUpdate{Value: ptr("COM.ACME.REFUND")}})
	wantCode(t, "bind a look-alike of a bound subject", err, registry.CodeConflict)
	_, err = gov(svc).CreateTopic(as(admin), "orders", governance.TopicUpdate{Owner: ptr("payments")})
	wantCode(t, "create an existing topic", err, registry.CodeConflict)
	_, err = gov(svc).CreateTopic(as(admin), "nobody", governance.TopicUpdate{Owner: ptr("ghosts")})
	wantCode(t, "unknown owner", err, registry.CodeInvalidRequest)
	_, err = gov(svc).CreateTopic(as(admin), "bad/name", governance.TopicUpdate{Owner: ptr("payments")})
	wantCode(t, "invalid name", err, registry.CodeInvalidRequest)
	_, err = gov(svc).CreateTopic(as(admin), "docs", governance.TopicUpdate{Owner: ptr("payments"), Docs: &[]governance.Link{{URL: "javascript:alert(1)"}}})
	wantCode(t, "unsafe doc link", err, registry.CodeInvalidRequest)

	// Lifecycle: orders-v2 is the successor of orders.
	_, err = gov(svc).UpdateTopic(as(payments), "orders", governance.TopicUpdate{Lifecycle: ptr(governance.Deprecated), Successor: ptr("orders-v2")})
	wantCode(t, "successor must exist", err, registry.CodeInvalidRequest)
	_, err = gov(svc).CreateTopic(as(payments), "orders-v2", governance.TopicUpdate{})
	wantCode(t, "create orders-v2", err, 0)
	_, err = gov(svc).UpdateTopic(as(payments), "orders", governance.TopicUpdate{Lifecycle: ptr(governance.Deprecated), Successor: ptr("orders-v2")})
	wantCode(t, "deprecate orders", err, 0)
	_, err = gov(svc).UpdateTopic(as(payments), "orders-v2", governance.TopicUpdate{Successor: ptr("orders")})
	wantCode(t, "successor cycle", err, registry.CodeInvalidRequest)
	v2, _ := gov(svc).Topic(governance.Everyone(), "orders-v2")
	if !slices.Equal(v2.Predecessors, []string{"orders"}) {
		t.Errorf("orders-v2 predecessors %v", v2.Predecessors)
	}
	_, err = gov(svc).DeleteTopic(as(payments), "orders-v2")
	wantCode(t, "delete a successor", err, registry.CodeConflict)
	_, err = gov(svc).DeleteTeam(as(admin), "payments")
	wantCode(t, "delete a team that owns topics", err, registry.CodeConflict)

	// Retired topics take no new versions.
	_, err = svc.Register(as(payments), "orders-value", registry.RegisterRequest{Schema: orderV1})
	wantCode(t, "register on deprecated", err, 0)
	_, err = gov(svc).UpdateTopic(as(payments), "orders", governance.TopicUpdate{Lifecycle: ptr(governance.Retired)})
	wantCode(t, "retire", err, 0)
	_, err = svc.Register(as(payments), "orders-value", registry.RegisterRequest{Schema: orderV2})
	wantCode(t, "register on retired", err, registry.CodeOperationNotPermitted)
	if err != nil && !strings.Contains(err.Error(), "orders-v2") {
		t.Errorf("retired message does not name the successor: %v", err)
	}

	if got := gov(svc).Topics(governance.TopicFilter{Owner: "payments"}); len(got) != 3 {
		t.Errorf("payments topics %d, want 3", len(got))
	}
	if got := gov(svc).Topics(governance.TopicFilter{Tag: "pii"}); len(got) != 1 || got[0].Name != "orders" {
		t.Errorf("pii topics %v", got)
	}
	tv, err := gov(svc).Team(governance.Everyone(), "payments")
	wantCode(t, "team view", err, 0)
	if !slices.Equal(tv.Topics, []string{"orders", "orders-v2", "refunds"}) {
		t.Errorf("payments owns %v", tv.Topics)
	}
}

func TestWriteAuthorizationInTheService(t *testing.T) {
	for _, policy := range []registry.UnownedPolicy{registry.UnownedOpen, registry.UnownedAdminOnly} {
		t.Run(string(policy), func(t *testing.T) {
			svc := runService(t, memLog(), registry.AccessConfig{Enforce: true, Unowned: policy})
			seedCatalog(t, svc)
			unowned := registry.Code(0)
			if policy == registry.UnownedAdminOnly {
				unowned = registry.CodeForbidden
			}
			cases := []struct {
				ctx     context.Context
				subject string
				want    registry.Code
			}{
				{as(payments), "orders-value", 0},
				{as(shipping), "orders-value", registry.CodeForbidden},
				// Ownership is per context: the staging copy is another
				// subject, unbound, so the unowned policy decides.
				{as(shipping), ":.staging:orders-value", unowned},
				{as(shipping), ":.:orders-value", registry.CodeForbidden},
				{as(shipping), "Orders-Value", registry.CodeForbidden},
				{as(shipping), "orders-value/", registry.CodeForbidden},
				{as(shipping), "parcels-value", 0},
				{as(admin), "orders-key", 0},
				{context.Background(), "orders-value", registry.CodeUnauthorized},
				{as(payments), "loose-value", unowned},
				{as(admin), "loose-key", 0},
			}
			for _, c := range cases {
				_, err := svc.Register(c.ctx, c.subject, registry.RegisterRequest{Schema: orderV1})
				wantCode(t, "register "+c.subject, err, c.want)
			}
			_, err := svc.SetConfig(as(payments), "", registry.Config{Normalize: ptr(true)})
			wantCode(t, "global config by a team", err, registry.CodeForbidden)
			_, err = svc.SetMode(as(payments), "orders-value", registry.Import, true)
			wantCode(t, "IMPORT by owner", err, registry.CodeForbidden)
			_, err = svc.SetMode(as(admin), "orders-value", registry.Import, true)
			wantCode(t, "IMPORT by admin", err, 0)
			_, err = svc.Register(as(payments), "orders-value", registry.RegisterRequest{Schema: orderV2, ID: 100, Version: 5})
			wantCode(t, "import write by owner", err, registry.CodeForbidden)
			_, err = svc.DeleteMode(as(payments), "orders-value")
			wantCode(t, "leave IMPORT by owner", err, registry.CodeForbidden)
			_, err = svc.Register(as(admin), "orders-value", registry.RegisterRequest{Schema: orderV2, ID: 100, Version: 5})
			wantCode(t, "import write by admin", err, 0)

			_, err = gov(svc).CreateTeam(as(payments), governance.Team{Name: "rogue"})
			wantCode(t, "team creation by non-admin", err, registry.CodeForbidden)
			_, err = gov(svc).UpdateTeam(as(shipping), "payments", governance.TeamUpdate{Description: ptr("taken over")})
			wantCode(t, "update another team", err, registry.CodeForbidden)
			_, err = gov(svc).UpdateTeam(as(payments), "payments", governance.TeamUpdate{Description: ptr("we take payments")})
			wantCode(t, "update own team", err, 0)
			_, err = gov(svc).CreateTopic(as(shipping), "sneaky", governance.TopicUpdate{Owner: ptr("payments")})
			wantCode(t, "create a topic for another team", err, registry.CodeForbidden)
			_, err = gov(svc).UpdateTopic(as(shipping), "orders", governance.TopicUpdate{Owner: ptr("shipping")})
			wantCode(t, "take over a topic", err, registry.CodeForbidden)
			_, err = gov(svc).UpdateTopic(as(payments), "orders", governance.TopicUpdate{Owner: ptr("shipping")})
			wantCode(t, "hand over a topic", err, 0)
			_, err = svc.Register(as(shipping), "orders-value", registry.RegisterRequest{Schema: orderV1})
			wantCode(t, "new owner writes after the hand-over", err, registry.CodeForbidden) // still IMPORT mode
			_, err = svc.DeleteMode(as(admin), "orders-value")
			wantCode(t, "admin leaves IMPORT", err, 0)
			_, err = svc.DeleteSubject(as(shipping), "orders-value", false)
			wantCode(t, "new owner deletes", err, 0)
			_, err = svc.DeleteSubject(as(payments), "orders-key", false)
			wantCode(t, "old owner deletes", err, registry.CodeForbidden)
		})
	}
}

func TestSharedWritePolicyAllowsRegistrationOnly(t *testing.T) {
	svc := runService(t, memLog(), registry.AccessConfig{Enforce: true, Unowned: registry.UnownedAdminOnly})
	seedCatalog(t, svc)
	_, err := gov(svc).CreateTopic(as(payments), "payment-commands", governance.TopicUpdate{WritePolicy: ptr(governance.Shared)})
	wantCode(t, "create shared topic", err, 0)
	_, err = svc.Register(as(shipping), "payment-commands-value", registry.RegisterRequest{Schema: orderV1})
	wantCode(t, "another team registers on a shared topic", err, 0)
	_, err = svc.SetConfig(as(shipping), "payment-commands-value", registry.Config{Normalize: ptr(true)})
	wantCode(t, "another team changes config on a shared topic", err, registry.CodeForbidden)
	_, err = svc.DeleteSubject(as(shipping), "payment-commands-value", false)
	wantCode(t, "another team deletes on a shared topic", err, registry.CodeForbidden)
	_, err = svc.Register(context.Background(), "payment-commands-value", registry.RegisterRequest{Schema: orderV2})
	wantCode(t, "anonymous on a shared topic", err, registry.CodeUnauthorized)
}

func TestAuthorizationOffAllowsEverythingAndAuditsAnonymous(t *testing.T) {
	svc := runService(t, memLog(), registry.AccessConfig{})
	_, err := gov(svc).CreateTeam(context.Background(), governance.Team{Name: "payments"})
	wantCode(t, "create team anonymously", err, 0)
	_, err = gov(svc).CreateTopic(context.Background(), "orders", governance.TopicUpdate{Owner: ptr("payments")})
	wantCode(t, "create topic anonymously", err, 0)
	_, err = svc.Register(context.Background(), "orders-value", registry.RegisterRequest{Schema: orderV1})
	wantCode(t, "register anonymously", err, 0)
	_, err = svc.SetMode(context.Background(), "", registry.Import, true)
	wantCode(t, "IMPORT anonymously", err, 0)
	for _, e := range gov(svc).Audit(governance.AuditFilter{}) {
		if e.Principal != registry.Anonymous {
			t.Errorf("audit entry %s by %q, want anonymous", e.Operation, e.Principal)
		}
	}
}

func TestEveryWriteAppendsItsAuditEntryInTheSameBatch(t *testing.T) {
	log := &batchLog{Log: memLog()}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	svc := registrytest.Run(t, registrytest.WithLog(log), registrytest.WithAccess(registry.AccessConfig{Enforce: true}),
		registrytest.WithNow(func() time.Time { return now }))
	seedCatalog(t, svc)

	type step struct {
		name  string
		write func() error
		want  registry.AuditEntry
		keys  []registry.KeyType
	}
	e := func(_ any, err error) error { return err }
	steps := []step{
		{"register", func() error {
			return e(svc.Register(as(payments), "orders-value", registry.RegisterRequest{Schema: orderV1}))
		},
			registry.AuditEntry{Operation: registry.OpSchemaRegistered, Subject: "orders-value", Version: 1, SchemaID: 1, Topic: "orders", Team: "payments", Principal: "pay-ci"},
			[]registry.KeyType{registry.KeySchema, registry.KeyAudit}},
		{"set config", func() error {
			return e(svc.SetConfig(as(payments), "orders-value", registry.Config{Compatibility: ptr(compat.Level("FULL"))}))
		},
			registry.AuditEntry{Operation: registry.OpConfigChanged, Subject: "orders-value", Topic: "orders", Team: "payments", Principal: "pay-ci", After: json.RawMessage(`{"compatibilityLevel":"FULL"}`)},
			[]registry.KeyType{registry.KeyConfig, registry.KeyAudit}},
		{"change config", func() error {
			return e(svc.SetConfig(as(payments), "orders-value", registry.Config{Compatibility: ptr(compat.Level("NONE"))}))
		},
			registry.AuditEntry{Operation: registry.OpConfigChanged, Subject: "orders-value", Topic: "orders", Team: "payments", Principal: "pay-ci", Before: json.RawMessage(`{"compatibilityLevel":"FULL"}`), After: json.RawMessage(`{"compatibilityLevel":"NONE"}`)},
			[]registry.KeyType{registry.KeyConfig, registry.KeyAudit}},
		{"set mode", func() error { return e(svc.SetMode(as(payments), "orders-value", registry.ReadOnly, false)) },
			registry.AuditEntry{Operation: registry.OpModeChanged, Subject: "orders-value", Topic: "orders", Team: "payments", Principal: "pay-ci", After: json.RawMessage(`{"mode":"READONLY"}`)},
			[]registry.KeyType{registry.KeyMode, registry.KeyAudit}},
		{"delete mode", func() error { return e(svc.DeleteMode(as(payments), "orders-value")) },
			registry.AuditEntry{Operation: registry.OpModeDeleted, Subject: "orders-value", Topic: "orders", Team: "payments", Principal: "pay-ci", Before: json.RawMessage(`{"mode":"READONLY"}`)},
			[]registry.KeyType{registry.KeyMode, registry.KeyAudit}},
		{"soft delete version", func() error { return e(svc.DeleteVersion(as(payments), "orders-value", 1, false)) },
			registry.AuditEntry{Operation: registry.OpSchemaDeleted, Subject: "orders-value", Version: 1, SchemaID: 1, Topic: "orders", Team: "payments", Principal: "pay-ci"},
			[]registry.KeyType{registry.KeySchema, registry.KeyAudit}},
		{"hard delete version", func() error { return e(svc.DeleteVersion(as(payments), "orders-value", 1, true)) },
			registry.AuditEntry{Operation: registry.OpSchemaDeleted, Subject: "orders-value", Version: 1, SchemaID: 1, Topic: "orders", Team: "payments", Principal: "pay-ci", Permanent: true},
			[]registry.KeyType{registry.KeySchema, registry.KeyIDFloor, registry.KeySchemaID, registry.KeyAudit}},
		{"hand over topic", func() error {
			return e(gov(svc).UpdateTopic(as(payments), "orders", governance.TopicUpdate{Owner: ptr("shipping")}))
		},
			registry.AuditEntry{Operation: governance.OpTopicUpdated, Topic: "orders", Team: "shipping", Principal: "pay-ci", Changed: []string{"owner"}},
			[]registry.KeyType{governance.KeyTopic, registry.KeyAudit}},
		{"delete config by admin", func() error { return e(svc.DeleteConfig(as(admin), "orders-value")) },
			registry.AuditEntry{Operation: registry.OpConfigDeleted, Subject: "orders-value", Topic: "orders", Team: "shipping", Principal: "root", Before: json.RawMessage(`{"compatibilityLevel":"NONE"}`)},
			[]registry.KeyType{registry.KeyConfig, registry.KeyAudit}},
	}
	for _, s := range steps {
		if err := s.write(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		batch := log.last()
		var kinds []registry.KeyType
		for _, r := range batch {
			k, err := registry.DecodeKey(r.Key)
			if err != nil {
				t.Fatal(err)
			}
			kinds = append(kinds, k.Type)
		}
		if !slices.Equal(kinds, s.keys) {
			t.Errorf("%s: batch holds %v, want %v", s.name, kinds, s.keys)
		}
		got := gov(svc).Audit(governance.AuditFilter{Limit: 1})[0]
		if got.ID == "" || !got.Time.Equal(now) {
			t.Errorf("%s: entry id %q time %v", s.name, got.ID, got.Time)
		}
		want := s.want
		want.ID, want.Time, want.Position = got.ID, got.Time, got.Position
		if s.name == "hand over topic" {
			want.Before, want.After = got.Before, got.After
			var before, after governance.Topic
			_ = json.Unmarshal(got.Before, &before)
			_ = json.Unmarshal(got.After, &after)
			if before.Owner != "payments" || after.Owner != "shipping" {
				t.Errorf("hand over: before owner %q, after owner %q", before.Owner, after.Owner)
			}
		}
		gb, _ := json.Marshal(got)
		wb, _ := json.Marshal(want)
		if string(gb) != string(wb) {
			t.Errorf("%s:\n got %s\nwant %s", s.name, gb, wb)
		}
	}

	// A refused write appends nothing, not even an audit entry.
	before := len(log.batches)
	_, err := svc.Register(as(payments), "orders-value", registry.RegisterRequest{Schema: orderV2})
	wantCode(t, "register after hand-over", err, registry.CodeForbidden)
	if len(log.batches) != before {
		t.Errorf("a refused write appended %d batches", len(log.batches)-before)
	}
	// Filters.
	if got := gov(svc).Audit(governance.AuditFilter{Principal: "root"}); len(got) != 3 { // two teams and the config delete
		t.Errorf("audit by root: %d entries", len(got))
	}
	if got := gov(svc).Audit(governance.AuditFilter{Subject: "/ORDERS-VALUE"}); len(got) != 8 {
		t.Errorf("audit of orders-value in any spelling: %d entries, want 8", len(got))
	}
	if got := gov(svc).Audit(governance.AuditFilter{Subject: ":.ctx:orders-value"}); len(got) != 0 {
		t.Errorf("audit of :.ctx:orders-value, another context's subject: %d entries, want 0", len(got))
	}
	if got := gov(svc).Audit(governance.AuditFilter{Topic: "orders", Operation: governance.OpTopicUpdated}); len(got) != 1 {
		t.Errorf("topic updates of orders: %d", len(got))
	}
	if got := gov(svc).Audit(governance.AuditFilter{From: now.Add(time.Second)}); len(got) != 0 {
		t.Errorf("entries after now: %d", len(got))
	}
	all := gov(svc).Audit(governance.AuditFilter{})
	page := gov(svc).Audit(governance.AuditFilter{Before: all[2].Position, Limit: 2})
	if len(page) != 2 || page[0].ID != all[3].ID {
		t.Errorf("paging back from position %d gave %v", all[2].Position, page)
	}
}

func TestIncompatibleRegistrationOnABoundSubjectNamesTheUpgradePath(t *testing.T) {
	svc := runService(t, memLog(), registry.AccessConfig{Enforce: true})
	seedCatalog(t, svc)
	_, err := svc.Register(as(payments), "orders-value", registry.RegisterRequest{Schema: orderV1})
	wantCode(t, "v1", err, 0)
	_, err = svc.Register(as(payments), "orders-value", registry.RegisterRequest{Schema: orderV3})
	wantCode(t, "breaking change", err, registry.CodeIncompatibleSchema)
	for _, want := range []string{"topic 'orders'", "'orders-v2'", "'orders-v2-value'", "deprecated", "PUT /v1/catalog/topics/orders"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %q: %v", want, err)
		}
	}
	// Unbound subjects keep Confluent's message unchanged.
	_, err = svc.Register(as(payments), "loose", registry.RegisterRequest{Schema: orderV1})
	wantCode(t, "loose v1", err, 0)
	_, err = svc.Register(as(payments), "loose", registry.RegisterRequest{Schema: orderV3})
	wantCode(t, "loose breaking", err, registry.CodeIncompatibleSchema)
	if strings.Contains(err.Error(), "Upgrade path") {
		t.Errorf("unbound subject got an upgrade path: %v", err)
	}
	// With a successor named, the message points at it.
	_, err = gov(svc).CreateTopic(as(payments), "orders-v7", governance.TopicUpdate{})
	wantCode(t, "orders-v7", err, 0)
	_, err = gov(svc).UpdateTopic(as(payments), "orders", governance.TopicUpdate{Successor: ptr("orders-v7"), Lifecycle: ptr(governance.Deprecated)})
	wantCode(t, "deprecate", err, 0)
	_, err = svc.Register(as(payments), "orders-value", registry.RegisterRequest{Schema: orderV3})
	if err == nil || !strings.Contains(err.Error(), "'orders-v7-value'") {
		t.Errorf("message does not point at the successor: %v", err)
	}
	// The successor's own binding is named when it has one.
	_, err = gov(svc).UpdateTopic(as(payments), "orders-v7", governance.TopicUpdate{Bindings: &governance.BindingsUpdate{Value: ptr("com.acme.OrderV7")}})
	wantCode(t, "rebind orders-v7", err, 0)
	_, err = svc.Register(as(payments), "orders-value", registry.RegisterRequest{Schema: orderV3})
	if err == nil || !strings.Contains(err.Error(), "'com.acme.OrderV7'") {
		t.Errorf("message does not name the successor's value subject: %v", err)
	}
}

func TestSubjectOwnershipAndMetadataHints(t *testing.T) {
	svc := runService(t, memLog(), registry.AccessConfig{Enforce: true})
	seedCatalog(t, svc)
	md := &registry.Metadata{Properties: map[string]string{"owner": "inventory", "owner_email": "inv@example.com"}}
	_, err := svc.Register(as(shipping), "stock-value", registry.RegisterRequest{Schema: orderV1, Metadata: md})
	wantCode(t, "register with owner hint", err, 0)
	o, err := gov(svc).SubjectOwnership(governance.Everyone(), "stock-value")
	wantCode(t, "ownership", err, 0)
	if o.Source != "metadata" || o.OwnerHint != "inventory" || o.OwnerEmailHint != "inv@example.com" || o.Team != "" {
		t.Errorf("hinted ownership %+v", o)
	}
	// Look-alike spellings of a bound subject report its binding.
	o, err = gov(svc).SubjectOwnership(governance.Everyone(), "./Orders-Value")
	wantCode(t, "look-alike of a bound subject", err, 0)
	if o.Source != "topic" || o.Topic != "orders" || o.Team != "payments" {
		t.Errorf("look-alike ownership %+v", o)
	}
	o, err = gov(svc).SubjectOwnership(governance.Everyone(), "orders-value")
	wantCode(t, "bound, not registered", err, 0)
	if o.Source != "topic" || o.Topic != "orders" || o.Role != "value" || o.Team != "payments" {
		t.Errorf("bound ownership %+v", o)
	}
	_, err = gov(svc).SubjectOwnership(governance.Everyone(), "nothing")
	wantCode(t, "unknown subject", err, registry.CodeSubjectNotFound)
}

func TestSearchFindsTopicsSubjectsTeamsAndFields(t *testing.T) {
	svc := runService(t, memLog(), registry.AccessConfig{})
	seedCatalog(t, svc)
	_, err := svc.Register(context.Background(), "orders-value", registry.RegisterRequest{Schema: orderV2})
	wantCode(t, "register", err, 0)
	_, err = svc.Register(context.Background(), "parcel-proto", registry.RegisterRequest{SchemaType: "PROTOBUF", Schema: "syntax = \"proto3\";\nmessage Parcel { string tracking_amount = 1; }\n"})
	wantCode(t, "register protobuf", err, 0)
	hits := gov(svc).Search(governance.Everyone(), "AMOUNT", 0)
	var got []string
	for _, h := range hits {
		got = append(got, h.Kind+":"+h.Name+"@"+h.Subject)
	}
	want := []string{"field:amount@orders-value", "field:tracking_amount@parcel-proto"}
	if !slices.Equal(got, want) {
		t.Errorf("search amount: %v, want %v", got, want)
	}
	hits = gov(svc).Search(governance.Everyone(), "ship", 0)
	if len(hits) < 1 || hits[0].Kind != "team" || hits[0].Name != "shipping" {
		t.Errorf("search ship: %+v", hits)
	}
	hits = gov(svc).Search(governance.Everyone(), "pii", 0)
	if len(hits) != 1 || hits[0].Kind != "topic" || hits[0].Match != "tag" {
		t.Errorf("search pii: %+v", hits)
	}
	hits = gov(svc).Search(governance.Everyone(), "orders", 2)
	if len(hits) != 2 {
		t.Errorf("search with limit 2: %d hits", len(hits))
	}
	if len(gov(svc).Search(governance.Everyone(), "  ", 0)) != 0 {
		t.Error("blank query matched")
	}
}

func TestChangesLongPollAndResume(t *testing.T) {
	svc := runService(t, memLog(), registry.AccessConfig{})
	b, err := gov(svc).Changes(context.Background(), governance.ChangeQuery{})
	if err != nil || len(b.Events) != 0 || b.Next != 0 {
		t.Fatalf("empty registry: %+v %v", b, err)
	}
	got := make(chan governance.ChangeBatch, 1)
	go func() {
		b, err := gov(svc).Changes(context.Background(), governance.ChangeQuery{Since: 0, Wait: 20 * time.Second})
		if err != nil {
			t.Error(err)
		}
		got <- b
	}()
	_, err = gov(svc).CreateTeam(context.Background(), governance.Team{Name: "payments"})
	wantCode(t, "create team", err, 0)
	b = <-got
	if len(b.Events) != 1 || b.Events[0].Type != governance.OpTeamCreated || b.Events[0].Key() != "payments" {
		t.Fatalf("long poll woke with %+v", b)
	}
	next := b.Next
	_, err = gov(svc).CreateTopic(context.Background(), "orders", governance.TopicUpdate{Owner: ptr("payments")})
	wantCode(t, "create topic", err, 0)
	_, err = svc.Register(context.Background(), "orders-value", registry.RegisterRequest{Schema: orderV1})
	wantCode(t, "register", err, 0)
	_, err = gov(svc).UpdateTopic(context.Background(), "orders", governance.TopicUpdate{Lifecycle: ptr(governance.Deprecated)})
	wantCode(t, "deprecate", err, 0)
	b, err = gov(svc).Changes(context.Background(), governance.ChangeQuery{Since: next})
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, e := range b.Events {
		types = append(types, string(e.Type)+"/"+e.Key())
	}
	if want := []string{"topic.created/orders", "schema.registered/orders-value", "topic.updated/orders"}; !slices.Equal(types, want) {
		t.Errorf("events since %d: %v, want %v", next, types, want)
	}
	if !slices.Equal(b.Events[2].Changed, []string{"lifecycle"}) {
		t.Errorf("lifecycle event changed %v", b.Events[2].Changed)
	}
	// Paging with a limit, and filters.
	p1, _ := gov(svc).Changes(context.Background(), governance.ChangeQuery{Since: next, Limit: 2})
	p2, _ := gov(svc).Changes(context.Background(), governance.ChangeQuery{Since: p1.Next, Limit: 2})
	if len(p1.Events) != 2 || len(p2.Events) != 1 || p2.Events[0].Position != b.Events[2].Position {
		t.Errorf("paging: %+v then %+v", p1, p2)
	}
	f, _ := gov(svc).Changes(context.Background(), governance.ChangeQuery{Subject: "orders-value"})
	if len(f.Events) != 1 || f.Events[0].Type != registry.OpSchemaRegistered || f.Next != b.Next {
		t.Errorf("subject filter: %+v (next %d, want %d)", f, f.Next, b.Next)
	}
	// A poll with nothing new times out empty, with next unchanged.
	start := time.Now()
	e, err := gov(svc).Changes(context.Background(), governance.ChangeQuery{Since: b.Next, Wait: 50 * time.Millisecond})
	if err != nil || len(e.Events) != 0 || e.Next != b.Next || time.Since(start) < 50*time.Millisecond {
		t.Errorf("idle poll: %+v %v", e, err)
	}
	// A cancelled poll returns the context's error.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := gov(svc).Changes(ctx, governance.ChangeQuery{Since: b.Next, Wait: time.Minute}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled poll: %v", err)
	}
}

func TestOwnerKeyFoldsLookAlikes(t *testing.T) {
	for _, s := range []string{"orders-value", "ORDERS-VALUE", ":.:orders-value", " orders-value/", "orders-value//", "./orders-value", "/orders-value."} {
		if got := registry.OwnerKey(s); got != "orders-value" {
			t.Errorf("OwnerKey(%q) = %q", s, got)
		}
	}
	// Ownership is per context; within one, stacked prefixes, case and
	// slashes fold away, and the first non-default context is the
	// subject's, as Confluent reads it.
	for _, s := range []string{":.staging:orders-value", ":.Staging:/Orders-Value", ":.staging::.b:orders-value", ":.staging::.::.b:Orders-Value",
		":.staging:/:.b:orders-value", "./:.staging:orders-value", ":.::.staging:orders-value"} {
		if got := registry.OwnerKey(s); got != ":.staging:orders-value" {
			t.Errorf("OwnerKey(%q) = %q, want :.staging:orders-value", s, got)
		}
	}
	for _, s := range []string{"orders.value", "orders/value", "orders-value2", ":.staging", ":.a:b:.c:orders-value"} {
		if registry.OwnerKey(s) == "orders-value" {
			t.Errorf("OwnerKey(%q) folds to orders-value", s)
		}
	}
	// Names that are only contexts fold to nothing: no team owns them.
	for _, s := range []string{":.staging:", ":.:", ":.a::.b:", ":.a:/"} {
		if got := registry.OwnerKey(s); got != "" {
			t.Errorf("OwnerKey(%q) = %q, want \"\"", s, got)
		}
	}
}
