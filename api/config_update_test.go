package api_test

import (
	"encoding/json"
	"reflect"
	"testing"
)

// TestConfigUpdateLikeConfluent pins PUT /config and PUT /config/{subject}
// for the bodies Confluent's ConfigUpdateRequest takes without complaint:
// {} is 200 and changes nothing, answering the config as it stands; a
// field sent as null is cleared ({"compatibility": null} makes the subject
// follow the global level, the global one the server's default); unknown
// fields are ignored. Confluent answers the merged config, not the request.
func TestConfigUpdateLikeConfluent(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	steps := []struct{ method, path, body, want string }{
		// Nothing set yet: {} answers the empty config at each scope.
		{"PUT", "/config", `{}`, `{}`},
		{"GET", "/config", ``, `{"compatibilityLevel":"BACKWARD"}`},
		{"PUT", "/config/s-value", `{}`, `{}`},
		{"PUT", "/config/s-value", `{"compatibility":"FULL","normalize":true}`, `{"compatibility":"FULL","normalize":true}`},
		// {} keeps every field and answers them all.
		{"PUT", "/config/s-value", `{}`, `{"compatibility":"FULL","normalize":true}`},
		{"GET", "/config/s-value", ``, `{"compatibilityLevel":"FULL","normalize":true}`},
		// Unknown fields are ignored, beside known ones or alone.
		{"PUT", "/config/s-value", `{"bogus":1}`, `{"compatibility":"FULL","normalize":true}`},
		{"PUT", "/config/s-value", `{"compatibility":"FORWARD","bogus":{"x":[1]}}`, `{"compatibility":"FORWARD","normalize":true}`},
		// null clears the level and leaves the rest.
		{"PUT", "/config/s-value", `{"compatibility":null}`, `{"normalize":true}`},
		{"GET", "/config/s-value", ``, `{"normalize":true}`},
		{"GET", "/config/s-value?defaultToGlobal=true", ``, `{"compatibilityLevel":"BACKWARD","normalize":true}`},
		{"PUT", "/config/s-value", `{"normalize":null}`, `{}`},
		// A field set wins over its synonym sent as null.
		{"PUT", "/config/s-value", `{"compatibility":"NONE","compatibilityLevel":null}`, `{"compatibility":"NONE"}`},
		// The global level cleared falls back to the server's default.
		{"PUT", "/config", `{"compatibility":"FULL_TRANSITIVE"}`, `{"compatibility":"FULL_TRANSITIVE"}`},
		{"PUT", "/config", `{}`, `{"compatibility":"FULL_TRANSITIVE"}`},
		{"PUT", "/config", `{"compatibility":null}`, `{}`},
		{"GET", "/config", ``, `{"compatibilityLevel":"BACKWARD"}`},
	}
	for _, s := range steps {
		var body any
		if s.body != "" {
			body = s.body
		}
		r := h.do(s.method, s.path, body)
		if r.status != 200 || !sameJSON(t, r.body, s.want) {
			t.Errorf("%s %s %s: %d %s, want 200 %s", s.method, s.path, s.body, r.status, r.body, s.want)
		}
	}
}

// sameJSON reports whether got and want are the same JSON value.
func sameJSON(t *testing.T, got []byte, want string) bool {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		return false
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want %s: %v", want, err)
	}
	return reflect.DeepEqual(g, w)
}

// TestConfigKeepsValidateRules: validateRules is stored in the config and
// answered by PUT and GET as Confluent does (a later {} still answers it,
// null clears it), and it survives a restart (replay of the log).
func TestConfigKeepsValidateRules(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	steps := []struct{ method, path, body, want string }{
		{"PUT", "/config/s-value", `{"validateRules":true}`, `{"validateRules":true}`},
		{"PUT", "/config/s-value", `{}`, `{"validateRules":true}`},
		{"GET", "/config/s-value", ``, `{"validateRules":true}`},
		{"PUT", "/config", `{"validateRules":false}`, `{"validateRules":false}`},
		{"GET", "/config", ``, `{"compatibilityLevel":"BACKWARD","validateRules":false}`},
		{"GET", "/config/t-value?defaultToGlobal=true", ``, `{"compatibilityLevel":"BACKWARD","validateRules":false}`},
		{"PUT", "/config", `{"validateRules":null}`, `{}`},
	}
	for _, s := range steps {
		var body any
		if s.body != "" {
			body = s.body
		}
		r := h.do(s.method, s.path, body)
		if r.status != 200 || !sameJSON(t, r.body, s.want) {
			t.Errorf("%s %s %s: %d %s, want 200 %s", s.method, s.path, s.body, r.status, r.body, s.want)
		}
	}
	h2 := newHarnessOn(t, h.log)
	if r := h2.do("GET", "/config/s-value", nil); r.status != 200 || !sameJSON(t, r.body, `{"validateRules":true}`) {
		t.Errorf("after a restart: GET /config/s-value: %d %s, want 200 {\"validateRules\":true}", r.status, r.body)
	}
}
