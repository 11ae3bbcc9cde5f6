package compat

import (
	"slices"
	"strings"
	"testing"
)

func TestGroupTagEdits(t *testing.T) {
	trim := func(p string) string { return strings.TrimPrefix(p, ".") }
	edits, err := GroupTagEdits(
		[]EntityTags{{Path: ".a.B", Type: EntityRecord, Tags: []string{"X"}}, {Path: "a.B.f", Type: EntityField, Tags: []string{"Y"}}},
		[]EntityTags{{Path: "c.D", Type: EntityRecord, Tags: []string{"Z"}}, {Path: "a.B", Type: EntityRecord, Tags: []string{"W"}}},
		trim)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range edits {
		got = append(got, e.Type+" "+e.Path+" +"+strings.Join(e.Add, ",")+" -"+strings.Join(e.Remove, ","))
	}
	want := []string{"sr_record .a.B +X -W", "sr_field a.B.f +Y -", "sr_record c.D + -Z"}
	if !slices.Equal(got, want) {
		t.Fatalf("edits = %q, want %q", got, want)
	}
	_, err = GroupTagEdits(nil, []EntityTags{{Path: "p", Type: "sr_enum"}}, trim)
	if err == nil || err.Error() != `unknown entity type "sr_enum" of path 'p': use sr_record or sr_field` {
		t.Fatalf("err = %v", err)
	}
}

func TestTagEditApply(t *testing.T) {
	e := TagEdit{Add: []string{"B", "C", "C"}, Remove: []string{"A"}}
	if got := e.Apply([]string{"A", "B", "B"}); !slices.Equal(got, []string{"B", "C"}) {
		t.Fatalf("Apply = %q", got)
	}
	if got := (&TagEdit{Remove: []string{"A"}}).Apply([]string{"A"}); len(got) != 0 {
		t.Fatalf("Apply = %q, want none", got)
	}
}
