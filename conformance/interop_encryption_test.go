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
	for _, s := range []string{"pyenc-go", "pyenc-py"} {
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
	payload, err := ser.Serialize(ctx, "pyenc-go", map[string]any{"id": "from-go", "ssn": "123-45-6789", "age": 41})
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
	cmd := exec.CommandContext(rctx, python, "-m", "pytest", "-v", "-p", "no:cacheprovider", "test_encryption.py")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CHARTER_URL="+url, "CHARTER_ENC_DIR="+encDir, "PYTHONDONTWRITEBYTECODE=1")
	out, err := cmd.CombinedOutput()
	t.Logf("pytest test_encryption.py:\n%s", out)
	if err != nil {
		t.Fatalf("pytest: %v", err)
	}
	if !bytes.Contains(out, []byte("2 passed")) {
		t.Fatalf("pytest did not pass both tests")
	}

	fromPy, err := os.ReadFile(filepath.Join(encDir, "py.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(fromPy, []byte("987-65-4321")) {
		t.Fatalf("plaintext in Python's payload: %q", fromPy)
	}
	raw, err := serde.NewDeserializer(cl, compat.Avro, serde.NoRules())
	if err != nil {
		t.Fatal(err)
	}
	v, err := raw.Deserialize(ctx, "pyenc-py", fromPy)
	if err != nil {
		t.Fatal(err)
	}
	if ct, err := base64.StdEncoding.DecodeString(v.(map[string]any)["ssn"].(string)); err != nil || len(ct) < 12+16 {
		t.Errorf("Python's ssn is not base64 of a ciphertext: %v", v)
	}
	de, err := serde.NewDeserializer(cl, compat.Avro, serde.RuleEngine(eng))
	if err != nil {
		t.Fatal(err)
	}
	got, err := de.Deserialize(ctx, "pyenc-py", fromPy)
	if err != nil {
		t.Fatal(err)
	}
	if m := got.(map[string]any); m["ssn"] != "987-65-4321" || m["id"] != "from-python" {
		t.Errorf("charter decrypted Python's record: %v", got)
	}
	d, err := cl.Dek(ctx, "pyenc-py", "pyenc-py-value", 1, "AES256_GCM", false)
	if err != nil || d.EncryptedKeyMaterial == "" {
		t.Errorf("the DEK Python made in charter: %+v %v", d, err)
	}
}
