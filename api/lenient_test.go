package api_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestUnknownFieldsAreIgnoredEverywhere pins Confluent's lenient decoding
// (Jackson with FAIL_ON_UNKNOWN_PROPERTIES off): a field the registry does
// not know is ignored at the top level and inside references, metadata,
// rule sets, config and mode bodies, and it never reaches what is stored.
func TestUnknownFieldsAreIgnoredEverywhere(t *testing.T) {
	h := newHarness(t)
	h.register("money-value", `{"type":"record","name":"Money","namespace":"acme","fields":[{"name":"units","type":"long"}]}`)
	order := `{"type":"record","name":"Order","namespace":"acme","fields":[{"name":"total","type":"Money"}]}`
	body := `{"schema":` + jsonString(order) + `,"colour":"blue","nested":{"a":[1,2,{"b":null}]},
		"references":[{"name":"acme.Money","subject":"money-value","version":1,"properties":{"k":"v"}}],
		"metadata":{"properties":{"owner":"team-a"},"extra":true},
		"ruleSet":{"domainRules":[{"name":"positive","kind":"CONDITION","mode":"WRITE","type":"CEL","expr":"true","future":1}],"later":[]}}`
	cases := []struct{ method, path, body string }{
		{"POST", "/subjects/order-value/versions", body},
		{"POST", "/subjects/order-value", body},
		{"POST", "/compatibility/subjects/order-value/versions/latest", body},
		{"POST", "/compatibility/subjects/order-value/versions", body},
		{"PUT", "/config/order-value", `{"compatibility":"FULL","colour":"blue","defaultMetadata":{"properties":{"a":"b"},"extra":1}}`},
		{"PUT", "/config", `{"compatibilityLevel":"BACKWARD","somethingNew":{"x":1}}`},
		{"PUT", "/mode/order-value", `{"mode":"READWRITE","reason":"testing"}`},
		{"POST", "/v1/catalog/teams", `{"name":"payments","colour":"blue"}`},
	}
	for _, c := range cases {
		r := h.do(c.method, c.path, c.body)
		if r.status != 200 {
			t.Errorf("%s %s: %d %s, want 200", c.method, c.path, r.status, r.body)
		}
	}
	r := h.do("GET", "/subjects/order-value/versions/1", nil)
	if r.status != 200 {
		t.Fatalf("get: %d %s", r.status, r.body)
	}
	for _, field := range []string{"colour", "properties\":{\"k", "extra", "future", "later"} {
		if strings.Contains(string(r.body), field) {
			t.Errorf("the unknown field %q was stored: %s", field, r.body)
		}
	}
	var got struct {
		Metadata struct {
			Properties map[string]string `json:"properties"`
		} `json:"metadata"`
		References []struct{ Name, Subject string } `json:"references"`
	}
	r.json(t, &got)
	if got.Metadata.Properties["owner"] != "team-a" || len(got.References) != 1 || got.References[0].Subject != "money-value" {
		t.Errorf("the known fields were not kept: %s", r.body)
	}
	// Registering again with other unknown fields is the same schema.
	r = h.do("POST", "/subjects/order-value/versions", strings.Replace(body, `"colour":"blue"`, `"shade":"red"`, 1))
	var again struct{ Version int }
	r.json(t, &again)
	if again.Version != 1 {
		t.Errorf("re-registering with other unknown fields made version %d, want 1", again.Version)
	}
	var cfg struct {
		CompatibilityLevel string `json:"compatibilityLevel"`
	}
	h.do("GET", "/config/order-value", nil).json(t, &cfg)
	if cfg.CompatibilityLevel != "FULL" {
		t.Errorf("config level %q, want FULL", cfg.CompatibilityLevel)
	}
}

// TestLenientDecodingStillRefusesBadBodies: ignoring unknown fields does not
// loosen anything else.
func TestLenientDecodingStillRefusesBadBodies(t *testing.T) {
	h := newHarness(t)
	cases := []struct {
		name, body string
		status     int
		code       int
		says       string
	}{
		{"wrong type under an unknown-field body", `{"schema":42,"colour":"blue"}`, 422, 422, "Wrong type for schema"},
		{"wrong type in a reference", `{"schema":"\"int\"","references":[{"name":"a","subject":"b","version":"one","properties":{}}]}`, 422, 422, "version"},
		{"malformed JSON inside an unknown field", `{"schema":"\"int\"","colour":{"a":}}`, 400, 400, "Malformed JSON"},
		{"truncated", `{"schema":"\"int\"","colour":`, 400, 400, "Malformed JSON"},
	}
	for _, c := range cases {
		before := h.end()
		r := h.do("POST", "/subjects/s/versions", c.body)
		if r.status != c.status || r.errorCode(t) != c.code || !strings.Contains(string(r.body), c.says) {
			t.Errorf("%s: %d %s, want %d %d saying %q", c.name, r.status, r.body, c.status, c.code, c.says)
		}
		if h.end() != before {
			t.Errorf("%s: the refused request wrote to the log", c.name)
		}
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
