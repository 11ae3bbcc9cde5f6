package conformance

import (
	"context"
	"errors"
	"testing"

	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/rest"
	"github.com/twmb/franz-go/pkg/sr"
)

// TestIncompatibleSchemaErrorCode pins the code clients branch on most: an
// incompatible registration is HTTP 409 with error_code 40901, as current
// Confluent releases answer (Errors.INCOMPATIBLE_SCHEMA_ERROR_CODE). Older
// Confluent releases, and franz-go v1.8.0's sentinel table, use 409; both
// clients still see the HTTP status 409.
func TestIncompatibleSchemaErrorCode(t *testing.T) {
	srv := startRegistry(t)
	mustRegister(t, newConfluentClient(t, srv), "orders-value", avroInfo(orderV1))

	_, cerr := newConfluentClient(t, srv).Register("orders-value", avroInfo(orderNoDefault), false)
	_, ferr := newFranzClient(t, srv).CreateSchema(context.Background(), "orders-value", sr.Schema{Schema: orderNoDefault})

	var re *rest.Error
	if !errors.As(cerr, &re) || re.Code != codeIncompatibleSchema {
		t.Fatalf("confluent-kafka-go: want error_code %d, got %v", codeIncompatibleSchema, cerr)
	}
	requireFranzIncompatible(t, ferr)
}
