package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// withChangeHeaders sends one request with the provenance headers.
func withChangeHeaders(t *testing.T, h *harness, method, path, body, reason, link string) response {
	t.Helper()
	header := http.Header{}
	header.Set("X-Charter-Change-Reason", reason)
	header.Set("X-Charter-Change-Link", link)
	return sendHeader(t, h.srv.URL, method, path, body, header)
}

// TestChangeHeadersReachTheAuditTrail: the provenance headers of a write
// are returned by /v1/audit and /v1/changes; a bad link refuses the write
// with 422 / 42212 and writes nothing; a read ignores the headers.
func TestChangeHeadersReachTheAuditTrail(t *testing.T) {
	h := newHarness(t)
	link := "https://github.com/acme/schemas/pull/7"
	r := withChangeHeaders(t, h, "POST", "/subjects/orders-value/versions", `{"schema":"\"int\""}`, "pin the key type (#7)", link)
	if r.status != 200 {
		t.Fatalf("register: %d %s", r.status, r.body)
	}
	var audit []struct{ Operation, Subject, Reason, Link string }
	h.do("GET", "/v1/audit?subject=orders-value", nil).json(t, &audit)
	if len(audit) != 1 || audit[0].Reason != "pin the key type (#7)" || audit[0].Link != link {
		t.Errorf("audit: %+v", audit)
	}
	var changes struct {
		Events []struct{ Type, Reason, Link string }
	}
	h.do("GET", "/v1/changes?subject=orders-value", nil).json(t, &changes)
	if len(changes.Events) != 1 || changes.Events[0].Link != link || changes.Events[0].Reason == "" {
		t.Errorf("changes: %+v", changes.Events)
	}

	r = withChangeHeaders(t, h, "PUT", "/config/orders-value", `{"compatibility":"FULL"}`, "why", "javascript:alert(1)")
	if r.status != 422 || r.errorCode(t) != 42212 || !strings.Contains(string(r.body), "not an absolute http or https URL") {
		t.Errorf("bad link: %d %s", r.status, r.body)
	}
	if r := h.do("GET", "/config/orders-value", nil); r.status != 404 {
		t.Errorf("the refused config was written: %d %s", r.status, r.body)
	}
	if r := withChangeHeaders(t, h, "GET", "/subjects", "", "x", "javascript:alert(1)"); r.status != 200 {
		t.Errorf("a read should ignore the headers: %d %s", r.status, r.body)
	}
}
