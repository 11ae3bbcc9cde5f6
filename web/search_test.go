package web

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/governance"
)

// TestSearchFindsWhatTheAPIFinds: for every query, each hit of the API's
// search (GET /v1/catalog/search, governance.Search) is on the catalogue's
// search page: teams and topics matched by their description, topics by
// tag, subjects and fields.
func TestSearchFindsWhatTheAPIFinds(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	g := gov(h.svc)
	str := func(s string) *string { return &s }
	if _, err := g.CreateTeam(ctx, governance.Team{Name: "checkout", Description: "Basket, payment and receipts."}); err != nil {
		t.Fatal(err)
	}
	if _, err := g.CreateTeam(ctx, governance.Team{Name: "logistics", Description: "Parcels and warehouses."}); err != nil {
		t.Fatal(err)
	}
	if _, err := g.CreateTopic(ctx, "orders", governance.TopicUpdate{Owner: str("checkout"), Description: str("Every basket checked out."), Tags: &[]string{"tier-1", "gdpr"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := g.CreateTopic(ctx, "parcels", governance.TopicUpdate{Owner: str("logistics"), Description: str("One event per parcel handed over.")}); err != nil {
		t.Fatal(err)
	}
	h.register("orders-value", compat.Avro, avroOrderV1)
	h.register("payments-value", compat.Protobuf, protoPayment)
	h.register("parcels-value", compat.JSON, jsonShipment)
	h.register(":.staging:parcels-value", compat.JSON, jsonShipment)

	for _, q := range []string{"receipts", "warehouses", "basket", "gdpr", "tier", "parcel", "customer", "postcode", "payment", "o", "staging"} {
		t.Run(q, func(t *testing.T) {
			hits := g.Search(governance.Everyone(), q, 1000)
			if len(hits) == 0 {
				t.Fatalf("the API finds nothing for %q; the test needs a query it answers", q)
			}
			body := h.ok("/ui/search?q=" + url.QueryEscape(q))
			for _, hit := range hits {
				var want []string
				switch hit.Kind {
				case "team":
					want = []string{`href="` + htmlEscape(teamURL(hit.Name)) + `"`}
				case "topic":
					want = []string{`href="` + htmlEscape(topicURL(hit.Name)) + `"`}
				case "subject":
					want = []string{`href="` + htmlEscape(subjectURL(hit.Name)) + `"`}
				case "field":
					want = []string{`<code class="field">` + htmlEscape(hit.Name) + `</code>`, htmlEscape(subjectURL(hit.Subject))}
				}
				for _, w := range want {
					if !strings.Contains(body, w) {
						t.Errorf("the API finds %s %q (%s match) for %q; the catalogue's page lacks %s", hit.Kind, hit.Name, hit.Match, q, w)
					}
				}
			}
		})
	}
	// The named defect: a team matched by its description.
	body := h.ok("/ui/search?q=receipts")
	contains(t, body, `href="/ui/teams/checkout"`)
	// Name matches rank before description matches.
	body = h.ok("/ui/search?q=parcel")
	if i, j := strings.Index(body, `href="/ui/topics/parcels"`), strings.Index(body, `href="/ui/topics/orders"`); i < 0 || j >= 0 && j < i {
		t.Errorf("topic order on parcel: parcels at %d, orders at %d", i, j)
	}
}

// TestSearchKeepsWhatOnlyTheCatalogueKnows: topics and teams inferred from
// subject names and metadata, and fields by tag, are found beside the
// API's hits.
func TestSearchKeepsWhatOnlyTheCatalogueKnows(t *testing.T) {
	h := newHarness(t)
	h.register("returns-value", compat.Avro, avroOrderV1, owned("Refunds", "refunds@example.com"))
	h.register("people-value", compat.Avro, `{"type":"record","name":"P","fields":[{"name":"ssn","type":"string","confluent:tags":["PII"]}]}`)
	contains(t, h.ok("/ui/search?q=returns"), `href="/ui/topics/returns"`, `href="/ui/subjects/returns-value"`)
	contains(t, h.ok("/ui/search?q=refunds"), `href="/ui/teams/Refunds"`)
	contains(t, h.ok("/ui/search?q=pii"), `<code class="field">ssn [PII]</code>`)
	if hits := gov(h.svc).Search(governance.Everyone(), "returns", 10); len(hits) != 1 || hits[0].Kind != "subject" {
		t.Errorf("the API's search: %+v; the inferred topic is the catalogue's own", hits)
	}
}
