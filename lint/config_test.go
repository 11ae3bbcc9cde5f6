package lint

import (
	"slices"
	"strings"
	"testing"
)

func ids(rs []Rule) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

func TestConfigSelectsByIDAndCategory(t *testing.T) {
	all := ids(Rules())
	if got := ids(Config{}.Rules()); !slices.Equal(got, all) {
		t.Errorf("empty use: %v", got)
	}
	got := ids(Config{Use: []string{"KEYS", "FIELD_DOC_MISSING"}}.Rules())
	if !slices.Equal(got, []string{"FIELD_DOC_MISSING", "KEY_NOT_ID", "KEY_NULLABLE", "STATE_EVENT_ID_MISSING"}) {
		t.Errorf("use KEYS + one rule: %v", got)
	}
	for _, r := range (Config{Except: []string{"HEURISTIC"}}).Rules() {
		if r.Heuristic {
			t.Errorf("except HEURISTIC kept %s", r.ID)
		}
	}
	got = ids(Config{Use: []string{"DOCS"}, Except: []string{"FIELD_DOC_MISSING"}}.Rules())
	if !slices.Equal(got, []string{"RECORD_DOC_MISSING"}) {
		t.Errorf("use DOCS except one: %v", got)
	}
}

func TestConfigIgnoresFilesAndSubjects(t *testing.T) {
	c := Config{
		Use:        []string{"DOCS"},
		Ignore:     []string{"legacy", "vendor/*.avsc", "audit-value"},
		IgnoreOnly: map[string][]string{"FIELD_DOC_MISSING": {"schemas/generated.proto", "metrics-*"}},
	}
	for _, names := range [][]string{{"legacy/old.avsc", "x-value"}, {"vendor/a.avsc"}, {"schemas/a.avsc", "audit-value"}} {
		if rs := c.For(names...); len(rs) != 0 {
			t.Errorf("%v: %v", names, ids(rs))
		}
	}
	for _, names := range [][]string{{"schemas/generated.proto", "orders-value"}, {"a.avsc", "metrics-value"}} {
		if got := ids(c.For(names...)); !slices.Equal(got, []string{"RECORD_DOC_MISSING"}) {
			t.Errorf("%v: %v", names, got)
		}
	}
	if got := ids(c.For("schemas/orders.avsc", "orders-value")); len(got) != 2 {
		t.Errorf("not ignored: %v", got)
	}
}

func TestConfigValidate(t *testing.T) {
	err := Config{Use: []string{"NO_SUCH_RULE"}, Except: []string{"DOCS"}, IgnoreOnly: map[string][]string{"NOPE": {"a"}}}.Validate()
	if err == nil || !strings.Contains(err.Error(), `"NO_SUCH_RULE"`) || !strings.Contains(err.Error(), `"NOPE"`) {
		t.Errorf("error %v", err)
	}
	if err := (Config{Use: []string{"DEFAULT"}, Ignore: []string{"a/**"}}).Validate(); err != nil {
		t.Error(err)
	}
}
