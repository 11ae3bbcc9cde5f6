package check

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/charter-registry/charter"
	"github.com/charter-registry/charter/cli/annotation"
	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/confluent"
	"github.com/charter-registry/charter/internal/testdata"
)

// TestCheckerRefusesWhatTheRegistryRefusesAsNew holds charter check to the
// registry's verdict on Avro field defaults (validateNewSchemas): every
// schema the server's test refuses (api/avro_defaults_test.go, the same
// cases) fails the check with an INVALID_SCHEMA annotation on the file,
// the default's line and the field, whatever the file is compared with;
// every schema it takes passes.
func TestCheckerRefusesWhatTheRegistryRefusesAsNew(t *testing.T) {
	cfg := "schemas:\n  - {path: x.avsc, subject: x-value}\n"
	other := testdata.AvroRecord(`"string"`, `"x"`)
	baselines := map[string]Baseline{
		"parse only":         nil,
		"a new subject":      fixed{level: compat.Backward},
		"an earlier version": fixed{level: compat.None, old: map[string]string{"x-value": other}},
	}
	for _, tc := range testdata.InvalidAvroDefaults() {
		// Indented, so that the default is on a line of its own.
		var b bytes.Buffer
		if err := json.Indent(&b, []byte(tc.Schema), "", "  "); err != nil {
			t.Fatal(err)
		}
		text := b.String()
		line := 1 + strings.Count(text[:strings.Index(text, `"default"`)], "\n")
		p := load(t, map[string]string{"x.avsc": text}, cfg)
		for name, baseline := range baselines {
			set, err := (&Checker{Formats: charter.Formats(), Baseline: baseline}).Check(context.Background(), p, p.Files)
			if err != nil {
				t.Fatal(err)
			}
			if set.Failures() != 1 || len(set.Annotations) != 1 {
				t.Errorf("%s, against %s: %+v, want one failure", tc.Name, name, set.Annotations)
				continue
			}
			a := set.Annotations[0]
			if a.File != "x.avsc" || a.Line != line || a.Column == 0 || a.Rule != RuleInvalidSchema || a.Subject != "x-value" ||
				!strings.Contains(a.Message, tc.Message) || !strings.Contains(a.Message, `field "a"`) {
				t.Errorf("%s, against %s: %+v, want %s on x.avsc line %d with %q", tc.Name, name, a, RuleInvalidSchema, line, tc.Message)
			}
		}
	}
	for _, tc := range testdata.ValidAvroDefaults() {
		p := load(t, map[string]string{"x.avsc": tc.Schema}, cfg)
		for name, baseline := range baselines {
			set, err := (&Checker{Formats: charter.Formats(), Baseline: baseline}).Check(context.Background(), p, p.Files)
			if err != nil || set.Failures() != 0 {
				t.Errorf("%s, against %s: %+v %v, want it to pass", tc.Name, name, set.Annotations, err)
			}
		}
	}
}

// TestCheckerTakesAnInvalidDefaultWhereTheRegistryDoes: the registry
// takes a schema whose default it would refuse when the subject's config
// turns validateNewSchemas off, and answers one the subject already holds
// (registered before defaults were validated); so does charter check.
func TestCheckerTakesAnInvalidDefaultWhereTheRegistryDoes(t *testing.T) {
	cfg := "schemas:\n  - {path: x.avsc, subject: x-value}\n"
	bad := testdata.InvalidAvroDefaults()[0].Schema
	p := load(t, map[string]string{"x.avsc": bad}, cfg)
	run := func(b Baseline) annotation.Set {
		t.Helper()
		set, err := (&Checker{Formats: charter.Formats(), Baseline: b}).Check(context.Background(), p, p.Files)
		if err != nil {
			t.Fatal(err)
		}
		return set
	}
	if set := run(fixed{level: compat.Backward, old: map[string]string{"x-value": bad}}); set.Failures() != 0 {
		t.Errorf("held by the subject: %+v, want it to pass", set.Annotations)
	}

	versions := map[string][]confluent.Schema{"x-value": {{Version: 1, ID: 1, Schema: testdata.AvroRecord(`"string"`, `"x"`)}}}
	c, _ := fakeRegistryConfig(t, map[string]any{"compatibilityLevel": "NONE", "validateNewSchemas": false}, versions)
	if set := run(NewRegistry(c)); set.Failures() != 0 {
		t.Errorf("validateNewSchemas false: %+v, want it to pass", set.Annotations)
	}
	// Held as an older version, or as any at NONE: the level fetches only
	// the latest version (or none), and the registry still answers 200.
	held := map[string][]confluent.Schema{"x-value": {{Version: 1, ID: 1, Schema: bad}, {Version: 2, ID: 2, Schema: testdata.AvroRecord(`"int"`, `1`)}}}
	for _, level := range []string{"NONE", "BACKWARD"} {
		c, seen := fakeRegistryConfig(t, map[string]any{"compatibilityLevel": level}, held)
		if set := run(NewRegistry(c)); set.Failures() != 0 {
			t.Errorf("held as v1 of 2 at %s: %+v (requests %v), want it to pass", level, set.Annotations, *seen)
		}
	}
	for _, config := range []map[string]any{{"compatibilityLevel": "NONE", "validateNewSchemas": true}, {"compatibilityLevel": "NONE"}} {
		c, _ := fakeRegistryConfig(t, config, versions)
		if set := run(NewRegistry(c)); set.Failures() != 1 || set.Annotations[0].Rule != RuleInvalidSchema {
			t.Errorf("config %v: %+v, want %s", config, set.Annotations, RuleInvalidSchema)
		}
	}
}
