package serde_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	shared "github.com/charter-registry/charter/internal/testdata"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/contracts/client"
	"github.com/charter-registry/charter/contracts/rules"
	"github.com/charter-registry/charter/contracts/serde"
)

// sharedTestdata returns ../shared/testdata/confluent/<rel> beside the
// repository, skipping the test when it is absent.
func sharedTestdata(t *testing.T, rel string) string {
	return shared.Shared(t, "testdata/confluent/"+rel)
}

func customerRecord() map[string]any {
	return map[string]any{"ssn": "123456789", "address": "#12 Main Street, CA 94105", "mail": "bob@example.com",
		"user_id": "uid_42", "age": 30, "IBAN": "GB82WEST12345698765432", "active": true, "balance": float32(10.5), "mode": "ok"}
}

// TestTestCELThroughTheRegistry registers Confluent's test_cel.json body
// in charter and serializes through it: the WRITE transform rewrites
// user_id, checkActive and checkModeWrite name their DLQ topics, a record
// with mode fail_read is written but refused on read with DLQ3, and reads
// that skip checkModeRead (as a dead letter's __rule.name asks) succeed.
func TestTestCELThroughTheRegistry(t *testing.T) {
	ctx := context.Background()
	raw, err := os.ReadFile(sharedTestdata(t, "rules/test_cel.json"))
	if err != nil {
		t.Fatal(err)
	}
	var body client.Schema
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatal(err)
	}
	cl := startRegistry(t)
	register(t, cl, "customers-value", body)
	eng, err := rules.New(rules.Disable("checkIBAN"))
	if err != nil {
		t.Fatal(err)
	}
	ser, err := serde.NewSerializer(cl, compat.Avro, serde.RuleEngine(eng))
	if err != nil {
		t.Fatal(err)
	}
	de, err := serde.NewDeserializer(cl, compat.Avro, serde.RuleEngine(eng))
	if err != nil {
		t.Fatal(err)
	}

	b, err := ser.Serialize(ctx, "customers", customerRecord())
	if err != nil {
		t.Fatal(err)
	}
	out, err := de.Deserialize(ctx, "customers", b)
	if err != nil {
		t.Fatal(err)
	}
	if out.(map[string]any)["user_id"] != "Confluent" {
		t.Fatalf("user_id = %v, want the WRITE transform's Confluent", out.(map[string]any)["user_id"])
	}

	for field, want := range map[string]struct {
		value any
		rule  string
		topic string
	}{
		"active": {false, "checkActive", "DLQ1"},
		"mode":   {"fail_write", "checkModeWrite", "DLQ2"},
		"age":    {12, "checkAge", ""},
	} {
		rec := customerRecord()
		rec[field] = want.value
		_, err := ser.Serialize(ctx, "customers", rec)
		var re *rules.Error
		var se *serde.Error
		if !errors.As(err, &re) || !errors.As(err, &se) || se.Kind != serde.KindRule || re.Rule.Name != want.rule || re.DLQTopic != want.topic {
			t.Fatalf("%s=%v: err = %v, want rule %s with topic %q", field, want.value, err, want.rule, want.topic)
		}
		if want.topic != "" && len(se.Payload) == 0 {
			t.Fatalf("%s: a DLQ failure carries no payload to dead-letter", want.rule)
		}
	}

	rec := customerRecord()
	rec["mode"] = "fail_read"
	b, err = ser.Serialize(ctx, "customers", rec)
	if err != nil {
		t.Fatalf("fail_read must pass on write: %v", err)
	}
	_, err = de.Deserialize(ctx, "customers", b)
	var re *rules.Error
	if serde.KindOf(err) != serde.KindRule || !errors.As(err, &re) || re.Rule.Name != "checkModeRead" || re.Mode != rules.Read || re.DLQTopic != "DLQ3" {
		t.Fatalf("read of fail_read: err = %v", err)
	}
	if _, err := de.Deserialize(ctx, "customers", b, "checkModeRead"); err != nil {
		t.Fatalf("read skipping checkModeRead: %v", err)
	}
}

type account struct {
	Owner   string  `avro:"owner"`
	Balance float64 `avro:"balance"`
}

// TestRulesSeeAvroFieldNamesOfStructs: Go structs are shown to CEL with
// the schema's field names, not the Go ones, and a READ transform reaches
// a struct decoded with DeserializeInto.
func TestRulesSeeAvroFieldNamesOfStructs(t *testing.T) {
	ctx := context.Background()
	cl := startRegistry(t)
	register(t, cl, "accounts-value", client.Schema{
		Schema: `{"type":"record","name":"Account","fields":[{"name":"owner","type":"string"},{"name":"balance","type":"double"}]}`,
		RuleSet: &client.RuleSet{DomainRules: []client.Rule{
			{Name: "solvent", Kind: "CONDITION", Mode: "WRITE", Type: "CEL", Expr: "message.balance >= 0.0 && message.owner != ''"},
			{Name: "mask", Kind: "TRANSFORM", Mode: "READ", Type: "CEL_FIELD", Expr: "name == 'owner' ; 'redacted'"},
		}},
	})
	ser, _ := serde.NewSerializer(cl, compat.Avro)
	de, _ := serde.NewDeserializer(cl, compat.Avro)
	b, err := ser.Serialize(ctx, "accounts", account{Owner: "ann", Balance: 3})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ser.Serialize(ctx, "accounts", account{Owner: "ann", Balance: -3}); serde.KindOf(err) != serde.KindRule {
		t.Fatalf("negative balance: err = %v", err)
	}
	var got account
	if err := de.DeserializeInto(ctx, "accounts", b, &got); err != nil || got != (account{"redacted", 3}) {
		t.Fatalf("into = %+v, %v", got, err)
	}
	noRules, _ := serde.NewDeserializer(cl, compat.Avro, serde.NoRules())
	if err := noRules.DeserializeInto(ctx, "accounts", b, &got); err != nil || got.Owner != "ann" {
		t.Fatalf("NoRules: %+v, %v", got, err)
	}
}

func TestDeserializerErrorKinds(t *testing.T) {
	ctx := context.Background()
	cl := startRegistry(t)
	reg := register(t, cl, "payments-value", client.Schema{Schema: paymentAvro})
	de, err := serde.NewDeserializer(cl, compat.Avro, serde.MaxByteSliceSize(16))
	if err != nil {
		t.Fatal(err)
	}
	ser, _ := serde.NewSerializer(cl, compat.Avro)
	long, err := ser.Serialize(ctx, "payments", map[string]any{"id": strings.Repeat("x", 17), "amount": 1.0, "tags": []any{}})
	if err != nil {
		t.Fatal(err)
	}
	short, _ := ser.Serialize(ctx, "payments", map[string]any{"id": strings.Repeat("x", 16), "amount": 1.0, "tags": []any{}})
	cases := []struct {
		name string
		data []byte
		want serde.Kind
	}{
		{"short", []byte{0, 0, 1}, serde.KindBadMagic},
		{"magic", []byte{1, 0, 0, 0, 1, 2}, serde.KindBadMagic},
		{"unknown id", serde.AppendHeader(nil, 4242), serde.KindUnknownID},
		{"truncated", serde.AppendHeader(nil, reg.ID), serde.KindDecode},
		{"over the byte limit", long, serde.KindDecode},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := de.Deserialize(ctx, "payments", tc.data)
			if serde.KindOf(err) != tc.want {
				t.Fatalf("err = %v, want kind %s", err, tc.want)
			}
		})
	}
	if _, err := de.Deserialize(ctx, "payments", short); err != nil {
		t.Fatalf("a string at the limit: %v", err)
	}
	if v, err := de.Deserialize(ctx, "payments", nil); v != nil || err != nil {
		t.Fatalf("tombstone = %v, %v", v, err)
	}
	// A registry that cannot be reached is not the record's fault.
	down, _ := client.New(client.URLs("http://127.0.0.1:1"), client.Retries(0))
	de2, _ := serde.NewDeserializer(down, compat.Avro)
	if _, err := de2.Deserialize(ctx, "payments", long); serde.KindOf(err) != serde.KindRegistry {
		t.Fatalf("err = %v, want a registry error", err)
	}
}
