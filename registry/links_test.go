package registry

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/charter-registry/charter"
)

// TestLinkGrammarIsTheSpecs: openapi.yaml's LinkURL states the very
// expressions the registry checks links with, so the two cannot drift.
func TestLinkGrammarIsTheSpecs(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				AnyOf []struct {
					Pattern string `yaml:"pattern"`
				} `yaml:"anyOf"`
			} `yaml:"schemas"`
		} `yaml:"components"`
	}
	if err := yaml.Unmarshal(charter.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	link := doc.Components.Schemas["LinkURL"]
	if len(link.AnyOf) != 2 || link.AnyOf[0].Pattern != httpLinkExpr || link.AnyOf[1].Pattern != mailtoLinkExp {
		t.Fatalf("openapi.yaml LinkURL = %+v, want the patterns %q and %q", link.AnyOf, httpLinkExpr, mailtoLinkExp)
	}
}

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
		if err := (Provenance{Link: c.url}).Validate(); (err == nil) != c.http {
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
	if err := (Provenance{Reason: strings.Repeat("é", MaxReasonLength)}).Validate(); err != nil {
		t.Errorf("a reason of %d two-byte characters: %v", MaxReasonLength, err)
	}
	if _, err := cleanList("tags", []string{" " + strings.Repeat("t", 128)}); err == nil {
		t.Error("a tag of 129 characters before trimming was accepted")
	}
}

// TestChangeLinkGrammarIsTheSpecs: the X-Charter-Change-Link header's
// pattern in openapi.yaml is the registry's http link expression.
func TestChangeLinkGrammarIsTheSpecs(t *testing.T) {
	var doc struct {
		Components struct {
			Parameters map[string]struct {
				Schema struct {
					AnyOf []struct {
						Pattern string `yaml:"pattern"`
					} `yaml:"anyOf"`
				} `yaml:"schema"`
			} `yaml:"parameters"`
		} `yaml:"components"`
	}
	if err := yaml.Unmarshal(charter.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	link := doc.Components.Parameters["changeLink"].Schema
	if len(link.AnyOf) != 2 || link.AnyOf[1].Pattern != httpLinkExpr {
		t.Fatalf("openapi.yaml changeLink = %+v, want the pattern %q", link.AnyOf, httpLinkExpr)
	}
}
