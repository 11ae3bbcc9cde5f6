package conformance

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/confluent"
	"github.com/charter-registry/charter/contracts/client"
	"github.com/charter-registry/charter/contracts/encrypt"
	"github.com/charter-registry/charter/contracts/rules"
	"github.com/charter-registry/charter/contracts/serde"
	"github.com/charter-registry/charter/internal/testdata"
)

// encSecret is the local KMS secret of both sides; interop/python's
// test_encryption.py uses the same.
const encSecret = "interop-local-kms-secret"

const encCustomer = `{"type":"record","name":"Customer","namespace":"acme","fields":[{"name":"id","type":"string"},{"name":"ssn","type":"string","confluent:tags":["PII"]},{"name":"age","type":"int"}]}`

// TestPythonFieldEncryption: charter's Go serde encrypts a PII field
// through `charter serve`'s DEK registry and confluent-kafka (Python, with
// its encryption executor and local KMS) decrypts it; Python encrypts and
// charter decrypts. Both sides check that the bytes hold no plaintext.
func TestPythonFieldEncryption(t *testing.T) {
	dir := filepath.Join(testdata.Root(), "interop", "python")
	python := filepath.Join(dir, ".venv", "bin", "python")
	requireInterop(t, python, "python")
	fieldEncryptionInterop(t, "pyenc", "py", dir, "2 passed", python, "-m", "pytest", "-v", "-p", "no:cacheprovider", "test_encryption.py")
}

// TestNodeFieldEncryption is TestPythonFieldEncryption with
// @confluentinc/schemaregistry (Node.js).
func TestNodeFieldEncryption(t *testing.T) {
	dir := filepath.Join(testdata.Root(), "interop", "node")
	requireInterop(t, filepath.Join(dir, "node_modules", "@confluentinc", "schemaregistry", "package.json"), "node")
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is not on PATH: %v", err)
	}
	fieldEncryptionInterop(t, "nodeenc", "node", dir, "# pass 2", node, "--test", "--test-reporter=tap", "encryption/roundtrip.js")
}

// fieldEncryptionInterop registers <prefix>-go-value and
// <prefix>-<side>-value with an ENCRYPT rule on PII fields, encrypts a
// record of the first with charter into $CHARTER_ENC_DIR/go.bin, runs the
// client program (which decrypts it, encrypts a record of the second and
// writes it to <side>.bin) and decrypts that with charter. passed is what
// the program prints when both its tests pass.
func fieldEncryptionInterop(t *testing.T, prefix, side, dir, passed, name string, args ...string) {
	t.Helper()
	url := startCharterServe(t)
	ctx := context.Background()
	cl, err := client.New(client.URLs(url))
	if err != nil {
		t.Fatal(err)
	}
	rule := func(kek string) *confluent.RuleSet {
		return &confluent.RuleSet{DomainRules: []confluent.Rule{{Name: "encrypt-pii", Kind: "TRANSFORM", Mode: "WRITEREAD", Type: "ENCRYPT", Tags: []string{"PII"},
			Params: map[string]string{encrypt.ParamKekName: kek, encrypt.ParamKmsType: "local-kms", encrypt.ParamKmsKeyID: "local-kms://" + kek}}}}
	}
	goTopic, clientTopic := prefix+"-go", prefix+"-"+side
	for _, s := range []string{goTopic, clientTopic} {
		if _, err := cl.Register(ctx, s+"-value", client.Schema{Schema: encCustomer, RuleSet: rule(s)}, false); err != nil {
			t.Fatal(err)
		}
	}
	eng, err := rules.New(rules.WithExecutor(encrypt.New(cl, encrypt.Config(map[string]string{"secret": encSecret}))))
	if err != nil {
		t.Fatal(err)
	}
	ser, err := serde.NewSerializer(cl, compat.Avro, serde.RuleEngine(eng), serde.UseLatest())
	if err != nil {
		t.Fatal(err)
	}
	payload, err := ser.Serialize(ctx, goTopic, map[string]any{"id": "from-go", "ssn": "123-45-6789", "age": 41})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(payload, []byte("123-45-6789")) {
		t.Fatalf("plaintext on the wire: %q", payload)
	}
	encDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(encDir, "go.bin"), payload, 0o600); err != nil {
		t.Fatal(err)
	}

	rctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(rctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CHARTER_URL="+url, "CHARTER_ENC_DIR="+encDir, "PYTHONDONTWRITEBYTECODE=1")
	out, err := cmd.CombinedOutput()
	t.Logf("%s %v:\n%s", filepath.Base(name), args, out)
	if err != nil {
		t.Fatalf("%s: %v", filepath.Base(name), err)
	}
	if !bytes.Contains(out, []byte(passed)) {
		t.Fatalf("the client program did not report %q", passed)
	}

	fromClient, err := os.ReadFile(filepath.Join(encDir, side+".bin"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(fromClient, []byte("987-65-4321")) {
		t.Fatalf("plaintext in the client's payload: %q", fromClient)
	}
	raw, err := serde.NewDeserializer(cl, compat.Avro, serde.NoRules())
	if err != nil {
		t.Fatal(err)
	}
	v, err := raw.Deserialize(ctx, clientTopic, fromClient)
	if err != nil {
		t.Fatal(err)
	}
	if ct, err := base64.StdEncoding.DecodeString(v.(map[string]any)["ssn"].(string)); err != nil || len(ct) < 12+16 {
		t.Errorf("the client's ssn is not base64 of a ciphertext: %v", v)
	}
	de, err := serde.NewDeserializer(cl, compat.Avro, serde.RuleEngine(eng))
	if err != nil {
		t.Fatal(err)
	}
	got, err := de.Deserialize(ctx, clientTopic, fromClient)
	if err != nil {
		t.Fatal(err)
	}
	if m := got.(map[string]any); m["ssn"] != "987-65-4321" || m["id"] != "from-"+side {
		t.Errorf("charter decrypted the client's record: %v", got)
	}
	d, err := cl.Dek(ctx, clientTopic, clientTopic+"-value", 1, "AES256_GCM", false)
	if err != nil || d.EncryptedKeyMaterial == "" {
		t.Errorf("the DEK the client made in charter: %+v %v", d, err)
	}
}
