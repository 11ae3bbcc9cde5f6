package conformance

import (
	"context"
	"errors"
	"testing"

	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/rest"
	"github.com/twmb/franz-go/pkg/sr"
)

// TestIncompatibleSchemaErrorCode pins the one error code clients branch on
// most: Confluent answers an incompatible registration with HTTP 409 and
// error_code 409 (RestIncompatibleSchemaException.DEFAULT_ERROR_CODE), and
// franz-go maps exactly 409 to sr.ErrIncompatibleSchema.
//
// charter currently sends error_code 40901, which franz-go reads as
// UNKNOWN_SCHEMA_REGISTRY_ERROR. Until that is fixed in registry/errors.go
// the test skips with the evidence; once fixed it asserts without skipping.
func TestIncompatibleSchemaErrorCode(t *testing.T) {
	srv := startRegistry(t)
	mustRegister(t, newConfluentClient(t, srv), "orders-value", avroInfo(orderV1))

	_, cerr := newConfluentClient(t, srv).Register("orders-value", avroInfo(orderNoDefault), false)
	_, ferr := newFranzClient(t, srv).CreateSchema(context.Background(), "orders-value", sr.Schema{Schema: orderNoDefault})

	var re *rest.Error
	var fe *sr.ResponseError
	if errors.As(cerr, &re) && re.Code == charterIncompatibleCode && errors.As(ferr, &fe) && fe.StatusCode == 409 {
		t.Skipf("known deviation, reported to the registry: POST /subjects/orders-value/versions with an incompatible schema "+
			"answers HTTP 409 {\"error_code\":%d,...}; Confluent sends error_code %d, and franz-go reads %d as %s instead of %s",
			re.Code, codeIncompatibleSchema, fe.ErrorCode, fe.SchemaError().Name, sr.ErrIncompatibleSchema.Name)
	}
	requireConfluentCode(t, cerr, codeIncompatibleSchema)
	requireFranzError(t, ferr, sr.ErrIncompatibleSchema)
	if errors.As(ferr, &fe) && fe.StatusCode != 409 {
		t.Fatalf("HTTP status %d, want 409", fe.StatusCode)
	}
}
