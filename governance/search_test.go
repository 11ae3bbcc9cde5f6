package governance_test

import (
	"context"
	"slices"
	"testing"

	"github.com/charter-registry/charter/governance"
	"github.com/charter-registry/charter/registry"
)

// TestSearchAllIsSearchWithoutLimit: Search is the first hits of
// SearchAll, which the catalogue's search page lists in full.
func TestSearchAllIsSearchWithoutLimit(t *testing.T) {
	svc := runService(t, memLog(), registry.AccessConfig{})
	seedCatalog(t, svc)
	for i := range 5 {
		_, err := svc.Register(context.Background(), "orders-"+string(rune('a'+i))+"-value", registry.RegisterRequest{Schema: orderV2})
		wantCode(t, "register", err, 0)
	}
	all := slices.Collect(gov(svc).SearchAll(governance.Everyone(), "order"))
	if len(all) != 6 { // the topic and the five subjects
		t.Fatalf("SearchAll order: %d hits, want 6: %+v", len(all), all)
	}
	for _, limit := range []int{1, 3, len(all)} {
		if got := gov(svc).Search(governance.Everyone(), "order", limit); !slices.Equal(got, all[:limit]) {
			t.Errorf("Search limit %d: %+v, want %+v", limit, got, all[:limit])
		}
	}
	// A consumer that stops early stops the search.
	n := 0
	for range gov(svc).SearchAll(governance.Everyone(), "order") {
		n++
		if n == 2 {
			break
		}
	}
	if len(slices.Collect(gov(svc).SearchAll(governance.Everyone(), " "))) != 0 {
		t.Error("blank query matched")
	}
}

// TestSearchFindsFieldsInEveryContext: fields are found on the first
// search and on the next (which reads them from the field cache), in every
// context, subjects in the registry's listing order (sorted as strings,
// as Confluent sorts them, so a qualified name comes first).
func TestSearchFindsFieldsInEveryContext(t *testing.T) {
	svc := runService(t, memLog(), registry.AccessConfig{})
	ctx := context.Background()
	for i := range 3 {
		schema := `{"type":"record","name":"R","fields":[{"name":"f` + string(rune('a'+i)) + `_amount","type":"string"}]}`
		_, err := svc.Register(ctx, "s"+string(rune('a'+i)), registry.RegisterRequest{Schema: schema})
		wantCode(t, "register", err, 0)
	}
	_, err := svc.Register(ctx, ":.staging:parcels-value", registry.RegisterRequest{Schema: `{"type":"record","name":"P","fields":[{"name":"parcel_amount","type":"string"}]}`})
	wantCode(t, "register in a context", err, 0)
	for range 2 { // the second pass reads the field cache
		var got []string
		for _, h := range gov(svc).Search(governance.Everyone(), "amount", 0) {
			got = append(got, h.Name+"@"+h.Subject)
		}
		want := []string{"parcel_amount@:.staging:parcels-value", "fa_amount@sa", "fb_amount@sb", "fc_amount@sc"}
		if !slices.Equal(got, want) {
			t.Errorf("search amount: %v, want %v", got, want)
		}
	}
}

func TestContainsLower(t *testing.T) {
	for _, c := range []struct {
		s, q string
		want bool
	}{
		{"Topic number 42.", "number 4", true},
		{"Topic number 42.", "topic", true},
		{"TOPIC", "topic", true},
		{"Topi", "topic", false},
		{"", "a", false},
		{"abc", "", true},
		{"Ünïcode Straße", "straße", true},
		{"Ünïcode", "ünï", true},
		{"ab", "abc", false},
	} {
		if got := governance.ContainsLower(c.s, c.q); got != c.want {
			t.Errorf("containsLower(%q, %q) = %v, want %v", c.s, c.q, got, c.want)
		}
	}
}
