package avro

import (
	"testing"

	"github.com/charter-registry/charter/compat"
)

// TestRenderResolved pins Confluent's format=resolved for Avro: the types
// that references bring in are written out in full at their first use and
// by name after that, with namespaces as Avro's Java Schema.toString()
// writes them, so the text parses on its own.
func TestRenderResolved(t *testing.T) {
	country := `{"type":"enum","name":"Country","namespace":"acme.geo","symbols":["FR","US"]}`
	address := `{"type":"record","name":"Address","namespace":"acme.common","fields":[{"name":"street","type":"string"},{"name":"country","type":"acme.geo.Country"}]}`
	currency := `{"type":"enum","name":"Currency","namespace":"acme","symbols":["EUR","USD"]}`
	order := `{"type":"record","name":"Order","namespace":"acme","fields":[
		{"name":"billing","type":"acme.common.Address"},
		{"name":"shipping","type":["null","acme.common.Address"]},
		{"name":"origin","type":"acme.geo.Country"},
		{"name":"cur","type":"Currency"},
		{"name":"lines","type":{"type":"array","items":{"type":"record","name":"Line","fields":[{"name":"sku","type":"string"}]}}},
		{"name":"again","type":"Line"}]}`
	deps := []compat.Dependency{
		{Name: "acme.geo.Country", Schema: country},
		{Name: "acme.common.Address", Schema: address},
		{Name: "acme.Currency", Schema: currency},
	}
	s, err := New().Parse(order, deps)
	if err != nil {
		t.Fatal(err)
	}
	got, ok, err := compat.Render(s, "Resolved")
	if err != nil || !ok {
		t.Fatalf("Render(resolved) = %v, %v", ok, err)
	}
	want := `{"type":"record","name":"Order","namespace":"acme","fields":[` +
		`{"name":"billing","type":{"type":"record","name":"Address","namespace":"acme.common","fields":[{"name":"street","type":"string"},{"name":"country","type":{"type":"enum","name":"Country","namespace":"acme.geo","symbols":["FR","US"]}}]}},` +
		`{"name":"shipping","type":["null","acme.common.Address"]},` +
		`{"name":"origin","type":"acme.geo.Country"},` +
		`{"name":"cur","type":{"type":"enum","name":"Currency","symbols":["EUR","USD"]}},` +
		`{"name":"lines","type":{"type":"array","items":{"type":"record","name":"Line","fields":[{"name":"sku","type":"string"}]}}},` +
		`{"name":"again","type":"Line"}]}`
	if got != want {
		t.Errorf("resolved:\n got %s\nwant %s", got, want)
	}
	alone, err := New().Parse(got, nil)
	if err != nil {
		t.Fatalf("the resolved text does not parse without its references: %v", err)
	}
	if alone.Canonical() != got {
		t.Errorf("the resolved text is not canonical:\n got %s\nwant %s", alone.Canonical(), got)
	}
	if s.Canonical() == got {
		t.Error("the canonical form inlines references; it must name them")
	}

	plain, err := New().Parse(currency, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok, _ := compat.Render(plain, "resolved"); !ok || got != plain.Canonical() {
		t.Errorf("a schema without references resolves to %q, want its canonical form", got)
	}
	if _, ok, _ := compat.Render(plain, "serialized"); ok {
		t.Error("Avro claims the Protobuf-only rendering serialized")
	}
}
