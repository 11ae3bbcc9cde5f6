package registry_test

import (
	"testing"

	"github.com/charter-registry/charter/registry"
)

// TestContextKeysKeepTheirContext pins the CONTEXT key in Confluent's
// layout: decoded from Confluent's bytes, it names its context, encodes
// back to the same bytes, and two contexts are two logical keys, so
// compaction keeps one record per context.
func TestContextKeysKeepTheirContext(t *testing.T) {
	raw := `{"keytype":"CONTEXT","tenant":"default","context":".staging","magic":0}`
	k, err := registry.DecodeKey([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if k.Type != registry.KeyContext || k.Subject != ".staging" || k.Global {
		t.Fatalf("decoded %+v", k)
	}
	if got := string(k.Encode()); got != raw {
		t.Fatalf("encoded %s, want %s", got, raw)
	}
	other, err := registry.DecodeKey([]byte(`{"magic":0,"context":".prod","keytype":"CONTEXT","tenant":"default"}`))
	if err != nil {
		t.Fatal(err)
	}
	if k.Logical() == other.Logical() {
		t.Fatalf("two contexts share the logical key %q", k.Logical())
	}
}
