package api_test

import (
	"testing"
)

// TestQueryParametersOutsideTheSpecAreRefused pins, for each query
// parameter openapi.yaml constrains, that a value the document forbids is
// refused with 422, error code 422 and a message naming the parameter and
// what it accepts.
func TestQueryParametersOutsideTheSpecAreRefused(t *testing.T) {
	h := newHarness(t)
	h.register("orders-value", recordV1)
	cases := []struct {
		name string
		path string
		msg  string
	}{
		{"negative offset", "/schemas?offset=-1", `Query parameter offset="-1" is not an integer from 0 to 2147483647`},
		{"offset past Java's int", "/schemas?offset=2147483648", `Query parameter offset="2147483648" is not an integer from 0 to 2147483647`},
		{"empty offset", "/schemas?offset=", `Query parameter offset="" is not an integer from 0 to 2147483647`},
		{"limit past Java's int", "/schemas?limit=33215881949076764195799468867584", `Query parameter limit="33215881949076764195799468867584" is not an integer from -2147483648 to 2147483647`},
		{"limit below Java's int", "/v1/catalog/search?q=o&limit=-2147483649", `Query parameter limit="-2147483649" is not an integer from -2147483648 to 2147483647`},
		{"fractional limit", "/v1/audit?limit=1.5", `Query parameter limit="1.5" is not an integer from -2147483648 to 2147483647`},
		{"empty boolean", "/config?defaultToGlobal=", `Query parameter defaultToGlobal="" is not a boolean; use true or false`},
		{"boolean as a digit", "/mode?defaultToGlobal=1", `Query parameter defaultToGlobal="1" is not a boolean; use true or false`},
		{"boolean as a letter", "/subjects?deleted=t", `Query parameter deleted="t" is not a boolean; use true or false`},
		{"boolean as a word", "/config/orders-value?defaultToGlobal=yes", `Query parameter defaultToGlobal="yes" is not a boolean; use true or false`},
		{"unknown lifecycle", "/v1/catalog/topics?lifecycle=AAA", `Query parameter lifecycle="AAA" is not one of active, deprecated, retired, archived`},
		{"lifecycle in another case", "/v1/catalog/topics?lifecycle=Active", `Query parameter lifecycle="Active" is not one of active, deprecated, retired, archived`},
		{"unknown operation", "/v1/audit?operation=AAA", `Query parameter operation="AAA" is not one of schema.registered, schema.deleted, subject.deleted, config.changed, config.deleted, mode.changed, mode.deleted, context.deleted, team.created, team.updated, team.deleted, topic.created, topic.updated, topic.deleted, topic.migration.changed, topic.subscribed, topic.unsubscribed, schema.review.requested, schema.review.approved, schema.review.rejected, schema.review.withdrawn, webhook.created, webhook.deleted, kek.created, kek.updated, kek.deleted, kek.undeleted, dek.created, dek.deleted, dek.undeleted, exporter.created, exporter.updated, exporter.paused, exporter.resumed, exporter.reset, exporter.deleted`},
		{"empty operation", "/v1/audit?operation=", `Query parameter operation="" is not one of schema.registered, schema.deleted, subject.deleted, config.changed, config.deleted, mode.changed, mode.deleted, context.deleted, team.created, team.updated, team.deleted, topic.created, topic.updated, topic.deleted, topic.migration.changed, topic.subscribed, topic.unsubscribed, schema.review.requested, schema.review.approved, schema.review.rejected, schema.review.withdrawn, webhook.created, webhook.deleted, kek.created, kek.updated, kek.deleted, kek.undeleted, dek.created, dek.deleted, dek.undeleted, exporter.created, exporter.updated, exporter.paused, exporter.resumed, exporter.reset, exporter.deleted`},
		{"huge timeout", "/v1/changes?timeout=2.6581581044800023e%2B137", `Query parameter timeout="2.6581581044800023e+137" is not a number of seconds from 0 to 3600`},
		{"timeout just past the limit", "/v1/changes?timeout=3600.5", `Query parameter timeout="3600.5" is not a number of seconds from 0 to 3600`},
		{"negative timeout", "/v1/changes?timeout=-1", `Query parameter timeout="-1" is not a number of seconds from 0 to 3600`},
		{"NaN timeout", "/v1/changes?timeout=NaN", `Query parameter timeout="NaN" is not a number of seconds from 0 to 3600`},
		{"infinite timeout", "/v1/changes?timeout=Inf", `Query parameter timeout="Inf" is not a number of seconds from 0 to 3600`},
		{"negative since", "/v1/changes?since=-1", `Query parameter since="-1" is not a position: use an integer from 0 to 9223372036854775807`},
		{"before past int64", "/v1/audit?before=9223372036854775808", `Query parameter before="9223372036854775808" is not a position: use an integer from 0 to 9223372036854775807`},
		{"from not a time", "/v1/audit?from=yesterday", `Query parameter from="yesterday" is not a time: use RFC 3339 (2026-01-02T15:04:05Z) or milliseconds since the epoch`},
		{"to empty", "/v1/audit?to=", `Query parameter to="" is not a time: use RFC 3339 (2026-01-02T15:04:05Z) or milliseconds since the epoch`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := h.do("GET", c.path, nil)
			var e struct {
				ErrorCode int    `json:"error_code"`
				Message   string `json:"message"`
			}
			r.json(t, &e)
			if r.status != 422 || e.ErrorCode != 422 || e.Message != c.msg {
				t.Errorf("GET %s = %d %d %q, want 422 422 %q", c.path, r.status, e.ErrorCode, e.Message, c.msg)
			}
		})
	}
}

// TestQueryParametersTheSpecAllowsAreAccepted pins the other side: the
// edges of every range, booleans in the letter cases clients send, and
// the forms of time RFC 3339 allows.
func TestQueryParametersTheSpecAllowsAreAccepted(t *testing.T) {
	h := newHarness(t)
	h.register("orders-value", recordV1)
	for _, path := range []string{
		"/schemas?offset=0&limit=-1",
		"/schemas?offset=2147483647&limit=2147483647",
		"/schemas?limit=-2147483648",
		"/subjects?deleted=True",
		"/subjects?deleted=FALSE",
		"/config?defaultToGlobal=true",
		"/v1/catalog/topics?lifecycle=retired",
		"/v1/audit?operation=schema.registered&before=9223372036854775807",
		"/v1/audit?operation=dek.undeleted",
		"/v1/audit?from=2026-01-02T15:04:05Z&to=2026-01-02t15:04:05.5%2B02:00",
		"/v1/audit?from=-1&to=1767366245000",
		"/v1/changes?since=0&timeout=0&limit=5",
		"/v1/changes?since=9223372036854775807&timeout=0.000001",
	} {
		if r := h.do("GET", path, nil); r.status != 200 {
			t.Errorf("GET %s = %d %s, want 200", path, r.status, r.body)
		}
	}
}

// TestLatestWithMetadataPairsKeysAndValuesLikeConfluent: Confluent pairs
// the i-th key with the i-th value and ignores the surplus of the longer
// list, so an unpaired value does not turn the lookup into an error.
func TestLatestWithMetadataPairsKeysAndValuesLikeConfluent(t *testing.T) {
	h := newHarness(t)
	r := h.do("POST", "/subjects/orders-value/versions", map[string]any{
		"schema":   recordV1,
		"metadata": map[string]any{"properties": map[string]string{"owner": "payments"}},
	})
	if r.status != 200 {
		t.Fatalf("register: %d %s", r.status, r.body)
	}
	for _, path := range []string{
		"/subjects/orders-value/metadata?key=owner&value=payments&value=surplus",
		"/subjects/orders-value/metadata?key=owner&value=payments&key=surplus",
		"/subjects/orders-value/metadata?value=surplus",
	} {
		var got struct{ Version int }
		r := h.do("GET", path, nil)
		if r.status != 200 {
			t.Errorf("GET %s = %d %s, want 200", path, r.status, r.body)
			continue
		}
		if r.json(t, &got); got.Version != 1 {
			t.Errorf("GET %s = version %d, want 1", path, got.Version)
		}
	}
	if r := h.do("GET", "/subjects/orders-value/metadata?key=owner&value=billing&value=payments", nil); r.status != 404 {
		t.Errorf("a mismatching pair = %d %s, want 404", r.status, r.body)
	}
}
