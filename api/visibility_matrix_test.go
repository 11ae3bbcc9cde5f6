package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/charter-registry/charter/api"
	"github.com/charter-registry/charter/registry"
)

// The readers of the visibility matrix.
const (
	readAdmin     = "admin"
	readOwner     = "owner"    // team payments, which owns both topics
	readConsumer  = "consumer" // team billing, a consumer of the private topic
	readOther     = "other"    // team shipping, nothing to do with either
	readAnonymous = "anonymous"
)

var readKeys = map[string]string{
	readAdmin:    "chk_read-admin-key-0123456789abcdef0123456789",
	readOwner:    "chk_read-owner-key-0123456789abcdef0123456789",
	readConsumer: "chk_read-consumer-key-0123456789abcdef01234567",
	readOther:    "chk_read-other-key-0123456789abcdef0123456789",
}

var readers = []string{readAdmin, readOwner, readConsumer, readOther, readAnonymous}

// mayReadPrivate is the rule the matrix checks: the owning team, the
// teams the topic lists as consumers, and admins.
func mayReadPrivate(who string) bool { return who != readOther && who != readAnonymous }

const (
	sharedSchema  = `{"type":"record","name":"Shared","fields":[{"name":"id","type":"string"}]}`
	privateSchema = `{"type":"record","name":"Shared","fields":[{"name":"id","type":"string"},{"name":"entry","type":"string","default":""}]}`
	publicSchema  = `{"type":"record","name":"Shared","fields":[{"name":"id","type":"string"},{"name":"order","type":"string","default":""}]}`
)

type readMatrix struct {
	*governedServer
	shared  int // held by orders-value (public) and ledger-value (private)
	private int // held only by ledger-value
	guid    string
}

func newReadMatrix(t *testing.T) *readMatrix {
	t.Helper()
	m := &readMatrix{governedServer: startGoverned(t, readKeys, []keyedPrincipal{
		{name: "root", admin: true, key: readKeys[readAdmin]},
		{name: "pay-ci", teams: []string{"payments"}, key: readKeys[readOwner]},
		{name: "bill-ci", teams: []string{"billing"}, key: readKeys[readConsumer]},
		{name: "ship-ci", teams: []string{"shipping"}, key: readKeys[readOther]},
	}, registry.AccessConfig{Enforce: true, Unowned: registry.UnownedOpen}, api.AuthConfig{AnonymousRead: true})}
	for _, team := range []string{"payments", "billing", "shipping"} {
		m.must(readAdmin, "POST", "/v1/catalog/teams", map[string]any{"name": team})
	}
	m.must(readOwner, "POST", "/v1/catalog/topics", map[string]any{"name": "orders", "description": "public orders"})
	m.must(readOwner, "POST", "/v1/catalog/topics", map[string]any{"name": "ledger", "description": "private ledger", "visibility": "private", "consumers": []string{"billing", "audit-service"}})
	var id struct {
		ID int `json:"id"`
	}
	m.must(readOwner, "POST", "/subjects/ledger-value/versions", map[string]any{"schema": sharedSchema}).json(t, &id)
	m.shared = id.ID
	m.must(readOwner, "POST", "/subjects/orders-value/versions", map[string]any{"schema": sharedSchema}).json(t, &id)
	if id.ID != m.shared {
		t.Fatalf("the shared schema got ids %d and %d", m.shared, id.ID)
	}
	m.must(readOwner, "POST", "/subjects/orders-value/versions", map[string]any{"schema": publicSchema})
	m.must(readOwner, "POST", "/subjects/ledger-value/versions", map[string]any{"schema": privateSchema}).json(t, &id)
	m.private = id.ID
	var sc struct {
		GUID string `json:"guid"`
	}
	m.must(readAdmin, "GET", fmt.Sprintf("/schemas/ids/%d", m.private), nil).json(t, &sc)
	m.guid = sc.GUID
	return m
}

// TestReadAccessMatrix: every read endpoint × public/private × owner,
// consumer, other team, anonymous (anonymous reads on) and admin, with
// exact statuses and error codes. A private topic's subject does not
// exist for those who may not read it (404, not 403); a schema id is
// readable when any subject holding it is.
func TestReadAccessMatrix(t *testing.T) {
	m := newReadMatrix(t)
	type endpoint struct {
		name, method, path string
		body               any
		code               int // the error code when hidden
	}
	lookup := map[string]any{"schema": sharedSchema}
	subjectEndpoints := func(s string) []endpoint {
		return []endpoint{
			{"versions", "GET", "/subjects/" + s + "/versions", nil, 40401},
			{"version", "GET", "/subjects/" + s + "/versions/1", nil, 40401},
			{"latest", "GET", "/subjects/" + s + "/versions/latest", nil, 40401},
			{"version text", "GET", "/subjects/" + s + "/versions/1/schema", nil, 40401},
			{"referencedby", "GET", "/subjects/" + s + "/versions/1/referencedby", nil, 40401},
			{"lookup", "POST", "/subjects/" + s, lookup, 40401},
			{"compatibility", "POST", "/compatibility/subjects/" + s + "/versions/latest", lookup, 40401},
			{"config", "GET", "/config/" + s + "?defaultToGlobal=true", nil, 40401},
			{"mode", "GET", "/mode/" + s + "?defaultToGlobal=true", nil, 40401},
			{"context twin", "GET", "/contexts/.:/subjects/" + s + "/versions", nil, 40401},
			{"catalogue subject", "GET", "/v1/catalog/subjects/" + s, nil, 40401},
		}
	}
	topicEndpoints := func(topic string) []endpoint {
		return []endpoint{{"catalogue topic", "GET", "/v1/catalog/topics/" + topic, nil, 40410}}
	}
	cases := 0
	for _, vis := range []string{"public", "private"} {
		subject, topic := "orders-value", "orders"
		if vis == "private" {
			subject, topic = "ledger-value", "ledger"
		}
		eps := append(subjectEndpoints(subject), topicEndpoints(topic)...)
		for _, ep := range eps {
			for _, who := range readers {
				cases++
				r := m.call(who, ep.method, ep.path, ep.body)
				visible := vis == "public" || mayReadPrivate(who)
				if visible {
					if r.status != http.StatusOK {
						t.Errorf("%s %s (%s) as %s: %d %s, want 200", ep.name, ep.path, vis, who, r.status, r.body)
					}
					continue
				}
				var e struct {
					Code int `json:"error_code"`
				}
				_ = json.Unmarshal(r.body, &e)
				if r.status != http.StatusNotFound || e.Code != ep.code {
					t.Errorf("%s %s (%s) as %s: %d %s, want 404 with %d", ep.name, ep.path, vis, who, r.status, r.body, ep.code)
				}
			}
		}
	}

	// Schema ids: the shared id is readable by everyone (orders-value is
	// public), the private-only id only by those who may read the ledger.
	for _, who := range readers {
		for _, path := range []string{"/schemas/ids/%d", "/schemas/ids/%d/schema", "/schemas/ids/%d/subjects", "/schemas/ids/%d/versions"} {
			cases += 2
			if r := m.call(who, "GET", fmt.Sprintf(path, m.shared), nil); r.status != http.StatusOK {
				t.Errorf("shared id %s as %s: %d %s", fmt.Sprintf(path, m.shared), who, r.status, r.body)
			}
			r := m.call(who, "GET", fmt.Sprintf(path, m.private), nil)
			want := http.StatusOK
			if !mayReadPrivate(who) {
				want = http.StatusNotFound
			}
			if r.status != want || (want == http.StatusNotFound && !strings.Contains(string(r.body), `"error_code":40403`)) {
				t.Errorf("private id %s as %s: %d %s, want %d", fmt.Sprintf(path, m.private), who, r.status, r.body, want)
			}
		}
		cases++
		r := m.call(who, "GET", "/schemas/guids/"+m.guid, nil)
		if want := map[bool]int{true: 200, false: 404}[mayReadPrivate(who)]; r.status != want {
			t.Errorf("private guid as %s: %d %s, want %d", who, r.status, r.body, want)
		}
		// The shared id's subjects name only what the reader may read.
		var subjects []string
		m.must(who, "GET", fmt.Sprintf("/schemas/ids/%d/subjects", m.shared), nil).json(t, &subjects)
		want := []string{"orders-value"}
		if mayReadPrivate(who) {
			want = []string{"ledger-value", "orders-value"}
		}
		slices.Sort(subjects)
		if !slices.Equal(subjects, want) {
			t.Errorf("subjects of the shared id as %s: %v, want %v", who, subjects, want)
		}
		var versions []registry.SubjectVersion
		m.must(who, "GET", fmt.Sprintf("/schemas/ids/%d/versions", m.shared), nil).json(t, &versions)
		if len(versions) != len(want) {
			t.Errorf("versions of the shared id as %s: %v, want %d", who, versions, len(want))
		}
		cases += 2
	}

	// Listings and search leave what is hidden out.
	for _, who := range readers {
		private := mayReadPrivate(who)
		list := func(path string) string {
			t.Helper()
			cases++
			return string(m.must(who, "GET", path, nil).body)
		}
		for path, needle := range map[string]string{
			"/subjects":                      `"ledger-value"`,
			"/schemas":                       `"ledger-value"`,
			"/v1/catalog/topics":             `"ledger"`,
			"/v1/catalog/teams/payments":     `"ledger"`,
			"/v1/catalog/search?q=ledger":    `"ledger"`,
			"/v1/audit?topic=ledger":         `"ledger-value"`,
			"/v1/changes?topic=ledger":       `"ledger-value"`,
			"/v1/audit?subject=ledger-value": `"ledger-value"`,
		} {
			if got := strings.Contains(list(path), needle); got != private {
				t.Errorf("%s as %s shows %s: %v, want %v", path, who, needle, got, private)
			}
		}
		for _, path := range []string{"/subjects", "/schemas", "/v1/catalog/topics", "/v1/catalog/search?q=orders"} {
			if !strings.Contains(list(path), `"orders`) {
				t.Errorf("%s as %s lost the public orders", path, who)
			}
		}
	}
	// Paging counts only what the reader sees.
	var page []registry.Schema
	m.must(readOther, "GET", "/schemas?offset=0&limit=5", nil).json(t, &page)
	for _, sc := range page {
		if sc.Subject == "ledger-value" {
			t.Errorf("/schemas page as other holds %v", sc)
		}
	}
	if len(page) != 2 {
		t.Errorf("/schemas page as other: %d schemas, want orders-value's 2", len(page))
	}
	t.Logf("%d read cases", cases)
}

// TestPrivateTopicWritesByOthersAreNotFound: a team that may not read a
// private topic cannot learn it exists by writing to it either.
func TestPrivateTopicWritesByOthersAreNotFound(t *testing.T) {
	m := newReadMatrix(t)
	for _, c := range []struct {
		method, path string
		body         any
		code         int
	}{
		{"POST", "/subjects/ledger-value/versions", map[string]any{"schema": publicSchema}, 40401},
		{"DELETE", "/subjects/ledger-value", nil, 40401},
		{"PUT", "/config/ledger-value", map[string]any{"compatibility": "NONE"}, 40401},
		{"PUT", "/v1/catalog/topics/ledger", map[string]any{"description": "x"}, 40410},
	} {
		r := m.call(readOther, c.method, c.path, c.body)
		if r.status != http.StatusNotFound || !strings.Contains(string(r.body), fmt.Sprintf(`"error_code":%d`, c.code)) {
			t.Errorf("%s %s as other: %d %s, want 404 %d", c.method, c.path, r.status, r.body, c.code)
		}
	}
	// The consumer may read but not write: its write is refused, not hidden.
	if r := m.call(readConsumer, "POST", "/subjects/ledger-value/versions", map[string]any{"schema": publicSchema}); r.status != http.StatusForbidden {
		t.Errorf("consumer registers on the ledger: %d %s, want 403", r.status, r.body)
	}
}
