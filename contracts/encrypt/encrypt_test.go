package encrypt_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/compat/protobuf"
	"github.com/charter-registry/charter/confluent"
	"github.com/charter-registry/charter/contracts/client"
	"github.com/charter-registry/charter/contracts/encrypt"
	"github.com/charter-registry/charter/contracts/rules"
	"github.com/charter-registry/charter/contracts/serde"
	"github.com/charter-registry/charter/internal/registrytest"
)

const secret = "charter-local-kms-test-secret"

func encryptRule(kek string, params map[string]string) confluent.Rule {
	p := map[string]string{encrypt.ParamKekName: kek, encrypt.ParamKmsType: "local-kms", encrypt.ParamKmsKeyID: "local-kms://" + kek}
	for k, v := range params {
		p[k] = v
	}
	return confluent.Rule{Name: "encrypt-pii", Kind: "TRANSFORM", Mode: "WRITEREAD", Type: "ENCRYPT", Tags: []string{"PII"}, Params: p}
}

type pair struct {
	ser *serde.Serializer
	de  *serde.Deserializer
	raw *serde.Deserializer
}

func serdes(t *testing.T, cl *client.Client, format compat.Type, opts ...encrypt.Opt) pair {
	t.Helper()
	x := encrypt.New(cl, append([]encrypt.Opt{encrypt.Config(map[string]string{"secret": secret})}, opts...)...)
	eng, err := rules.New(rules.WithExecutor(x))
	if err != nil {
		t.Fatal(err)
	}
	ser, err := serde.NewSerializer(cl, format, serde.RuleEngine(eng), serde.UseLatest())
	if err != nil {
		t.Fatal(err)
	}
	de, err := serde.NewDeserializer(cl, format, serde.RuleEngine(eng))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := serde.NewDeserializer(cl, format, serde.NoRules())
	if err != nil {
		t.Fatal(err)
	}
	return pair{ser, de, raw}
}

// field returns a field of a decoded Avro or JSON record.
func field(t *testing.T, v any, name string) any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("decoded %T, want a map", v)
	}
	return m[name]
}

const avroCustomer = `{"type":"record","name":"Customer","namespace":"acme","fields":[{"name":"id","type":"string"},{"name":"ssn","type":"string","confluent:tags":["PII"]},{"name":"card","type":"bytes","confluent:tags":["PII"]},{"name":"age","type":"int"}]}`

const jsonCustomer = `{"type":"object","properties":{"id":{"type":"string"},"ssn":{"type":"string","confluent:tags":["PII"]},"age":{"type":"integer"}}}`

// TestFieldEncryptionRoundTrip: for each format, the PII fields are
// ciphertext on the wire and in a rule-less read, and plaintext through the
// rules; untagged fields are untouched.
func TestFieldEncryptionRoundTrip(t *testing.T) {
	ctx := context.Background()
	reg := registrytest.Start(t)
	cl := reg.Client(t)
	for _, c := range []struct {
		format compat.Type
		schema string
		value  any
	}{
		{compat.Avro, avroCustomer, map[string]any{"id": "c1", "ssn": "123-45-6789", "card": []byte("4111111111111111"), "age": 42}},
		{compat.JSON, jsonCustomer, map[string]any{"id": "c1", "ssn": "123-45-6789", "age": 42}},
	} {
		t.Run(string(c.format), func(t *testing.T) {
			subject := "customers-" + strings.ToLower(string(c.format)) + "-value"
			topic := strings.TrimSuffix(subject, "-value")
			_, err := cl.Register(ctx, subject, client.Schema{SchemaType: c.format, Schema: c.schema, RuleSet: &confluent.RuleSet{DomainRules: []confluent.Rule{encryptRule("kek-"+strings.ToLower(string(c.format)), nil)}}}, false)
			if err != nil {
				t.Fatal(err)
			}
			p := serdes(t, cl, c.format)
			b, err := p.ser.Serialize(ctx, topic, c.value)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(b, []byte("123-45-6789")) || bytes.Contains(b, []byte("4111111111111111")) {
				t.Fatalf("plaintext on the wire: %q", b)
			}
			if !bytes.Contains(b, []byte("c1")) {
				t.Errorf("an untagged field is not in the clear: %q", b)
			}
			raw, err := p.raw.Deserialize(ctx, topic, b)
			if err != nil {
				t.Fatal(err)
			}
			ssn, _ := field(t, raw, "ssn").(string)
			if ct, err := base64.StdEncoding.DecodeString(ssn); err != nil || len(ct) < 12+16 {
				t.Errorf("ssn on the wire is not base64 of an AES-GCM ciphertext: %q", ssn)
			}
			got, err := p.de.Deserialize(ctx, topic, b)
			if err != nil {
				t.Fatal(err)
			}
			if field(t, got, "ssn") != "123-45-6789" || field(t, got, "id") != "c1" {
				t.Errorf("decrypted: %v", got)
			}
			if c.format == compat.Avro && string(field(t, got, "card").([]byte)) != "4111111111111111" {
				t.Errorf("bytes field: %v", got)
			}
			// The DEK the executor made is in the registry, wrapped.
			d, err := cl.Dek(ctx, "kek-"+strings.ToLower(string(c.format)), subject, 1, "AES256_GCM", false)
			if err != nil || d.EncryptedKeyMaterial == "" || d.KeyMaterial != "" {
				t.Errorf("registered DEK %+v %v", d, err)
			}
		})
	}
}

// TestDekRotationKeepsOldRecordsReadable: with encrypt.dek.expiry.days,
// a write after expiry makes DEK version 2; records of version 1 still
// decrypt, and each ciphertext names its version.
func TestDekRotationKeepsOldRecordsReadable(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	clock := func() time.Time { return now }
	reg := registrytest.Start(t)
	cl := reg.Client(t)
	_, err := cl.Register(ctx, "rot-value", client.Schema{Schema: avroCustomer, RuleSet: &confluent.RuleSet{DomainRules: []confluent.Rule{encryptRule("rot", map[string]string{encrypt.ParamDekExpiry: "1"})}}}, false)
	if err != nil {
		t.Fatal(err)
	}
	p := serdes(t, cl, compat.Avro, encrypt.Clock(clock))
	rec := map[string]any{"id": "c1", "ssn": "111", "card": []byte("x"), "age": 1}
	old, err := p.ser.Serialize(ctx, "rot", rec)
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(49 * time.Hour)
	rec["ssn"] = "222"
	fresh, err := p.ser.Serialize(ctx, "rot", rec)
	if err != nil {
		t.Fatal(err)
	}
	versions := map[string]uint32{}
	for name, b := range map[string][]byte{"old": old, "fresh": fresh} {
		raw, err := p.raw.Deserialize(ctx, "rot", b)
		if err != nil {
			t.Fatal(err)
		}
		ct, _ := base64.StdEncoding.DecodeString(field(t, raw, "ssn").(string))
		if len(ct) < 5 || ct[0] != 0 {
			t.Fatalf("%s: no version prefix: %x", name, ct)
		}
		versions[name] = uint32(ct[1])<<24 | uint32(ct[2])<<16 | uint32(ct[3])<<8 | uint32(ct[4])
	}
	if versions["old"] != 1 || versions["fresh"] != 2 {
		t.Errorf("DEK versions in the ciphertexts: %v", versions)
	}
	// A fresh reader (no cache) reads both.
	q := serdes(t, cl, compat.Avro)
	for name, want := range map[string]string{"old": "111", "fresh": "222"} {
		b := old
		if name == "fresh" {
			b = fresh
		}
		got, err := q.de.Deserialize(ctx, "rot", b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if field(t, got, "ssn") != want {
			t.Errorf("%s: %v", name, got)
		}
	}
}

// TestDeletedKekRefusesNewEncryption: once the KEK (and its DEKs) are
// deleted, a producer cannot encrypt: the registry answers 40470 for the
// DEK and the executor fails as Confluent's does; existing records still
// decrypt with deleted=true lookups.
func TestDeletedKekRefusesNewEncryption(t *testing.T) {
	ctx := context.Background()
	reg := registrytest.Start(t)
	cl := reg.Client(t)
	// An operator-made KEK (with a doc), which a producer's automatic
	// create cannot silently undelete.
	if _, err := cl.CreateKek(ctx, client.Kek{Name: "gone", KmsType: "local-kms", KmsKeyID: "local-kms://gone", Doc: "made by ops"}); err != nil {
		t.Fatal(err)
	}
	_, err := cl.Register(ctx, "gone-value", client.Schema{Schema: avroCustomer, RuleSet: &confluent.RuleSet{DomainRules: []confluent.Rule{encryptRule("gone", nil)}}}, false)
	if err != nil {
		t.Fatal(err)
	}
	p := serdes(t, cl, compat.Avro)
	rec := map[string]any{"id": "c1", "ssn": "111", "card": []byte("x"), "age": 1}
	b, err := p.ser.Serialize(ctx, "gone", rec)
	if err != nil {
		t.Fatal(err)
	}
	for _, req := range []struct{ method, path string }{
		{"DELETE", "/dek-registry/v1/keks/gone/deks/gone-value"},
		{"DELETE", "/dek-registry/v1/keks/gone"},
	} {
		r, _ := http.NewRequest(req.method, reg.URL+req.path, nil)
		res, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 204 {
			t.Fatalf("%s %s: %d", req.method, req.path, res.StatusCode)
		}
	}
	if _, err := cl.CreateDek(ctx, "gone", "gone-value", 2, "AES256_GCM", base64.StdEncoding.EncodeToString([]byte("k"))); client.Code(err) != 40470 {
		t.Errorf("create a DEK under a deleted KEK: %v, want 40470", err)
	}
	fresh := serdes(t, cl, compat.Avro)
	_, err = fresh.ser.Serialize(ctx, "gone", rec)
	if err == nil || !strings.Contains(err.Error(), "no kek found for gone during produce") {
		t.Errorf("encrypting with a deleted KEK: %v", err)
	}
	got, err := fresh.de.Deserialize(ctx, "gone", b)
	if err != nil || field(t, got, "ssn") != "111" {
		t.Errorf("reading an old record after the KEK was deleted: %v %v", got, err)
	}
}

const protoCustomer = `syntax = "proto3";
package acme;
import "confluent/meta.proto";
message Customer {
  string id = 1;
  string ssn = 2 [(confluent.field_meta).tags = "PII"];
  bytes card = 3 [(confluent.field_meta).tags = "PII"];
  int32 age = 4;
}
`

// TestProtobufFieldEncryption: fields tagged through Confluent's field
// option are encrypted on the wire and decrypted on read.
func TestProtobufFieldEncryption(t *testing.T) {
	ctx := context.Background()
	reg := registrytest.Start(t)
	cl := reg.Client(t)
	_, err := cl.Register(ctx, "pcust-value", client.Schema{SchemaType: compat.Protobuf, Schema: protoCustomer, RuleSet: &confluent.RuleSet{DomainRules: []confluent.Rule{encryptRule("pk", nil)}}}, false)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := protobuf.New().Parse(protoCustomer, nil)
	if err != nil {
		t.Fatal(err)
	}
	md := parsed.(*protobuf.Schema).Descriptor().Messages().ByName("Customer")
	msg := dynamicpb.NewMessage(md)
	if err := protojson.Unmarshal([]byte(`{"id":"c1","ssn":"123-45-6789","card":"NDExMTExMTExMTExMTExMQ==","age":42}`), msg); err != nil {
		t.Fatal(err)
	}
	p := serdes(t, cl, compat.Protobuf)
	b, err := p.ser.Serialize(ctx, "pcust", msg)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("123-45-6789")) || bytes.Contains(b, []byte("4111111111111111")) {
		t.Fatalf("plaintext on the wire: %q", b)
	}
	got, err := p.de.Deserialize(ctx, "pcust", b)
	if err != nil {
		t.Fatal(err)
	}
	js, err := protojson.Marshal(got.(proto.Message))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(js, []byte(`"ssn":"123-45-6789"`)) || !bytes.Contains(js, []byte(`"card":"NDExMTExMTExMTExMTExMQ=="`)) {
		t.Errorf("decrypted: %s", js)
	}
}

// TestPayloadEncryption: an ENCRYPT_PAYLOAD encoding rule encrypts the
// whole payload after the header (after the message indexes for
// Protobuf); a reader without the executor refuses it.
func TestPayloadEncryption(t *testing.T) {
	ctx := context.Background()
	reg := registrytest.Start(t)
	cl := reg.Client(t)
	rule := encryptRule("payload", nil)
	rule.Type, rule.Tags = "ENCRYPT_PAYLOAD", nil
	_, err := cl.Register(ctx, "pay-value", client.Schema{Schema: avroCustomer, RuleSet: &confluent.RuleSet{EncodingRules: []confluent.Rule{rule}}}, false)
	if err != nil {
		t.Fatal(err)
	}
	x := encrypt.New(cl, encrypt.Config(map[string]string{"secret": secret}))
	ser, err := serde.NewSerializer(cl, compat.Avro, serde.PayloadRules(x.Payload()), serde.UseLatest())
	if err != nil {
		t.Fatal(err)
	}
	de, err := serde.NewDeserializer(cl, compat.Avro, serde.PayloadRules(x.Payload()))
	if err != nil {
		t.Fatal(err)
	}
	rec := map[string]any{"id": "visible-if-clear", "ssn": "123-45-6789", "card": []byte("x"), "age": 3}
	b, err := ser.Serialize(ctx, "pay", rec)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("visible-if-clear")) || bytes.Contains(b, []byte("123-45-6789")) {
		t.Fatalf("payload not encrypted: %q", b)
	}
	if b[0] != 0 || len(b) < 5+12+16 {
		t.Fatalf("not a header and an AES-GCM ciphertext: % x", b)
	}
	got, err := de.Deserialize(ctx, "pay", b)
	if err != nil {
		t.Fatal(err)
	}
	if field(t, got, "id") != "visible-if-clear" || field(t, got, "ssn") != "123-45-6789" {
		t.Errorf("decrypted: %v", got)
	}
	plain, err := serde.NewDeserializer(cl, compat.Avro)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plain.Deserialize(ctx, "pay", b); err == nil || !strings.Contains(err.Error(), "no rule executor for encoding rule type \"ENCRYPT_PAYLOAD\"") {
		t.Errorf("a reader without the executor: %v", err)
	}
}

// TestNullableTaggedFields: a tagged field of a union with null is
// encrypted when set and left null when not.
func TestNullableTaggedFields(t *testing.T) {
	ctx := context.Background()
	reg := registrytest.Start(t)
	cl := reg.Client(t)
	schema := `{"type":"record","name":"Contact","fields":[{"name":"email","type":["null","string"],"default":null,"confluent:tags":["PII"]}]}`
	if _, err := cl.Register(ctx, "contact-value", client.Schema{Schema: schema, RuleSet: &confluent.RuleSet{DomainRules: []confluent.Rule{encryptRule("nullable", nil)}}}, false); err != nil {
		t.Fatal(err)
	}
	p := serdes(t, cl, compat.Avro)
	for _, v := range []any{"bob@example.com", nil} {
		b, err := p.ser.Serialize(ctx, "contact", map[string]any{"email": v})
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte("bob@example.com")) {
			t.Fatalf("plaintext on the wire: %q", b)
		}
		got, err := p.de.Deserialize(ctx, "contact", b)
		if err != nil {
			t.Fatal(err)
		}
		if field(t, got, "email") != v {
			t.Errorf("email %v: decrypted %v", v, got)
		}
	}
}
