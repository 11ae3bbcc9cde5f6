//go:build cgo

package encryption

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry"
	_ "github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/rules/encryption"
	_ "github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/rules/encryption/localkms"
	cserde "github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde/avrov2"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde/jsonschema"
	"go.uber.org/goleak"

	"github.com/charter-registry/charter"
	"github.com/charter-registry/charter/api"
	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/confluent"
	"github.com/charter-registry/charter/contracts/client"
	"github.com/charter-registry/charter/contracts/encrypt"
	"github.com/charter-registry/charter/contracts/rules"
	"github.com/charter-registry/charter/contracts/serde"
	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/registry/dek"
	"github.com/charter-registry/charter/storage/memory"
)

// secret is the local KMS secret both sides are configured with.
const secret = "interop-local-kms-secret"

// serverURL is the one charter server every test uses.
var serverURL string

// serverLag sets the DEK registry's clock back (nanoseconds), so a DEK can
// be made to look old without skewing the clients' clocks.
var serverLag atomic.Int64

func TestMain(m *testing.M) {
	svc, err := registry.NewService(registry.ServiceConfig{Log: memory.New(), Formats: charter.Formats()})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	keys := dek.Attach(svc, dek.Config{Now: func() time.Time { return time.Now().Add(-time.Duration(serverLag.Load())) }})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = svc.Run(ctx); close(done) }()
	wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
	if err := svc.WaitReady(wctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	wcancel()
	hs := httptest.NewServer(api.New(svc, api.Config{Keys: keys}).Handler())
	serverURL = hs.URL
	code := m.Run()
	http.DefaultClient.CloseIdleConnections()
	hs.CloseClientConnections()
	hs.Close()
	cancel()
	<-done
	if code == 0 {
		// confluent-kafka-go's clients keep their own idle connections.
		if err := goleak.Find(goleak.IgnoreTopFunction("net/http.(*persistConn).readLoop"), goleak.IgnoreTopFunction("net/http.(*persistConn).writeLoop"), goleak.IgnoreTopFunction("internal/poll.runtime_pollWait")); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}

func confluentClient(t *testing.T) schemaregistry.Client {
	t.Helper()
	cfg := schemaregistry.NewConfig(serverURL)
	cfg.MaxRetries = 0
	c, err := schemaregistry.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func charterClient(t *testing.T) *client.Client {
	t.Helper()
	c, err := client.New(client.URLs(serverURL))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// customer is the Go value confluent's avrov2 serde writes and reads.
type customer struct {
	ID   string `avro:"id" json:"id"`
	SSN  string `avro:"ssn" json:"ssn"`
	Card []byte `avro:"card" json:"card,omitempty"`
	Age  int    `avro:"age" json:"age"`
}

const avroCustomer = `{"type":"record","name":"Customer","namespace":"acme","fields":[{"name":"id","type":"string"},{"name":"ssn","type":"string","confluent:tags":["PII"]},{"name":"card","type":"bytes","confluent:tags":["PII"]},{"name":"age","type":"int"}]}`

const jsonCustomer = `{"type":"object","properties":{"id":{"type":"string"},"ssn":{"type":"string","confluent:tags":["PII"]},"age":{"type":"integer"}}}`

func encryptRule(kek string, extra map[string]string) confluent.Rule {
	p := map[string]string{encrypt.ParamKekName: kek, encrypt.ParamKmsType: "local-kms", encrypt.ParamKmsKeyID: "local-kms://" + kek}
	for k, v := range extra {
		p[k] = v
	}
	return confluent.Rule{Name: "encrypt-pii", Kind: "TRANSFORM", Mode: "WRITEREAD", Type: "ENCRYPT", Tags: []string{"PII"}, Params: p}
}

func registerWithRule(t *testing.T, subject string, typ compat.Type, schema string, rule confluent.Rule) {
	t.Helper()
	_, err := charterClient(t).Register(context.Background(), subject, client.Schema{SchemaType: typ, Schema: schema, RuleSet: &confluent.RuleSet{DomainRules: []confluent.Rule{rule}}}, false)
	if err != nil {
		t.Fatalf("register %s: %v", subject, err)
	}
}

// charterSerdes are charter's serializer and deserializers with the
// encryption executor, and a deserializer without rules that shows the
// bytes as stored.
type charterSerdes struct {
	ser     *serde.Serializer
	de, raw *serde.Deserializer
}

func charterSide(t *testing.T, format compat.Type, opts ...encrypt.Opt) charterSerdes {
	t.Helper()
	cl := charterClient(t)
	x := encrypt.New(cl, append([]encrypt.Opt{encrypt.Config(map[string]string{"secret": secret})}, opts...)...)
	eng, err := rules.New(rules.WithExecutor(x))
	if err != nil {
		t.Fatal(err)
	}
	var s charterSerdes
	if s.ser, err = serde.NewSerializer(cl, format, serde.RuleEngine(eng), serde.UseLatest()); err != nil {
		t.Fatal(err)
	}
	if s.de, err = serde.NewDeserializer(cl, format, serde.RuleEngine(eng)); err != nil {
		t.Fatal(err)
	}
	if s.raw, err = serde.NewDeserializer(cl, format, serde.NoRules()); err != nil {
		t.Fatal(err)
	}
	return s
}

func confluentAvro(t *testing.T) (*avrov2.Serializer, *avrov2.Deserializer) {
	t.Helper()
	sc := avrov2.NewSerializerConfig()
	sc.AutoRegisterSchemas = false
	sc.UseLatestVersion = true
	sc.RuleConfig = map[string]string{"secret": secret}
	ser, err := avrov2.NewSerializer(confluentClient(t), cserde.ValueSerde, sc)
	if err != nil {
		t.Fatal(err)
	}
	dc := avrov2.NewDeserializerConfig()
	dc.RuleConfig = map[string]string{"secret": secret}
	de, err := avrov2.NewDeserializer(confluentClient(t), cserde.ValueSerde, dc)
	if err != nil {
		t.Fatal(err)
	}
	return ser, de
}

// requireCiphertext checks that payload does not hold the plaintexts, and
// that the rule-less view of field ssn is base64 of an AES-GCM ciphertext
// (12-byte IV, at least the 16-byte tag), with a version prefix of
// wantVersion when it is not 0.
func requireCiphertext(t *testing.T, s charterSerdes, topic string, payload []byte, wantVersion uint32, plaintexts ...string) {
	t.Helper()
	for _, p := range plaintexts {
		if bytes.Contains(payload, []byte(p)) {
			t.Fatalf("plaintext %q on the wire: %q", p, payload)
		}
	}
	v, err := s.raw.Deserialize(context.Background(), topic, payload)
	if err != nil {
		t.Fatal(err)
	}
	ssn, _ := v.(map[string]any)["ssn"].(string)
	ct, err := base64.StdEncoding.DecodeString(ssn)
	if err != nil {
		t.Fatalf("ssn on the wire is not base64: %q", ssn)
	}
	if wantVersion != 0 {
		if len(ct) < 5 || ct[0] != 0 || binary.BigEndian.Uint32(ct[1:5]) != wantVersion {
			t.Fatalf("ssn ciphertext % x does not start with 0 and DEK version %d", ct[:min(5, len(ct))], wantVersion)
		}
		ct = ct[5:]
	}
	if len(ct) < 12+16+len("123-45-6789") {
		t.Fatalf("ssn ciphertext is %d bytes, too short for AES-GCM", len(ct))
	}
}

func charterField(t *testing.T, v any, name string) any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("decoded %T", v)
	}
	return m[name]
}

// TestConfluentEncryptsCharterDecrypts: confluent-kafka-go's executor
// creates the KEK and DEK in charter's DEK registry and encrypts; charter
// decrypts.
func TestConfluentEncryptsCharterDecrypts(t *testing.T) {
	registerWithRule(t, "c2ch-value", compat.Avro, avroCustomer, encryptRule("c2ch", nil))
	cser, _ := confluentAvro(t)
	payload, err := cser.Serialize("c2ch", &customer{ID: "c1", SSN: "123-45-6789", Card: []byte("4111111111111111"), Age: 42})
	if err != nil {
		t.Fatal(err)
	}
	ch := charterSide(t, compat.Avro)
	requireCiphertext(t, ch, "c2ch", payload, 0, "123-45-6789", "4111111111111111")
	got, err := ch.de.Deserialize(context.Background(), "c2ch", payload)
	if err != nil {
		t.Fatal(err)
	}
	if charterField(t, got, "ssn") != "123-45-6789" || string(charterField(t, got, "card").([]byte)) != "4111111111111111" || charterField(t, got, "id") != "c1" {
		t.Errorf("charter decrypted %v", got)
	}
	d, err := charterClient(t).Dek(context.Background(), "c2ch", "c2ch-value", 1, "AES256_GCM", false)
	if err != nil || d.EncryptedKeyMaterial == "" {
		t.Errorf("confluent's DEK in charter: %+v %v", d, err)
	}
}

// TestCharterEncryptsConfluentDecrypts: charter's executor creates the
// KEK and DEK and encrypts; confluent-kafka-go decrypts.
func TestCharterEncryptsConfluentDecrypts(t *testing.T) {
	registerWithRule(t, "ch2c-value", compat.Avro, avroCustomer, encryptRule("ch2c", nil))
	ch := charterSide(t, compat.Avro)
	payload, err := ch.ser.Serialize(context.Background(), "ch2c", map[string]any{"id": "c2", "ssn": "123-45-6789", "card": []byte("4111111111111111"), "age": 7})
	if err != nil {
		t.Fatal(err)
	}
	requireCiphertext(t, ch, "ch2c", payload, 0, "123-45-6789", "4111111111111111")
	_, cde := confluentAvro(t)
	var got customer
	if err := cde.DeserializeInto("ch2c", payload, &got); err != nil {
		t.Fatal(err)
	}
	if got.SSN != "123-45-6789" || string(got.Card) != "4111111111111111" || got.ID != "c2" || got.Age != 7 {
		t.Errorf("confluent decrypted %+v", got)
	}
}

// TestRotatedDeksAcrossClients: charter rotates the DEK (expiry of one
// day, version 1 stamped three days ago); confluent-kafka-go reads the
// records of both versions, and charter reads one confluent wrote with the
// latest.
func TestRotatedDeksAcrossClients(t *testing.T) {
	// One tagged field: each write then makes at most one DEK.
	rotCustomer := strings.Replace(avroCustomer, `"type":"bytes","confluent:tags":["PII"]`, `"type":"bytes"`, 1)
	registerWithRule(t, "rot-value", compat.Avro, rotCustomer, encryptRule("rot", map[string]string{encrypt.ParamDekExpiry: "1"}))
	// The registry stamps DEKs with its own clock: version 1 is made three
	// days ago, so the second write finds it expired and makes version 2.
	serverLag.Store(int64(72 * time.Hour))
	ch := charterSide(t, compat.Avro)
	ctx := context.Background()
	first, err := ch.ser.Serialize(ctx, "rot", map[string]any{"id": "r1", "ssn": "111-11-1111", "card": []byte("a"), "age": 1})
	if err != nil {
		t.Fatal(err)
	}
	serverLag.Store(0)
	second, err := ch.ser.Serialize(ctx, "rot", map[string]any{"id": "r2", "ssn": "222-22-2222", "card": []byte("b"), "age": 2})
	if err != nil {
		t.Fatal(err)
	}
	requireCiphertext(t, ch, "rot", first, 1, "111-11-1111")
	requireCiphertext(t, ch, "rot", second, 2, "222-22-2222")
	cser, cde := confluentAvro(t)
	for i, c := range []struct {
		payload []byte
		ssn     string
	}{{first, "111-11-1111"}, {second, "222-22-2222"}} {
		var got customer
		if err := cde.DeserializeInto("rot", c.payload, &got); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		if got.SSN != c.ssn {
			t.Errorf("record %d: confluent read %+v", i, got)
		}
	}
	third, err := cser.Serialize("rot", &customer{ID: "r3", SSN: "333-33-3333", Card: []byte("c"), Age: 3})
	if err != nil {
		t.Fatal(err)
	}
	requireCiphertext(t, ch, "rot", third, 2, "333-33-3333")
	got, err := charterSide(t, compat.Avro).de.Deserialize(ctx, "rot", third)
	if err != nil || charterField(t, got, "ssn") != "333-33-3333" {
		t.Errorf("charter read confluent's rotated record: %v %v", got, err)
	}
}

// TestSharedKekAcrossClients: with a shared KEK the registry generates
// the DEK through the local KMS; both clients use the material it returns.
func TestSharedKekAcrossClients(t *testing.T) {
	ctx := context.Background()
	body, _ := json.Marshal(map[string]any{"name": "sharedk", "kmsType": "local-kms", "kmsKeyId": "local-kms://sharedk", "shared": true, "kmsProps": map[string]string{"secret": secret}})
	res, err := http.Post(serverURL+"/dek-registry/v1/keks?testSharing=true", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("create shared KEK: %d", res.StatusCode)
	}
	registerWithRule(t, "shared-value", compat.Avro, avroCustomer, encryptRule("sharedk", nil))
	cser, cde := confluentAvro(t)
	payload, err := cser.Serialize("shared", &customer{ID: "s1", SSN: "123-45-6789", Card: []byte("x"), Age: 1})
	if err != nil {
		t.Fatal(err)
	}
	ch := charterSide(t, compat.Avro)
	requireCiphertext(t, ch, "shared", payload, 0, "123-45-6789")
	got, err := ch.de.Deserialize(ctx, "shared", payload)
	if err != nil || charterField(t, got, "ssn") != "123-45-6789" {
		t.Fatalf("charter read confluent's record: %v %v", got, err)
	}
	back, err := ch.ser.Serialize(ctx, "shared", map[string]any{"id": "s2", "ssn": "987-65-4321", "card": []byte("y"), "age": 2})
	if err != nil {
		t.Fatal(err)
	}
	var c customer
	if err := cde.DeserializeInto("shared", back, &c); err != nil || c.SSN != "987-65-4321" {
		t.Errorf("confluent read charter's record: %+v %v", c, err)
	}
	d, err := charterClient(t).Dek(ctx, "sharedk", "shared-value", 1, "AES256_GCM", false)
	if err != nil || d.KeyMaterial == "" {
		t.Errorf("a shared KEK's DEK comes with its key material: %+v %v", d, err)
	}
}

// jsonCustomerValue is what confluent's jsonschema serde writes.
type jsonCustomerValue struct {
	ID  string `json:"id"`
	SSN string `json:"ssn"`
	Age int    `json:"age"`
}

// TestJSONSchemaAcrossClients: the same both ways for JSON Schema.
func TestJSONSchemaAcrossClients(t *testing.T) {
	ctx := context.Background()
	registerWithRule(t, "jcust-value", compat.JSON, jsonCustomer, encryptRule("jk", nil))
	sc := jsonschema.NewSerializerConfig()
	sc.AutoRegisterSchemas = false
	sc.UseLatestVersion = true
	sc.RuleConfig = map[string]string{"secret": secret}
	cser, err := jsonschema.NewSerializer(confluentClient(t), cserde.ValueSerde, sc)
	if err != nil {
		t.Fatal(err)
	}
	dc := jsonschema.NewDeserializerConfig()
	dc.RuleConfig = map[string]string{"secret": secret}
	cde, err := jsonschema.NewDeserializer(confluentClient(t), cserde.ValueSerde, dc)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := cser.Serialize("jcust", &jsonCustomerValue{ID: "j1", SSN: "123-45-6789", Age: 5})
	if err != nil {
		t.Fatal(err)
	}
	ch := charterSide(t, compat.JSON)
	requireCiphertext(t, ch, "jcust", payload, 0, "123-45-6789")
	got, err := ch.de.Deserialize(ctx, "jcust", payload)
	if err != nil || charterField(t, got, "ssn") != "123-45-6789" {
		t.Fatalf("charter read confluent's JSON record: %v %v", got, err)
	}
	back, err := ch.ser.Serialize(ctx, "jcust", map[string]any{"id": "j2", "ssn": "987-65-4321", "age": 6})
	if err != nil {
		t.Fatal(err)
	}
	requireCiphertext(t, ch, "jcust", back, 0, "987-65-4321")
	var c jsonCustomerValue
	if err := cde.DeserializeInto("jcust", back, &c); err != nil || c.SSN != "987-65-4321" || c.ID != "j2" {
		t.Errorf("confluent read charter's JSON record: %+v %v", c, err)
	}
}

// TestDeletedKekRefusesConfluentEncryption: once its KEK is deleted,
// confluent-kafka-go cannot encrypt for the subject: charter answers the
// KEK lookup with 404/40470 and the re-create with 409/40971 (the deleted
// KEK differs from the rule's), and the executor fails with its error.
func TestDeletedKekRefusesConfluentEncryption(t *testing.T) {
	body, _ := json.Marshal(map[string]any{"name": "deleted", "kmsType": "local-kms", "kmsKeyId": "local-kms://deleted", "doc": "made by ops"})
	res, err := http.Post(serverURL+"/dek-registry/v1/keks", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	req, _ := http.NewRequest(http.MethodDelete, serverURL+"/dek-registry/v1/keks/deleted", nil)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 204 {
		t.Fatalf("delete KEK: %d", res.StatusCode)
	}
	registerWithRule(t, "deleted-value", compat.Avro, avroCustomer, encryptRule("deleted", nil))
	cser, _ := confluentAvro(t)
	_, err = cser.Serialize("deleted", &customer{ID: "d1", SSN: "123-45-6789", Card: []byte("x"), Age: 1})
	if err == nil || !strings.Contains(err.Error(), "no kek found for deleted during produce") {
		t.Errorf("confluent encrypting with a deleted KEK: %v", err)
	}
}

// TestPayloadEncryptionAcrossClients: an ENCRYPT_PAYLOAD encoding rule;
// confluent-kafka-go encrypts the whole payload and charter decrypts it,
// and the reverse.
func TestPayloadEncryptionAcrossClients(t *testing.T) {
	ctx := context.Background()
	rule := encryptRule("payk", nil)
	rule.Type, rule.Tags = encrypt.TypePayload, nil
	_, err := charterClient(t).Register(ctx, "payload-value", client.Schema{Schema: avroCustomer, RuleSet: &confluent.RuleSet{EncodingRules: []confluent.Rule{rule}}}, false)
	if err != nil {
		t.Fatal(err)
	}
	cser, cde := confluentAvro(t)
	payload, err := cser.Serialize("payload", &customer{ID: "clear-id-1", SSN: "123-45-6789", Card: []byte("x"), Age: 1})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(payload, []byte("clear-id-1")) || len(payload) < 5+12+16 {
		t.Fatalf("confluent's payload is not a header and a ciphertext: %q", payload)
	}
	x := encrypt.New(charterClient(t), encrypt.Config(map[string]string{"secret": secret}))
	de, err := serde.NewDeserializer(charterClient(t), compat.Avro, serde.PayloadRules(x.Payload()))
	if err != nil {
		t.Fatal(err)
	}
	got, err := de.Deserialize(ctx, "payload", payload)
	if err != nil || charterField(t, got, "id") != "clear-id-1" || charterField(t, got, "ssn") != "123-45-6789" {
		t.Fatalf("charter read confluent's encrypted payload: %v %v", got, err)
	}
	ser, err := serde.NewSerializer(charterClient(t), compat.Avro, serde.PayloadRules(x.Payload()), serde.UseLatest())
	if err != nil {
		t.Fatal(err)
	}
	back, err := ser.Serialize(ctx, "payload", map[string]any{"id": "clear-id-2", "ssn": "987-65-4321", "card": []byte("y"), "age": 2})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(back, []byte("clear-id-2")) {
		t.Fatalf("charter's payload is not encrypted: %q", back)
	}
	var c customer
	if err := cde.DeserializeInto("payload", back, &c); err != nil || c.ID != "clear-id-2" || c.SSN != "987-65-4321" {
		t.Errorf("confluent read charter's encrypted payload: %+v %v", c, err)
	}
}
