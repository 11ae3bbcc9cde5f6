package serde_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/contracts/client"
	"github.com/charter-registry/charter/contracts/serde"
)

const paymentJSON = `{"title":"acme.Payment","type":"object","properties":{
 "id":{"type":"string"},
 "amount":{"type":"number","exclusiveMinimum":0},
 "lines":{"type":"array","items":{"type":"object","properties":{"qty":{"type":"integer"}},"required":["qty"]}}
},"required":["id","amount"]}`

type jsonPayment struct {
	ID     string  `json:"id"`
	Amount float64 `json:"amount"`
}

func TestJSONSchemaRoundTripAndValidation(t *testing.T) {
	ctx := context.Background()
	cl := startRegistry(t)
	reg := register(t, cl, "payments-value", client.Schema{SchemaType: compat.JSON, Schema: paymentJSON})
	ser, err := serde.NewSerializer(cl, compat.JSON)
	if err != nil {
		t.Fatal(err)
	}
	de, err := serde.NewDeserializer(cl, compat.JSON)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ser.Serialize(ctx, "payments", jsonPayment{ID: "p-1", Amount: 2.5})
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := serde.SchemaID(b); id != reg.ID || string(b[serde.HeaderSize:]) != `{"id":"p-1","amount":2.5}` {
		t.Fatalf("payload %q", b)
	}
	var back jsonPayment
	if err := de.DeserializeInto(ctx, "payments", b, &back); err != nil || back != (jsonPayment{"p-1", 2.5}) {
		t.Fatalf("into = %+v, %v", back, err)
	}
	generic, err := de.Deserialize(ctx, "payments", b)
	if err != nil || generic.(map[string]any)["amount"] != 2.5 {
		t.Fatalf("generic = %v, %v", generic, err)
	}

	cases := []struct {
		name string
		v    any
		want string
	}{
		{"wrong type", map[string]any{"id": "p", "amount": "12"}, "$.amount: expected number, got string"},
		{"missing", map[string]any{"id": "p"}, "$: missing required properties amount"},
		{"nested", json.RawMessage(`{"id":"p","amount":1,"lines":[{"qty":1},{"qty":"two"}]}`), "$.lines[1].qty: expected integer, got string"},
		{"bound", map[string]any{"id": "p", "amount": 0}, "$.amount: "},
		{"not json", []byte(`{"id":`), "$: "},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ser.Serialize(ctx, "payments", tc.v)
			var ve *serde.ValidationError
			if serde.KindOf(err) != serde.KindValidation || !errors.As(err, &ve) || !strings.Contains(ve.Error(), tc.want) {
				t.Fatalf("err = %v, want a validation error with %q", err, tc.want)
			}
		})
	}

	// A reader validates too: a payload written without a serializer is
	// refused as undecodable.
	bad := append(serde.AppendHeader(nil, reg.ID), `{"id":"p","amount":"x"}`...)
	if _, err := de.Deserialize(ctx, "payments", bad); serde.KindOf(err) != serde.KindDecode || !strings.Contains(err.Error(), "$.amount: expected number, got string") {
		t.Fatalf("err = %v", err)
	}
	lax, _ := serde.NewDeserializer(cl, compat.JSON, serde.SkipValidation())
	if _, err := lax.Deserialize(ctx, "payments", bad); err != nil {
		t.Fatalf("SkipValidation: %v", err)
	}
}
