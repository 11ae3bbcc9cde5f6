package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestTopicOwnerThatIsNoTeam: naming a team that does not exist as a
// topic's owner is 422/42212 naming it for every principal, as an admin
// was already told; a team that exists but is not the principal's stays
// 403.
func TestTopicOwnerThatIsNoTeam(t *testing.T) {
	s := windowServer(t)
	call, must := s.call, s.must
	for _, team := range []string{"payments", "billing"} {
		must("admin", "POST", "/v1/catalog/teams", map[string]any{"name": team})
	}
	const missing = `"error_code":42212,"message":"Team 'nope' does not exist: create it first with POST /v1/catalog/teams"`
	for _, who := range []string{"payments", "admin"} {
		r := call(who, "POST", "/v1/catalog/topics", map[string]any{"name": "t1", "owner": "nope"})
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), missing) {
			t.Errorf("%s creates a topic owned by a missing team: %d %s, want 422 %s", who, r.status, r.body, missing)
		}
	}
	if r := call("payments", "POST", "/v1/catalog/topics", map[string]any{"name": "t1", "owner": "billing"}); r.status != http.StatusForbidden || !strings.Contains(string(r.body), `"error_code":40301`) {
		t.Errorf("payments creates a topic owned by billing: %d %s, want 403 40301", r.status, r.body)
	}
	must("payments", "POST", "/v1/catalog/topics", map[string]any{"name": "t1", "owner": "payments"})
	if r := call("payments", "PUT", "/v1/catalog/topics/t1", map[string]any{"owner": "nope"}); r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), missing) {
		t.Errorf("payments hands t1 to a missing team: %d %s, want 422", r.status, r.body)
	}
}
