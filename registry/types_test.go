package registry_test

import (
	"slices"
	"testing"

	"github.com/charter-registry/charter"
	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/storage/memory"
)

// otherFormat is a format beside Confluent's three, by name only.
type otherFormat struct {
	compat.Format
	typ compat.Type
}

func (f otherFormat) Type() compat.Type { return f.typ }

// TestTypesListsEveryFormat: Confluent's types come in the order its GET
// /schemas/types lists them, and a format beside them is listed after,
// by name, so that a new format needs no change here.
func TestTypesListsEveryFormat(t *testing.T) {
	t.Parallel()
	formats := append(charter.Formats(), otherFormat{typ: "XSD"}, otherFormat{typ: "THRIFT"})
	svc, err := registry.NewService(registry.ServiceConfig{Log: memory.New(memory.WithKeyFunc(registry.LogicalKey)), Formats: formats})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := svc.Types(), []string{"JSON", "PROTOBUF", "AVRO", "THRIFT", "XSD"}; !slices.Equal(got, want) {
		t.Errorf("Types() = %q, want %q", got, want)
	}
}
