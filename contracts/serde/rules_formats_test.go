package serde_test

import (
	"context"
	"errors"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/contracts/client"
	"github.com/charter-registry/charter/contracts/rules"
	"github.com/charter-registry/charter/contracts/serde"
)

// TestProtobufRules: CEL sees Protobuf messages with their fields (nested
// ones included), CEL_FIELD transforms reach fields selected by metadata
// tags, and a failed condition refuses the message.
func TestProtobufRules(t *testing.T) {
	ctx := context.Background()
	cl := startRegistry(t)
	fd := compileOrder(t)
	ser, err := serde.NewSerializer(cl, compat.Protobuf, serde.AutoRegister())
	if err != nil {
		t.Fatal(err)
	}
	// Register once without rules to get the references, then again with
	// rules on the same text.
	if _, err := ser.Serialize(ctx, "orders", dynamic(t, fd, "Order", `{"id":"o"}`)); err != nil {
		t.Fatal(err)
	}
	latest, err := cl.Latest(ctx, "orders-value")
	if err != nil {
		t.Fatal(err)
	}
	withRules := *latest
	withRules.Metadata = &client.Metadata{Tags: map[string][]string{"acme.v1.Order.Line.sku": {"PII"}}}
	withRules.RuleSet = &client.RuleSet{DomainRules: []client.Rule{
		{Name: "paid", Kind: "CONDITION", Mode: "WRITE", Type: "CEL", Expr: "message.total.units > 0 && size(message.lines) > 0"},
		{Name: "maskSku", Kind: "TRANSFORM", Mode: "WRITE", Type: "CEL_FIELD", Tags: []string{"PII"}, Expr: "typeName == 'STRING' ; 'xxx'"},
	}}
	r2 := register(t, cl, "orders-value", withRules)
	if r2.ID == latest.ID {
		t.Fatal("the same text with rules was answered from the registration cache")
	}

	// The client still caches the earlier latest version, so pin the id.
	ser2, _ := serde.NewSerializer(cl, compat.Protobuf, serde.UseSchemaID(r2.ID))
	de, _ := serde.NewDeserializer(cl, compat.Protobuf)
	in := dynamic(t, fd, "Order", `{"id":"o-1","total":{"currency":"EUR","units":"5"},"lines":[{"sku":"secret","qty":1}]}`)
	b, err := ser2.Serialize(ctx, "orders", in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := de.Deserialize(ctx, "orders", b)
	if err != nil {
		t.Fatal(err)
	}
	m := out.(proto.Message).ProtoReflect()
	line := m.Get(m.Descriptor().Fields().ByName("lines")).List().Get(0).Message()
	if sku := line.Get(line.Descriptor().Fields().ByName("sku")).String(); sku != "xxx" {
		t.Fatalf("sku = %q, want the transform's xxx", sku)
	}
	if id := m.Get(m.Descriptor().Fields().ByName("id")).String(); id != "o-1" {
		t.Fatalf("id = %q: an untagged field was transformed", id)
	}
	unpaid := dynamic(t, fd, "Order", `{"id":"o-2","total":{"currency":"EUR","units":"0"},"lines":[{"sku":"s"}]}`)
	if _, err := ser2.Serialize(ctx, "orders", unpaid); serde.KindOf(err) != serde.KindRule {
		t.Fatalf("unpaid order: err = %v", err)
	}
}

// TestJSONRules: CEL sees JSON documents as maps, CEL_FIELD full names are
// JSON paths, and inline confluent:tags select fields.
func TestJSONRules(t *testing.T) {
	ctx := context.Background()
	cl := startRegistry(t)
	register(t, cl, "users-value", client.Schema{SchemaType: compat.JSON,
		Schema: `{"type":"object","properties":{"name":{"type":"string"},"email":{"type":"string","confluent:tags":["PII"]},"age":{"type":"integer"}},"required":["name"]}`,
		RuleSet: &client.RuleSet{DomainRules: []client.Rule{
			{Name: "adult", Kind: "CONDITION", Mode: "WRITEREAD", Type: "CEL", Expr: "message.age >= 18", OnFailure: "DLQ,ERROR", Params: map[string]string{"dlq.topic": "users-dlq"}},
			{Name: "mask", Kind: "TRANSFORM", Mode: "READ", Type: "CEL_FIELD", Tags: []string{"PII"}, Expr: "fullName == '$.email' ; 'hidden'"},
		}}})
	ser, _ := serde.NewSerializer(cl, compat.JSON)
	de, _ := serde.NewDeserializer(cl, compat.JSON)
	b, err := ser.Serialize(ctx, "users", map[string]any{"name": "ann", "email": "ann@example.com", "age": 30})
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	}
	if err := de.DeserializeInto(ctx, "users", b, &got); err != nil || got.Email != "hidden" || got.Name != "ann" {
		t.Fatalf("into = %+v, %v", got, err)
	}
	// WRITEREAD with "DLQ,ERROR": dead-letter on write, error on read.
	_, err = ser.Serialize(ctx, "users", map[string]any{"name": "kid", "age": 9})
	re := ruleError(t, err)
	if re.Action != rules.ActionDLQ || re.DLQTopic != "users-dlq" {
		t.Fatalf("write: %+v", re)
	}
	kid := append(serde.AppendHeader(nil, 1), `{"name":"kid","age":9}`...)
	_, err = de.Deserialize(ctx, "users", kid)
	if re := ruleError(t, err); re.Action != rules.ActionError || re.Mode != rules.Read {
		t.Fatalf("read: %+v", re)
	}
}

func ruleError(t *testing.T, err error) *rules.Error {
	t.Helper()
	var se *serde.Error
	var re *rules.Error
	if !asErr(err, &se) || se.Kind != serde.KindRule || !asErr(err, &re) {
		t.Fatalf("err = %v, want a rule failure", err)
	}
	return re
}

func asErr[T any](err error, target *T) bool { return errors.As(err, target) }
