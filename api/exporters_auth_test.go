package api_test

import "testing"

// TestExporterRoutesAreForAdmins: with auth required, every exporter
// change is an admin's: a team member gets 403/40301 with the action
// named, an anonymous caller 401/40101, whatever else is wrong with the
// request; reads need only a principal.
func TestExporterRoutesAreForAdmins(t *testing.T) {
	h := newAuthHarness(t, authOptions{anonymousRead: true})
	h.seedGovernance()
	good := map[string]any{"name": "dr", "config": map[string]string{"schema.registry.url": "http://127.0.0.1:1"}}
	bad := map[string]any{"name": "x", "config": map[string]string{}}
	for _, c := range []struct {
		who, method, path string
		body              any
		status, code      int
		msg               string
	}{
		{asOwner, "POST", "/exporters", good, 403, 40301, "Only admins may manage exporters; principal 'pay-ci' (team payments) is not an admin"},
		{asOwner, "POST", "/exporters", bad, 403, 40301, ""},
		{asAnonymous, "POST", "/exporters", bad, 401, 40101, ""},
		{asAdmin, "POST", "/exporters", good, 200, 0, ""},
		{asOwner, "PUT", "/exporters/dr/pause", nil, 403, 40301, ""},
		{asOwner, "PUT", "/exporters/nope/pause", nil, 403, 40301, ""},
		{asAnonymous, "DELETE", "/exporters/dr", nil, 401, 40101, ""},
		{asOwner, "DELETE", "/exporters/dr", nil, 403, 40301, ""},
		{asOther, "GET", "/exporters/dr", nil, 200, 0, ""},
		{asAdmin, "PUT", "/exporters/dr/pause", nil, 200, 0, ""},
		{asAdmin, "DELETE", "/exporters/dr", nil, 204, 0, ""},
	} {
		r := h.call(c.who, c.method, c.path, c.body)
		if r.status != c.status || (c.code != 0 && r.errorCode(t) != c.code) {
			t.Errorf("%s %s %s: got %d %s, want %d/%d", c.who, c.method, c.path, r.status, r.body, c.status, c.code)
			continue
		}
		if c.msg != "" {
			var e struct {
				Message string `json:"message"`
			}
			r.json(t, &e)
			if e.Message != c.msg {
				t.Errorf("%s %s %s: message %q, want %q", c.who, c.method, c.path, e.Message, c.msg)
			}
		}
	}
}
