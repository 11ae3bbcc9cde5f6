package web

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/registry"
)

func TestSearchFindsFieldsInEveryFormat(t *testing.T) {
	h := newHarness(t)
	h.register("orders-value", compat.Avro, avroOrderV1)
	h.register("payments-value", compat.Protobuf, protoPayment)
	h.register("shipments-value", compat.JSON, jsonShipment)

	for _, tc := range []struct {
		query, subject, field string
	}{
		{"customer_email", "orders-value", "customer.customer_email"},
		{"payment_ref", "payments-value", "payment_ref"},
		{"postcode", "shipments-value", "postcode"},
		{"POSTCODE", "shipments-value", "postcode"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			body := h.ok("/ui/search?q=" + tc.query)
			contains(t, body, `<section class="hits" aria-labelledby="r-fields">`, `href="/ui/subjects/`+tc.subject+`#v1"`, `<code class="field">`+tc.field+`</code>`)
			for _, other := range []string{"orders-value", "payments-value", "shipments-value"} {
				if other != tc.subject {
					lacks(t, body, `href="/ui/subjects/`+other+`#v1"`)
				}
			}
		})
	}
}

func TestSearchFindsTopicsSubjectsAndTeams(t *testing.T) {
	h := newHarness(t)
	h.register("orders-value", compat.Avro, avroOrderV1, owned("Checkout", "checkout@example.com"))
	h.register("orders-key", compat.Avro, `"string"`)
	h.register("returns-value", compat.JSON, jsonShipment)

	body := h.ok("/ui/search?q=orders")
	contains(t, body, `href="/ui/topics/orders"`, `href="/ui/subjects/orders-value"`, `href="/ui/subjects/orders-key"`)
	lacks(t, body, `href="/ui/subjects/returns-value"`)

	body = h.ok("/ui/search?q=checkout")
	contains(t, body, `href="/ui/teams/Checkout"`)

	// A whole-name match ranks before a partial one.
	body = h.ok("/ui/search?q=orders-key")
	contains(t, body, `href="/ui/subjects/orders-key"`)

	body = h.ok("/ui/search?q=nothing-like-this")
	contains(t, body, "Nothing matches <strong>nothing-like-this</strong>")

	body = h.ok("/ui/search")
	contains(t, body, "Type a topic, subject, team or field name.")
}

func TestSearchFragmentIsResultsOnly(t *testing.T) {
	h := newHarness(t)
	h.register("orders-value", compat.Avro, avroOrderV1)
	p := h.get("/ui/search?q=order_id&fragment=1")
	if p.status != http.StatusOK {
		t.Fatalf("status %d", p.status)
	}
	lacks(t, p.body, "<html", "<header", "<form")
	contains(t, p.body, `href="/ui/subjects/orders-value#v1"`)
}

func TestSearchSeesNewRegistrations(t *testing.T) {
	h := newHarness(t)
	h.register("orders-value", compat.Avro, avroOrderV1)
	lacks(t, h.ok("/ui/search?q=order_total"), `orders-value#v2`)
	h.register("orders-value", compat.Avro, avroOrderV2)
	contains(t, h.ok("/ui/search?q=order_total"), `href="/ui/subjects/orders-value#v2"`)
	// A soft-deleted subject drops out of search.
	if _, err := h.svc.DeleteSubject(t.Context(), "orders-value", false); err != nil {
		t.Fatal(err)
	}
	lacks(t, h.ok("/ui/search?q=order_total"), `orders-value`)
}

func TestSubjectPage(t *testing.T) {
	h := newHarness(t)
	h.setLevel("orders-value", compat.Full)
	h.register("customer", compat.Avro, `{"type":"record","name":"Customer","namespace":"shop","fields":[{"name":"customer_email","type":"string"}]}`)
	ref := func(r *registry.RegisterRequest) {
		r.References = []registry.Reference{{Name: "shop.Customer", Subject: "customer", Version: 1}}
	}
	h.register("orders-value", compat.Avro, `{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"order_id","type":"string"},{"name":"customer","type":"shop.Customer"}]}`, ref)
	h.register("orders-value", compat.Avro, `{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"order_id","type":"string"},{"name":"customer","type":"shop.Customer"},{"name":"note","type":"string","default":""}]}`, ref, withRules(), owned("Checkout", "checkout@example.com"))
	h.register("orders-value", compat.Avro, `{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"order_id","type":"string"},{"name":"customer","type":"shop.Customer"},{"name":"note","type":"string","default":""},{"name":"gift","type":"boolean","default":false}]}`, ref)
	if _, err := h.svc.DeleteVersion(t.Context(), "orders-value", 3, false); err != nil {
		t.Fatal(err)
	}

	body := h.ok("/ui/subjects/orders-value")
	contains(t, body,
		"Version history",
		`<section class="version deleted" id="v3"`, `<span class="badge warn">deleted</span>`,
		`<span class="badge ok">latest</span>`,
		`<details open>`,
		// references link to the referenced subject version
		`href="/ui/subjects/customer#v1">customer v1</a>`,
		// metadata and rules, readably
		`<dt>owner</dt><dd>Checkout</dd>`,
		"Domain rules", "<strong>checkSku</strong>", "Checks each record when a producer writes", "message.sku.size() &gt; 0", "on failure: DLQ",
		// compatibility set on the subject
		`<span class="badge">FULL</span> <span class="muted">set on this subject</span>`,
		// diff links between live versions
		`href="/ui/diff?from=1&amp;subject=orders-value&amp;to=2"`,
		// highlighted schema
		`<span class="line"><span class="ln" aria-hidden="true">1</span>`,
		// owner link from metadata
		`href="/ui/teams/Checkout"`,
		`href="/ui/topics/orders"`,
	)

	// Dates come from the registration timestamps.
	if n := len(regexp.MustCompile(`<td>\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC</td>`).FindAllString(body, -1)); n != 3 {
		t.Errorf("%d dated versions in the history, want 3", n)
	}

	body = h.ok("/ui/subjects/customer")
	contains(t, body, "Referenced by", `href="/ui/subjects/orders-value#v1">orders-value v1</a>`, `href="/ui/subjects/orders-value#v2">orders-value v2</a>`)
}

func TestSubjectPageDeletedSubject(t *testing.T) {
	h := newHarness(t)
	h.register("gone-value", compat.JSON, jsonShipment)
	if _, err := h.svc.DeleteSubject(t.Context(), "gone-value", false); err != nil {
		t.Fatal(err)
	}
	body := h.ok("/ui/subjects/gone-value")
	contains(t, body, "none live: every version is deleted", `<section class="version deleted" id="v1"`)
}

func TestSubjectNamesNeedingEscapes(t *testing.T) {
	h := newHarness(t)
	for _, name := range []string{"team/a-value", "100% real-value", ":.ctx:orders-value", "space name"} {
		h.register(name, compat.JSON, jsonShipment)
		esc := subjectURL(name)
		body := h.ok(esc)
		contains(t, body, `<span class="kind">Subject</span> `+htmlEscape(name))
		contains(t, h.ok("/ui/search?q="+urlQuery(name)), htmlEscape(esc))
	}
}

func TestScriptInSchemaRendersInert(t *testing.T) {
	h := newHarness(t)
	evil := `<script>alert("pwned")</script>`
	v1 := `{"type":"record","name":"Evil","doc":"` + strings.ReplaceAll(evil, `"`, `\"`) + `","fields":[{"name":"a","type":"string","doc":"<img src=x onerror=alert(1)>"}]}`
	v2 := `{"type":"record","name":"Evil","doc":"` + strings.ReplaceAll(evil, `"`, `\"`) + `","fields":[{"name":"a","type":"string","doc":"<img src=x onerror=alert(1)>"},{"name":"b","type":"int","default":0,"doc":"</code></pre><script>alert(2)</script>"}]}`
	subject := `<script>alert(3)</script>-value`
	h.register(subject, compat.Avro, v1, func(r *registry.RegisterRequest) {
		r.Metadata = &registry.Metadata{Properties: map[string]string{"owner": "<script>alert(4)</script>", "note": "<b>bold</b>"}}
	})
	h.register(subject, compat.Avro, v2)
	h.register("evil-proto-value", compat.Protobuf, "syntax = \"proto3\";\n// <script>alert(5)</script>\nmessage M { string a = 1; }\n")
	h.register("evil-json-value", compat.JSON, `{"type":"object","description":"<script>alert(6)</script>","properties":{"a":{"type":"string"}}}`)

	pages := []string{
		subjectURL(subject),
		subjectURL("evil-proto-value"),
		subjectURL("evil-json-value"),
		diffURL(subject, 1, 2),
		topicURL("<script>alert(3)</script>"),
		teamURL("<script>alert(4)</script>"),
		"/ui/search?q=" + urlQuery("<script>"),
		"/ui/search?q=" + urlQuery("<script>") + "&fragment=1",
		"/ui/search?q=a",
		"/ui/subjects", "/ui/topics", "/ui/teams", "/ui/",
	}
	for _, p := range pages {
		t.Run(p, func(t *testing.T) {
			res := h.get(p)
			if res.status != http.StatusOK {
				t.Fatalf("status %d", res.status)
			}
			// The only script element is the catalogue's own, from /ui/static.
			if n := strings.Count(strings.ToLower(res.body), "<script"); n != strings.Count(res.body, `<script src="/ui/static/app.js`) {
				t.Errorf("%d <script elements, only the catalogue's own expected:\n%s", n, res.body)
			}
			lacks(t, res.body, "<img", "<b>bold</b>", "onerror=alert(1)>")
			if !strings.Contains(res.body, "&lt;script&gt;") {
				t.Errorf("the escaped text is not shown")
			}
			if csp := res.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
				t.Errorf("Content-Security-Policy %q", csp)
			}
		})
	}
}

func TestTopicPageInferredFromSubjects(t *testing.T) {
	h := newHarness(t)
	h.setLevel("orders-value", compat.BackwardTransitive)
	h.register("orders-value", compat.Avro, avroOrderV1, owned("Checkout", "checkout@example.com"), withRules())
	h.register("orders-value", compat.Avro, avroOrderV2)
	h.register("orders-key", compat.Avro, `"string"`)

	body := h.ok("/ui/topics/orders")
	contains(t, body,
		`<span class="kind">Topic</span> orders`,
		`href="/ui/teams/Checkout">Checkout</a> · contact <span class="contact"><a href="mailto:checkout@example.com">checkout@example.com</a></span>`,
		`Value schema: <a href="/ui/subjects/orders-value">orders-value</a>`,
		`Key schema: <a href="/ui/subjects/orders-key">orders-key</a>`,
		`value <span class="badge">BACKWARD_TRANSITIVE</span>`,
		`Latest version <a href="/ui/subjects/orders-value#v2">v2</a> of 2`,
		`href="/ui/diff?from=1&amp;subject=orders-value&amp;to=2">what changed since v1</a>`,
		"<strong>checkSku</strong>",
		"governance has no record of it yet",
		"Producers", "none recorded",
	)
}

func TestTopicAndTeamPagesFromDirectory(t *testing.T) {
	dir := &fakeDirectory{
		topics: []Topic{
			{Name: "orders.v2", Description: "Every order placed in the shop.", Team: "Checkout", Lifecycle: "ACTIVE", Predecessors: []string{"orders"},
				ValueSubject: "orders.v2-value", Producers: []string{"checkout-api"}, Consumers: []string{"billing", "warehouse"}, Tags: []string{"pii"}},
			{Name: "orders", Description: "Legacy orders.", Team: "Checkout", Lifecycle: "DEPRECATED", Successor: "orders.v2", ValueSubject: "orders-value"},
		},
		teams:   []Team{{Name: "Checkout", Description: "Owns the basket and payment flow.", Contacts: []Contact{{Email: "checkout@example.com"}, {Name: "#checkout", URL: "https://chat.example.com/checkout"}}}},
		authors: map[string]map[int]Authorship{"orders.v2-value": {1: {Author: "alice@example.com"}}},
	}
	h := newHarness(t, WithDirectory(dir))
	h.register("orders.v2-value", compat.Avro, avroOrderV1)
	h.register("orders-value", compat.Avro, avroOrderV1)

	body := h.ok("/ui/topics/orders.v2")
	contains(t, body,
		"Every order placed in the shop.",
		`<span class="badge life life-ACTIVE">ACTIVE</span>`,
		`succeeds <a href="/ui/topics/orders">orders</a>`,
		`<span class="badge app">checkout-api</span>`, `<span class="badge app">billing</span>`, `<span class="badge app">warehouse</span>`,
		`<span class="contact"><a href="mailto:checkout@example.com">checkout@example.com</a></span>, <span class="contact">#checkout <a href="https://chat.example.com/checkout" rel="noopener noreferrer">https://chat.example.com/checkout</a></span>`,
		`Value schema: <a href="/ui/subjects/orders.v2-value">orders.v2-value</a>`,
	)
	lacks(t, body, "governance has no record")
	contains(t, h.ok("/ui/topics/orders"), `succeeded by <a href="/ui/topics/orders.v2">orders.v2</a>`, "DEPRECATED")

	body = h.ok("/ui/teams/Checkout")
	contains(t, body, "Owns the basket and payment flow.", `href="/ui/topics/orders.v2"`, `href="/ui/topics/orders"`,
		`href="/ui/subjects/orders.v2-value"`, `href="/ui/subjects/orders-value"`)

	contains(t, h.ok("/ui/subjects/orders.v2-value"), "alice@example.com")
	contains(t, h.ok("/ui/search?q=checkout"), `href="/ui/teams/Checkout"`)
	contains(t, h.ok("/ui/topics"), `href="/ui/topics/orders.v2"`, "Every order placed in the shop.")
	contains(t, h.ok("/ui/teams"), `href="/ui/teams/Checkout"`)
	contains(t, h.ok("/ui/"), `href="/ui/topics/orders.v2"`, `href="/ui/teams/Checkout"`)
}

func TestTeamPageInferredFromMetadata(t *testing.T) {
	h := newHarness(t)
	h.register("payments-value", compat.Protobuf, protoPayment, owned("Payments", "pay@example.com"))
	h.register("ledger", compat.JSON, jsonShipment, owned("Payments", ""))
	body := h.ok("/ui/teams/Payments")
	contains(t, body, `<a href="mailto:pay@example.com">pay@example.com</a>`, `href="/ui/topics/payments"`,
		`href="/ui/subjects/payments-value"`, `href="/ui/subjects/ledger"`, "inferred from the <code>owner</code> metadata property")
}

func TestDiffPage(t *testing.T) {
	h := newHarness(t)
	h.setLevel("orders-value", compat.None)
	h.register("orders-value", compat.Avro, avroOrderV1)
	// v2 adds a field without a default: new readers cannot read old data.
	h.register("orders-value", compat.Avro, strings.Replace(avroOrderV2, `,"default":0`, "", 1))

	body := h.ok("/ui/diff?subject=orders-value&from=1&to=2")
	contains(t, body,
		"orders-value: v1 → v2",
		"Compatibility of v2 with v1",
		"<code>READER_FIELD_MISSING_DEFAULT_VALUE</code>",
		`<span class="badge">configured</span>`,
		`<span class="no">incompatible</span>`, `<span class="yes">compatible</span>`,
		`<tr class="added">`,
		"order_total",
	)
	verdict := func(level compat.Level) string {
		i := strings.Index(body, "<code>"+string(level)+"</code>")
		if i < 0 {
			t.Fatalf("no row for %s", level)
		}
		j := strings.Index(body[i:], "</tr>")
		return body[i : i+j]
	}
	for level, compatible := range map[compat.Level]bool{
		compat.None: true, compat.Backward: false, compat.BackwardTransitive: false,
		compat.Forward: true, compat.ForwardTransitive: true, compat.Full: false, compat.FullTransitive: false,
	} {
		row := verdict(level)
		if got := strings.Contains(row, `class="yes"`); got != compatible {
			t.Errorf("%s: compatible=%v, want %v\n%s", level, got, compatible, row)
		}
	}

	// Defaults: the previous version against the latest.
	contains(t, h.ok("/ui/diff?subject=orders-value"), "orders-value: v1 → v2")
	// Reverse direction: v1 read with... the old reader lacks the field: compatible backward.
	body = h.ok("/ui/diff?subject=orders-value&from=2&to=1")
	contains(t, body, "orders-value: v2 → v1")
}

// TestDiffPageListsCompatibleAvroChanges: an added field with a default is
// named and marked compatible, and the forward break of an added enum
// symbol is marked at the level in force (checked at FULL, not at
// BACKWARD).
func TestDiffPageListsCompatibleAvroChanges(t *testing.T) {
	h := newHarness(t)
	h.setLevel("orders-value", compat.Backward)
	h.register("orders-value", compat.Avro, avroOrderV1)
	h.register("orders-value", compat.Avro, avroOrderV2)
	body := h.ok("/ui/diff?subject=orders-value&from=1&to=2")
	contains(t, body, "<code>FIELD_ADDED_WITH_DEFAULT</code>", "order_total", `<span class="yes">compatible</span>`, "Verdict at BACKWARD")
	lacks(t, body, "The compat engine reports no change here.")

	const e1 = `{"type":"enum","name":"Status","symbols":["NEW","PAID"]}`
	const e2 = `{"type":"enum","name":"Status","symbols":["NEW","PAID","SHIPPED"]}`
	h.setLevel("status-value", compat.Backward)
	h.register("status-value", compat.Avro, e1)
	h.register("status-value", compat.Avro, e2)
	body = h.ok("/ui/diff?subject=status-value&from=1&to=2")
	contains(t, body, "<code>ENUM_SYMBOL_ADDED</code>", "<code>MISSING_ENUM_SYMBOLS</code>", "breaks forward, which BACKWARD does not check")
	h.setLevel("status-value", compat.Full)
	body = h.ok("/ui/diff?subject=status-value&from=1&to=2")
	contains(t, body, "Verdict at FULL", `<tr class="bad"><td><code>MISSING_ENUM_SYMBOLS</code>`)
}

func TestDiffAcrossFormatsAndIdentical(t *testing.T) {
	h := newHarness(t)
	h.setLevel("mixed", compat.None)
	h.register("mixed", compat.JSON, jsonShipment)
	h.register("mixed", compat.Protobuf, protoPayment)
	body := h.ok("/ui/diff?subject=mixed&from=1&to=2")
	contains(t, body, "TYPE_MISMATCH", "The versions are of different formats")

	body = h.ok("/ui/diff?subject=mixed&from=2&to=2")
	contains(t, body, "Both versions hold the same schema")
}

func TestNotFoundPages(t *testing.T) {
	h := newHarness(t)
	h.register("orders-value", compat.Avro, avroOrderV1)
	for _, p := range []string{"/ui/subjects/missing", "/ui/topics/missing", "/ui/teams/missing", "/ui/diff?subject=missing", "/ui/diff?subject=orders-value&from=1&to=9", "/ui/static/nope.css", "/ui/nowhere/at/all"} {
		res := h.get(p)
		if res.status != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", p, res.status)
		}
		if !strings.Contains(res.body, "<h1>Not found</h1>") {
			t.Errorf("%s: no HTML error page:\n%s", p, res.body)
		}
	}
	if res := h.get("/ui/diff?subject=orders-value&from=x"); res.status != http.StatusBadRequest {
		t.Errorf("bad version: status %d", res.status)
	}
}

func TestListingsPaginate(t *testing.T) {
	h := newHarness(t)
	for i := range pageSize + 5 {
		h.register("s"+strings.Repeat("0", 3-len(itoa(i)))+itoa(i)+"-value", compat.JSON, jsonShipment)
	}
	body := h.ok("/ui/subjects")
	contains(t, body, "Page 1 of 2", `href="/ui/subjects/s000-value"`, `rel="next"`)
	lacks(t, body, `href="/ui/subjects/s104-value"`)
	body = h.ok("/ui/subjects?page=2")
	contains(t, body, `href="/ui/subjects/s104-value"`, `rel="prev"`)
	contains(t, h.ok("/ui/topics?page=99"), "Page 2 of 2")
}

func TestHomeAndRedirect(t *testing.T) {
	h := newHarness(t)
	h.register("orders-value", compat.Avro, avroOrderV1)
	contains(t, h.ok("/ui/"), `1 topics</a>`, `1 subjects</a>`)
	res := h.get("/ui")
	if res.status != http.StatusMovedPermanently || res.header.Get("Location") != "/ui/" {
		t.Errorf("GET /ui: %d %q", res.status, res.header.Get("Location"))
	}
}

func TestStaticAssets(t *testing.T) {
	h := newHarness(t)
	for name, ct := range map[string]string{"app.css": "text/css", "app.js": "text/javascript", "chroma.css": "text/css", "favicon.svg": "image/svg+xml"} {
		url := h.cat.assetURL(name)
		res := h.get(url)
		if res.status != http.StatusOK || !strings.HasPrefix(res.header.Get("Content-Type"), ct) || len(res.body) == 0 {
			t.Errorf("%s: %d %q", url, res.status, res.header.Get("Content-Type"))
		}
		if !strings.Contains(res.header.Get("Cache-Control"), "immutable") {
			t.Errorf("%s: versioned asset not cacheable: %q", url, res.header.Get("Cache-Control"))
		}
	}
	contains(t, h.get(h.cat.assetURL("chroma.css")).body, ".chroma .k")
	if cc := h.get("/ui/static/app.css").header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("unversioned asset: Cache-Control %q", cc)
	}
}

func TestMiddlewareGuardsEveryRoute(t *testing.T) {
	calls := 0
	deny := func(next echoHandler) echoHandler {
		return func(c *echoContext) error {
			calls++
			return c.NoContent(http.StatusUnauthorized)
		}
	}
	h := newHarness(t, WithMiddleware(deny))
	for _, p := range []string{"/ui", "/ui/", "/ui/search?q=x", "/ui/subjects/x", "/ui/topics/x", "/ui/teams/x", "/ui/diff", "/ui/static/app.css"} {
		if res := h.get(p); res.status != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", p, res.status)
		}
	}
	if calls != 8 {
		t.Errorf("middleware ran %d times, want 8", calls)
	}
}

func TestWantsHTML(t *testing.T) {
	for accept, want := range map[string]bool{
		"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8": true,
		"TEXT/HTML":        true,
		"application/json": false,
		"application/vnd.schemaregistry.v1+json, application/json": false,
		"":    false,
		"*/*": false,
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Accept", accept)
		if got := WantsHTML(r); got != want {
			t.Errorf("Accept %q: %v, want %v", accept, got, want)
		}
	}
}
