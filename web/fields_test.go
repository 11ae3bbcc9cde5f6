package web

import (
	"strings"
	"testing"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/registry"
)

// TestFieldTableInEveryFormat: each version of a subject shows a field
// table (name, type, default, doc, tags) and its enums with their
// symbols' docs, for Avro, Protobuf and JSON Schema alike.
func TestFieldTableInEveryFormat(t *testing.T) {
	h := newHarness(t)
	h.register("orders-value", compat.Avro, `{"type":"record","name":"Order","namespace":"shop","doc":"One order.","fields":[
		{"name":"id","type":"string","doc":"The order id."},
		{"name":"total","type":"double","default":0.0},
		{"name":"email","type":["null","string"],"default":null,"confluent:tags":["PII"]},
		{"name":"status","type":{"type":"enum","name":"Status","doc":"Where it is.","symbols":["NEW","PAID"],"default":"NEW"},"default":"NEW"}]}`,
		func(r *registry.RegisterRequest) {
			r.Metadata = &registry.Metadata{Tags: map[string][]string{"shop.Order.id": {"KEY"}, "**.total": {"MONEY"}}}
		})
	body := h.ok("/ui/subjects/orders-value")
	contains(t, body,
		`<caption><code>shop.Order</code> <span class="badge">event</span> <span class="doc">One order.</span></caption>`,
		`<tr><th scope="row"><code>id</code></th><td class="type">string</td><td class="default"></td><td class="doc">The order id.</td><td class="tags"><span class="badge tag">KEY</span> </td></tr>`,
		`<tr><th scope="row"><code>total</code></th><td class="type">double</td><td class="default"><code>0.0</code></td><td class="doc"></td><td class="tags"><span class="badge tag">MONEY</span> </td></tr>`,
		`<tr><th scope="row"><code>email</code></th><td class="type">string, nullable</td><td class="default"><code>null</code></td><td class="doc"></td><td class="tags"><span class="badge tag">PII</span> </td></tr>`,
		`<td class="type"><a href="#v1-enum-shop.Status">enum shop.Status</a></td><td class="default"><code>&#34;NEW&#34;</code></td>`,
		`<table class="list enum-table" id="v1-enum-shop.Status">`,
		`<caption>enum <code>shop.Status</code> <span class="doc">Where it is.</span> <span class="muted">default <code>NEW</code></span></caption>`,
		`<tr><th scope="row"><code>PAID</code></th><td class="doc"></td></tr>`)

	h.register("pay-value", compat.Protobuf, "syntax = \"proto3\";\npackage pay;\nimport \"confluent/meta.proto\";\n// A payment.\nmessage Payment {\n  // Reference at the bank.\n  string ref = 1 [(confluent.field_meta).tags = \"PII\"];\n  State state = 2;\n}\nenum State {\n  STATE_UNSPECIFIED = 0;\n  // Money arrived.\n  STATE_SETTLED = 1;\n}\n")
	contains(t, h.ok("/ui/subjects/pay-value"),
		`<caption><code>pay.Payment</code> <span class="badge">event</span> <span class="doc">A payment.</span></caption>`,
		`<tr><th scope="row"><code>ref</code></th><td class="type">string</td><td class="default"></td><td class="doc">Reference at the bank.</td><td class="tags"><span class="badge tag">PII</span> </td></tr>`,
		`<a href="#v1-enum-pay.State">enum pay.State</a>`,
		`<tr><th scope="row"><code>STATE_SETTLED</code></th><td class="doc">Money arrived.</td></tr>`)

	h.register("ship-value", compat.JSON, `{"title":"Shipment","type":"object","properties":{
		"postcode":{"type":"string","description":"Where to.","default":"","confluent:tags":["PII"]},
		"speed":{"description":"How fast.","oneOf":[{"const":"slow","description":"Within a week."},{"const":"fast","description":"Next day."}]}}}`)
	contains(t, h.ok("/ui/subjects/ship-value"),
		`<tr><th scope="row"><code>postcode</code></th><td class="type">string</td><td class="default"><code>&#34;&#34;</code></td><td class="doc">Where to.</td><td class="tags"><span class="badge tag">PII</span> </td></tr>`,
		`<a href="#v1-enum-speed">enum speed</a>`,
		`<tr><th scope="row"><code>fast</code></th><td class="doc">Next day.</td></tr>`)

	h.register("key", compat.Avro, `"string"`)
	contains(t, h.ok("/ui/subjects/key"), "The schema declares no record or enum")
}

// TestFieldTablePerVersion: each version has its own table, with ids that
// do not collide.
func TestFieldTablePerVersion(t *testing.T) {
	h := newHarness(t)
	h.register("e-value", compat.Avro, `{"type":"record","name":"E","fields":[{"name":"a","type":"string"}]}`)
	h.register("e-value", compat.Avro, `{"type":"record","name":"E","fields":[{"name":"a","type":"string"},{"name":"b","type":"int","default":7}]}`)
	body := h.ok("/ui/subjects/e-value")
	contains(t, body, `<tr><th scope="row"><code>b</code></th><td class="type">int</td><td class="default"><code>7</code></td>`)
	if n := strings.Count(body, `<caption><code>E</code>`); n != 2 {
		t.Errorf("%d field tables, want one per version", n)
	}
}
