package registry

import (
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
