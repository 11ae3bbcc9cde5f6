package registry_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/internal/registrytest"
	"github.com/charter-registry/charter/registry"
)

// spoil edits everything a returned Schema holds by reference.
func spoil(sc *registry.Schema) {
	if len(sc.References) > 0 {
		sc.References[0].Name = "spoiled"
		sc.References = append(sc.References, registry.Reference{Name: "more"})
	}
	if md := sc.Metadata; md != nil {
		md.Properties["owner"] = "spoiled"
		md.Tags["Main.x"][0] = "spoiled"
		md.Sensitive[0] = "spoiled"
	}
	if rs := sc.RuleSet; rs != nil {
		rs.DomainRules[0].Expr = "false"
		rs.DomainRules[0].Params["k"] = "spoiled"
		rs.DomainRules[0].Tags[0] = "spoiled"
		rs.DomainRules = append(rs.DomainRules, registry.Rule{Name: "more"})
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestReadsReturnCopies: what a read returns shares nothing with the
// state: a caller that edits the references, metadata, rule set or config
// it was given, and appends to them, reads the same again.
func TestReadsReturnCopies(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc := registrytest.Run(t)
	if _, err := svc.Register(ctx, "dep", registry.RegisterRequest{Schema: `{"type":"record","name":"Dep","fields":[{"name":"y","type":"int"}]}`}); err != nil {
		t.Fatal(err)
	}
	req := registry.RegisterRequest{
		Schema:     `{"type":"record","name":"Main","fields":[{"name":"x","type":"Dep"}]}`,
		References: []registry.Reference{{Name: "Dep", Subject: "dep", Version: 1}},
		Metadata: &registry.Metadata{Tags: map[string][]string{"Main.x": {"PII"}},
			Properties: map[string]string{"owner": "payments"}, Sensitive: []string{"x"}},
		RuleSet: &registry.RuleSet{DomainRules: []registry.Rule{{Name: "check", Kind: "CONDITION", Mode: "WRITE", Type: "CEL",
			Expr: "true", Tags: []string{"PII"}, Params: map[string]string{"k": "v"}}}},
	}
	sc, err := svc.Register(ctx, "main", req)
	if err != nil {
		t.Fatal(err)
	}
	reads := map[string]func() (registry.Schema, error){
		"Version":      func() (registry.Schema, error) { return svc.Version("main", 1, false) },
		"latest":       func() (registry.Schema, error) { return svc.Version("main", registry.Latest, false) },
		"SchemaByID":   func() (registry.Schema, error) { return svc.SchemaByID(sc.ID) },
		"SchemaByIDIn": func() (registry.Schema, error) { return svc.SchemaByIDIn(".", sc.ID) },
		"SchemaByGUID": func() (registry.Schema, error) { return svc.SchemaByGUID(sc.GUID) },
		"LatestWithMetadata": func() (registry.Schema, error) {
			return svc.LatestWithMetadata("main", map[string]string{"owner": "payments"}, false)
		},
		"Lookup": func() (registry.Schema, error) { return svc.Lookup("main", req, false) },
		"Schemas": func() (registry.Schema, error) {
			return svc.Schemas(registry.SchemaFilter{SubjectPrefix: "main"})[0], nil
		},
		"Register again": func() (registry.Schema, error) { return svc.Register(ctx, "main", req) },
	}
	before := map[string]string{}
	for name, read := range reads {
		sc, err := read()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		before[name] = jsonOf(t, sc)
	}
	for name, read := range reads {
		first, _ := read()
		spoil(&first)
		for again, read := range reads {
			got, err := read()
			if err != nil {
				t.Fatalf("%s after editing what %s returned: %v", again, name, err)
			}
			if g := jsonOf(t, got); g != before[again] {
				t.Errorf("%s after editing what %s returned:\n got %s\nwant %s", again, name, g, before[again])
			}
		}
	}

	none := compat.None
	set, err := svc.SetConfig(ctx, "main", registry.Config{Compatibility: &none,
		DefaultMetadata: &registry.Metadata{Properties: map[string]string{"a": "b"}}, Lint: &registry.LintPolicy{Mode: registry.LintWarn, Use: []string{"TOPIC_NAME_VERSIONED"}}})
	if err != nil {
		t.Fatal(err)
	}
	configs := map[string]func() (registry.Config, error){
		"SetConfig": func() (registry.Config, error) { return set, nil },
		"GetConfig": func() (registry.Config, error) { return svc.GetConfig("main", false) },
		"effective": func() (registry.Config, error) { return svc.GetConfig("main", true) },
	}
	cbefore := map[string]string{}
	for name, read := range configs {
		c, err := read()
		if err != nil {
			t.Fatal(err)
		}
		cbefore[name] = jsonOf(t, c)
	}
	for name, read := range configs {
		c, _ := read()
		*c.Compatibility = compat.Full
		c.DefaultMetadata.Properties["a"] = "spoiled"
		c.Lint.Mode = registry.LintEnforce
		for again, read := range configs {
			if again == "SetConfig" {
				continue
			}
			got, err := read()
			if err != nil {
				t.Fatal(err)
			}
			if g := jsonOf(t, got); g != cbefore[again] {
				t.Errorf("%s after editing what %s returned:\n got %s\nwant %s", again, name, g, cbefore[again])
			}
		}
	}
	p := svc.LintPolicy("main")
	p.Use[0] = "spoiled"
	if got := svc.LintPolicy("main"); len(got.Use) != 1 || got.Use[0] != "TOPIC_NAME_VERSIONED" || got.Mode != registry.LintWarn {
		t.Errorf("LintPolicy after editing what it returned: %+v", got)
	}
}
