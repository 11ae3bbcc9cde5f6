package conformance

import (
	"context"
	"testing"

	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry"
	"github.com/google/uuid"
	"github.com/twmb/franz-go/pkg/sr"
)

// TestSchemaByGUID covers Confluent Platform 8's schema GUIDs: every
// registration answer carries one, and clients resolve it at
// GET /schemas/guids/{guid} (the header-based wire format needs that).
func TestSchemaByGUID(t *testing.T) {
	srv := startRegistry(t)
	c := newConfluentClient(t, srv)
	md, err := c.RegisterFullResponse("orders-value", avroInfo(orderV1), false)
	if err != nil {
		t.Fatal(err)
	}
	guid, err := uuid.Parse(md.GUID)
	if err != nil {
		t.Fatalf("guid %q is not a UUID: %v", md.GUID, err)
	}
	other, err := newConfluentClient(t, srv).RegisterFullResponse("audit-value", avroInfo(orderV1), false)
	if err != nil {
		t.Fatal(err)
	}
	if other.GUID != md.GUID {
		t.Fatalf("the same schema in another subject has guid %s, first %s", other.GUID, md.GUID)
	}

	srv.requireRoute(t, "GET", "/schemas/guids/"+uuid.Nil.String(), "GetByGUID / SchemaByGUID")

	info, err := c.GetByGUID(guid.String())
	if err != nil {
		t.Fatalf("GetByGUID: %v", err)
	}
	requireSameAvro(t, info.Schema, orderV1)

	ss, err := newFranzClient(t, srv).SchemaByGUID(context.Background(), guid.String())
	if err != nil {
		t.Fatalf("SchemaByGUID: %v", err)
	}
	requireSameAvro(t, ss.Schema.Schema, orderV1)

	_, err = c.GetByGUID(uuid.Nil.String())
	requireConfluentCode(t, err, codeSchemaNotFound)
}

// TestConfluentClientGetLatestWithMetadata covers
// GET /subjects/{subject}/metadata, which the serdes' UseLatestWithMetadata
// option reads: the latest version whose metadata has the given properties.
func TestConfluentClientGetLatestWithMetadata(t *testing.T) {
	srv := startRegistry(t)
	c := newConfluentClient(t, srv)
	for _, r := range []struct {
		schema, owner string
	}{{orderV1, "team-a"}, {orderV2, "team-b"}} {
		info := avroInfo(r.schema)
		info.Metadata = &schemaregistry.Metadata{Properties: map[string]string{"owner": r.owner}}
		if _, err := c.Register("orders-value", info, false); err != nil {
			t.Fatal(err)
		}
	}

	srv.requireRoute(t, "GET", "/subjects/no-such-subject/metadata?key=owner&value=x", "GetLatestWithMetadata / UseLatestWithMetadata")

	for _, tc := range []struct {
		owner       string
		wantVersion int
		want        string
	}{{"team-a", 1, orderV1}, {"team-b", 2, orderV2}} {
		md, err := newConfluentClient(t, srv).GetLatestWithMetadata("orders-value", map[string]string{"owner": tc.owner}, false)
		if err != nil {
			t.Fatalf("GetLatestWithMetadata(owner=%s): %v", tc.owner, err)
		}
		if md.Version != tc.wantVersion || md.Metadata == nil || md.Metadata.Properties["owner"] != tc.owner {
			t.Fatalf("owner=%s gave version %d metadata %+v, want version %d", tc.owner, md.Version, md.Metadata, tc.wantVersion)
		}
		requireSameAvro(t, md.Schema, tc.want)
	}
}

// TestFranzMetadataAndRuleSet registers a data contract (metadata and a CEL
// rule) through franz-go and reads it back through both clients.
func TestFranzMetadataAndRuleSet(t *testing.T) {
	srv := startRegistry(t)
	cl := newFranzClient(t, srv)
	ctx := context.Background()
	meta := &sr.SchemaMetadata{Properties: map[string]string{"owner": "team-a"}, Tags: map[string][]string{"PII": {"id"}}}
	rules := &sr.SchemaRuleSet{DomainRules: []sr.SchemaRule{{
		Name: "positive", Kind: sr.SchemaRuleKindCondition, Mode: sr.SchemaRuleModeWrite,
		Type: "CEL", Expr: "message.amount > 0.0", OnFailure: "ERROR",
	}}}
	created := mustCreate(t, ctx, cl, "orders-value", sr.Schema{Schema: orderV1, SchemaMetadata: meta, SchemaRuleSet: rules})

	got, err := cl.SchemaByVersion(ctx, "orders-value", created.Version)
	if err != nil {
		t.Fatal(err)
	}
	if got.SchemaMetadata == nil || got.SchemaMetadata.Properties["owner"] != "team-a" ||
		len(got.SchemaMetadata.Tags["PII"]) != 1 || got.SchemaMetadata.Tags["PII"][0] != "id" {
		t.Fatalf("metadata = %+v, want %+v", got.SchemaMetadata, meta)
	}
	if got.SchemaRuleSet == nil || len(got.SchemaRuleSet.DomainRules) != 1 {
		t.Fatalf("ruleSet = %+v, want one domain rule", got.SchemaRuleSet)
	}
	r := got.SchemaRuleSet.DomainRules[0]
	want := rules.DomainRules[0]
	if r.Name != want.Name || r.Kind != want.Kind || r.Mode != want.Mode || r.Type != want.Type || r.Expr != want.Expr || r.OnFailure != want.OnFailure {
		t.Fatalf("rule = %+v, want %+v", r, want)
	}

	md, err := newConfluentClient(t, srv).GetLatestSchemaMetadata("orders-value")
	if err != nil {
		t.Fatal(err)
	}
	if md.RuleSet == nil || len(md.RuleSet.DomainRules) != 1 || md.RuleSet.DomainRules[0].Expr != want.Expr ||
		md.RuleSet.DomainRules[0].Kind != "CONDITION" || md.RuleSet.DomainRules[0].Mode != "WRITE" {
		t.Fatalf("confluent client reads ruleSet %+v", md.RuleSet)
	}

	// A version registered without a rule set inherits the previous one,
	// as Confluent does, so a contract survives schema evolution.
	v2 := mustCreate(t, ctx, cl, "orders-value", sr.Schema{Schema: orderV2})
	if v2.SchemaRuleSet == nil || len(v2.SchemaRuleSet.DomainRules) != 1 || v2.SchemaRuleSet.DomainRules[0].Name != "positive" {
		t.Fatalf("version 2 ruleSet = %+v, want the inherited rule", v2.SchemaRuleSet)
	}
}
