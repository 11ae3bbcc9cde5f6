package governance

import (
	"strings"
	"testing"

	"github.com/charter-registry/charter/registry"
)

func TestLinksFollowOneGrammar(t *testing.T) {
	for _, c := range []struct {
		url        string
		link, http bool
	}{
		{"https://wiki.example.com/orders", true, true},
		{"HTTP://example.com:8080/a/b?c=d&e#top", true, true},
		{"http://10.0.0.1/runbook%20v2", true, true},
		{"mailto:payments@example.com", true, false},
		{"MAILTO:payments@example.com?subject=hi", true, false},
		{"", false, false},
		{"example.com/orders", false, false},
		{"ftp://example.com/file", false, false},
		{"https:///no-host", false, false},
		{"https://user:secret@example.com/", false, false},
		{"https://example.com/a b", false, false},
		{"https://example.com/caf\u00e9", false, false},
		{"https://example.com/%zz", false, false},
		{"https://example.com/{id}", false, false},
		{"https://example.com/#a#b", false, false},
		{"https://[::1]/", false, false},
		{"https://example.com:port/", false, false},
		{"mailto:", false, false},
		{"javascript:alert(1)", false, false},
		{"https://example.com/" + strings.Repeat("x", 2048), false, false},
	} {
		if err := validateURL("doc url", c.url); (err == nil) != c.link {
			t.Errorf("validateURL(%q) = %v, want accepted %v", c.url, err, c.link)
		}
		if c.url == "" {
			continue
		}
		if err := (registry.Provenance{Link: c.url}).Validate(); (err == nil) != c.http {
			t.Errorf("change link %q: %v, want accepted %v", c.url, err, c.http)
		}
	}
}

// TestTextLimitsCountCharacters: free-text limits count characters, as
// openapi.yaml's maxLength does.
func TestTextLimitsCountCharacters(t *testing.T) {
	if err := validateText("description", strings.Repeat("é", 4096), 4096); err != nil {
		t.Errorf("4096 two-byte characters: %v", err)
	}
	if err := validateText("description", strings.Repeat("é", 4097), 4096); err == nil || err.Error() != "Invalid description: 4097 characters; the limit is 4096" {
		t.Errorf("4097 characters: %v", err)
	}
	if err := (registry.Provenance{Reason: strings.Repeat("é", registry.MaxReasonLength)}).Validate(); err != nil {
		t.Errorf("a reason of %d two-byte characters: %v", registry.MaxReasonLength, err)
	}
	if _, err := cleanList("tags", []string{" " + strings.Repeat("t", 128)}); err == nil {
		t.Error("a tag of 129 characters before trimming was accepted")
	}
}
