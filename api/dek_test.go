package api_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/charter-registry/charter/contracts/encryption"
)

// dekCall makes a request to the DEK registry and returns the status and
// body; unlike send it expects 500s (50070).
func dekCall(t *testing.T, h *harness, method, path string, body any) (int, []byte) {
	t.Helper()
	res, b := roundTrip(t, method, h.srv.URL+"/dek-registry/v1/keks"+path, body, "application/json", "")
	return res.StatusCode, b
}

// wantDekError checks status, Confluent error code and message.
func wantDekError(t *testing.T, h *harness, method, path string, body any, status, code int, message string) {
	t.Helper()
	st, b := dekCall(t, h, method, path, body)
	var e struct {
		ErrorCode int    `json:"error_code"`
		Message   string `json:"message"`
	}
	_ = json.Unmarshal(b, &e)
	if st != status || e.ErrorCode != code || (message != "" && e.Message != message) {
		t.Errorf("%s %s: got %d %s, want %d {error_code %d, message %q}", method, path, st, b, status, code, message)
	}
}

func wantDekOK(t *testing.T, h *harness, method, path string, body any, status int, out any) {
	t.Helper()
	st, b := dekCall(t, h, method, path, body)
	if st != status {
		t.Fatalf("%s %s: got %d %s, want %d", method, path, st, b, status)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
}

// TestKekLifecycleAsConfluent pins the KEK routes to the statuses, error
// codes and messages of Confluent's DekRegistryResource.
func TestKekLifecycleAsConfluent(t *testing.T) {
	h := newHarness(t)
	kek := map[string]any{"name": "orders-kek", "kmsType": "local-kms", "kmsKeyId": "local-kms://orders", "doc": "orders"}
	var got map[string]any
	wantDekOK(t, h, "POST", "", kek, 200, &got)
	if got["name"] != "orders-kek" || got["kmsType"] != "local-kms" || got["kmsKeyId"] != "local-kms://orders" || got["shared"] != false || got["doc"] != "orders" {
		t.Errorf("created KEK: %v", got)
	}
	if _, ok := got["deleted"]; ok {
		t.Errorf("a live KEK shows no deleted field, as Confluent's: %v", got)
	}
	if props, ok := got["kmsProps"].(map[string]any); !ok || len(props) != 0 {
		t.Errorf("kmsProps is an empty object: %v", got)
	}
	if ts, _ := got["ts"].(float64); ts <= 0 {
		t.Errorf("no timestamp: %v", got)
	}
	wantDekError(t, h, "POST", "", kek, 409, 40971, "Key 'orders-kek' already exists; use a different value")
	wantDekError(t, h, "POST", "", map[string]any{"name": "1bad", "kmsType": "local-kms", "kmsKeyId": "k"}, 422, 42271, "Invalid or missing value for field 'name' of key")
	wantDekError(t, h, "POST", "", map[string]any{"name": "k2", "kmsType": "local-kms"}, 422, 42271, "Invalid or missing value for field 'kmsKeyId' of key")
	wantDekError(t, h, "POST", "", map[string]any{"name": "k2", "kmsKeyId": "x"}, 422, 42271, "Invalid or missing value for field 'kmsType' of key")
	wantDekError(t, h, "POST", "", map[string]any{"name": "k2", "kmsType": "aws-kms", "kmsKeyId": "not-an-arn"}, 422, 42271, "Invalid or missing value for field 'kmsKeyId' of key")
	wantDekError(t, h, "GET", "/nope", nil, 404, 40470, "Key 'nope' not found")

	var names []string
	wantDekOK(t, h, "GET", "", nil, 200, &names)
	if len(names) != 1 || names[0] != "orders-kek" {
		t.Errorf("KEK names: %v", names)
	}
	wantDekOK(t, h, "PUT", "/orders-kek", map[string]any{"doc": "changed", "kmsProps": map[string]string{"b": "2", "a": "1"}}, 200, &got)
	if got["doc"] != "changed" || got["kmsKeyId"] != "local-kms://orders" {
		t.Errorf("updated KEK: %v", got)
	}
	wantDekError(t, h, "PUT", "/nope", map[string]any{"doc": "x"}, 404, 40470, "Key 'nope' not found")
	// A non-shared KEK cannot be tested: the registry cannot reach its KMS.
	wantDekError(t, h, "POST", "/orders-kek/test", nil, 422, 42271, "Invalid or missing value for field 'shared' of key")

	wantDekError(t, h, "DELETE", "/orders-kek?permanent=true", nil, 404, 40471, "Key 'orders-kek' was not deleted first before being permanently deleted")
	wantDekOK(t, h, "DELETE", "/orders-kek", nil, 204, nil)
	wantDekError(t, h, "GET", "/orders-kek", nil, 404, 40470, "Key 'orders-kek' not found")
	wantDekOK(t, h, "GET", "/orders-kek?deleted=true", nil, 200, &got)
	if got["deleted"] != true {
		t.Errorf("soft-deleted KEK: %v", got)
	}
	wantDekOK(t, h, "GET", "", nil, 200, &names)
	if len(names) != 0 {
		t.Errorf("a deleted KEK is listed: %v", names)
	}
	wantDekOK(t, h, "GET", "?deleted=true", nil, 200, &names)
	if len(names) != 1 {
		t.Errorf("deleted=true lists the deleted KEK: %v", names)
	}
	wantDekOK(t, h, "POST", "/orders-kek/undelete", nil, 204, nil)
	wantDekOK(t, h, "GET", "/orders-kek", nil, 200, &got)
	wantDekOK(t, h, "DELETE", "/orders-kek", nil, 204, nil)
	wantDekOK(t, h, "DELETE", "/orders-kek?permanent=true", nil, 204, nil)
	wantDekError(t, h, "GET", "/orders-kek?deleted=true", nil, 404, 40470, "Key 'orders-kek' not found")
	wantDekError(t, h, "POST", "/orders-kek/undelete", nil, 404, 40470, "Key 'orders-kek' not found")
}

// TestDeksOfANonSharedKek covers DEK versions, algorithms and deletion for
// a KEK only clients can reach: they send the wrapped key material.
func TestDeksOfANonSharedKek(t *testing.T) {
	h := newHarness(t)
	wantDekOK(t, h, "POST", "", map[string]any{"name": "k", "kmsType": "local-kms", "kmsKeyId": "local-kms://k"}, 200, nil)
	wrapped := base64.StdEncoding.EncodeToString([]byte("wrapped-by-the-client"))
	wantDekError(t, h, "POST", "/k/deks/orders-value", map[string]any{}, 422, 42271, "Invalid or missing value for field 'encryptedKeyMaterial' of key")
	wantDekError(t, h, "POST", "/nope/deks/orders-value", map[string]any{"encryptedKeyMaterial": wrapped}, 404, 40470, "Key 'nope' not found")
	var d map[string]any
	wantDekOK(t, h, "POST", "/k/deks/orders-value", map[string]any{"encryptedKeyMaterial": wrapped}, 200, &d)
	if d["kekName"] != "k" || d["subject"] != "orders-value" || d["version"] != float64(1) || d["algorithm"] != "AES256_GCM" || d["encryptedKeyMaterial"] != wrapped {
		t.Errorf("created DEK: %v", d)
	}
	if _, ok := d["keyMaterial"]; ok {
		t.Errorf("a non-shared KEK's DEK has no raw key material: %v", d)
	}
	wantDekError(t, h, "POST", "/k/deks/orders-value", map[string]any{"encryptedKeyMaterial": wrapped}, 409, 40971, "Key 'orders-value' already exists; use a different value")
	wantDekOK(t, h, "POST", "/k/deks/orders-value", map[string]any{"encryptedKeyMaterial": wrapped, "version": 2}, 200, nil)
	wantDekOK(t, h, "POST", "/k/deks/orders-value", map[string]any{"encryptedKeyMaterial": wrapped, "algorithm": "AES256_SIV"}, 200, nil)
	// The deprecated route takes the subject from the body.
	wantDekOK(t, h, "POST", "/k/deks", map[string]any{"subject": "parcels-value", "encryptedKeyMaterial": wrapped, "algorithm": "AES128_GCM"}, 200, nil)

	var versions []int
	wantDekOK(t, h, "GET", "/k/deks/orders-value/versions", nil, 200, &versions)
	if len(versions) != 2 || versions[0] != 1 || versions[1] != 2 {
		t.Errorf("versions: %v", versions)
	}
	wantDekOK(t, h, "GET", "/k/deks/orders-value/versions?algorithm=AES256_SIV", nil, 200, &versions)
	if len(versions) != 1 {
		t.Errorf("AES256_SIV versions: %v", versions)
	}
	wantDekOK(t, h, "GET", "/k/deks/orders-value/versions/latest", nil, 200, &d)
	if d["version"] != float64(2) {
		t.Errorf("latest: %v", d)
	}
	// Confluent's GET .../deks/{subject} answers version 1.
	wantDekOK(t, h, "GET", "/k/deks/orders-value", nil, 200, &d)
	if d["version"] != float64(1) {
		t.Errorf("GET dek: %v", d)
	}
	wantDekError(t, h, "GET", "/k/deks/orders-value/versions/0", nil, 422, 42202, "")
	wantDekError(t, h, "GET", "/k/deks/orders-value/versions/9", nil, 404, 40470, "Key 'orders-value' not found")
	wantDekError(t, h, "GET", "/k/deks/nobody", nil, 404, 40470, "Key 'nobody' not found")
	wantDekError(t, h, "GET", "/k/deks/orders-value?algorithm=DES", nil, 422, 42271, "Invalid or missing value for field 'algorithm' of key")
	var subjects []string
	wantDekOK(t, h, "GET", "/k/deks", nil, 200, &subjects)
	if strings.Join(subjects, ",") != "orders-value,parcels-value" {
		t.Errorf("subjects: %v", subjects)
	}
	var names []string
	wantDekOK(t, h, "GET", "?subjectPrefix=parc", nil, 200, &names)
	if len(names) != 1 || names[0] != "k" {
		t.Errorf("KEKs by subject prefix: %v", names)
	}
	wantDekOK(t, h, "GET", "?subjectPrefix=zzz", nil, 200, &names)
	if len(names) != 0 {
		t.Errorf("KEKs by unknown prefix: %v", names)
	}

	// A KEK with live DEKs cannot be deleted.
	wantDekError(t, h, "DELETE", "/k", nil, 422, 42272, "One or more references exist to the key 'k'")
	wantDekError(t, h, "DELETE", "/k/deks/orders-value?permanent=true", nil, 404, 40471, "Key 'orders-value' was not deleted first before being permanently deleted")
	wantDekOK(t, h, "DELETE", "/k/deks/orders-value/versions/2", nil, 204, nil)
	wantDekOK(t, h, "GET", "/k/deks/orders-value/versions/latest", nil, 200, &d)
	if d["version"] != float64(1) {
		t.Errorf("latest after deleting version 2: %v", d)
	}
	wantDekOK(t, h, "GET", "/k/deks/orders-value/versions/2?deleted=true", nil, 200, &d)
	if d["deleted"] != true {
		t.Errorf("soft-deleted version: %v", d)
	}
	wantDekOK(t, h, "POST", "/k/deks/orders-value/versions/2/undelete", nil, 204, nil)
	wantDekOK(t, h, "DELETE", "/k/deks/orders-value", nil, 204, nil)
	wantDekError(t, h, "GET", "/k/deks/orders-value", nil, 404, 40470, "Key 'orders-value' not found")
	// Undeleting DEKs of a deleted KEK is refused.
	wantDekOK(t, h, "DELETE", "/k/deks/orders-value?algorithm=AES256_SIV", nil, 204, nil)
	wantDekOK(t, h, "DELETE", "/k/deks/parcels-value?algorithm=AES128_GCM", nil, 204, nil)
	wantDekOK(t, h, "DELETE", "/k", nil, 204, nil)
	wantDekError(t, h, "POST", "/k/deks/orders-value/undelete", nil, 404, 40472, "Key 'k' must be undeleted first")
	wantDekOK(t, h, "POST", "/k/undelete", nil, 204, nil)
	wantDekOK(t, h, "POST", "/k/deks/orders-value/undelete", nil, 204, nil)
	wantDekOK(t, h, "GET", "/k/deks/orders-value/versions", nil, 200, &versions)
	if len(versions) != 2 {
		t.Errorf("versions after undelete: %v", versions)
	}
	// A permanent KEK delete needs every DEK gone.
	wantDekOK(t, h, "DELETE", "/k/deks/orders-value", nil, 204, nil)
	wantDekOK(t, h, "DELETE", "/k/deks/orders-value?permanent=true", nil, 204, nil)
	wantDekOK(t, h, "DELETE", "/k", nil, 204, nil)
	wantDekError(t, h, "DELETE", "/k?permanent=true", nil, 422, 42272, "One or more references exist to the key 'k'")
}

// TestDeksOfASharedKek: the registry reaches the local KMS, generates the
// DEK, and hands out its raw material, which unwraps to the same bytes
// with the KEK and works as a tink key of the DEK's algorithm.
func TestDeksOfASharedKek(t *testing.T) {
	h := newHarness(t)
	const secret = "test-secret-for-the-local-kms"
	kek := map[string]any{"name": "shared", "kmsType": "local-kms", "kmsKeyId": "local-kms://shared", "shared": true, "kmsProps": map[string]string{"secret": secret}}
	wantDekOK(t, h, "POST", "?testSharing=true", kek, 200, nil)
	wantDekOK(t, h, "POST", "/shared/test", nil, 200, nil)
	for _, alg := range encryption.Formats {
		var d struct {
			Version              int
			Algorithm            string
			EncryptedKeyMaterial string
			KeyMaterial          string
		}
		wantDekOK(t, h, "POST", "/shared/deks/orders-value", map[string]any{"algorithm": alg}, 200, &d)
		if d.Algorithm != string(alg) || d.KeyMaterial == "" || d.EncryptedKeyMaterial == "" {
			t.Fatalf("%s: generated DEK %+v", alg, d)
		}
		wrapped, _ := base64.StdEncoding.DecodeString(d.EncryptedKeyMaterial)
		kekAEAD, err := encryption.LocalAEAD(secret)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := kekAEAD.Decrypt(wrapped, nil)
		if err != nil {
			t.Fatalf("%s: the wrapped material does not unwrap with the local KMS key: %v", alg, err)
		}
		if base64.StdEncoding.EncodeToString(raw) != d.KeyMaterial {
			t.Errorf("%s: keyMaterial is not the unwrapped material", alg)
		}
		c, err := encryption.NewCipher(alg, raw)
		if err != nil {
			t.Fatalf("%s: key material is not a tink key: %v", alg, err)
		}
		ct, _ := c.Encrypt([]byte("x"))
		if pt, err := c.Decrypt(ct); err != nil || string(pt) != "x" {
			t.Errorf("%s: round trip: %q %v", alg, pt, err)
		}
		// A read hands out the same material.
		var again struct{ KeyMaterial string }
		wantDekOK(t, h, "GET", "/shared/deks/orders-value?algorithm="+string(alg), nil, 200, &again)
		if again.KeyMaterial != d.KeyMaterial {
			t.Errorf("%s: read gives other key material", alg)
		}
	}
	// The client may not supply the material of an existing shared DEK.
	wantDekError(t, h, "POST", "/shared/deks/orders-value", map[string]any{"encryptedKeyMaterial": "AAAA"}, 409, 40971, "Key 'orders-value' already exists; use a different value")

	// A shared KEK whose KMS cannot be reached: 50070.
	t.Setenv("LOCAL_SECRET", "")
	wantDekOK(t, h, "POST", "", map[string]any{"name": "nosecret", "kmsType": "local-kms", "kmsKeyId": "local-kms://x", "shared": true}, 200, nil)
	st, b := dekCall(t, h, "POST", "/nosecret/deks/orders-value", map[string]any{})
	if st != 500 || !bytes.Contains(b, []byte(`"error_code":50070`)) || !bytes.Contains(b, []byte("Could not generate encrypted dek for orders-value")) {
		t.Errorf("DEK of an unreachable KMS: %d %s", st, b)
	}
	st, b = dekCall(t, h, "POST", "/nosecret/test", nil)
	if st != 500 || !bytes.Contains(b, []byte(`"error_code":50070`)) {
		t.Errorf("test of an unreachable KMS: %d %s", st, b)
	}
	wantDekError(t, h, "POST", "?testSharing=true", map[string]any{"name": "nosecret2", "kmsType": "local-kms", "kmsKeyId": "local-kms://x", "shared": true}, 500, 50070, "")
	wantDekError(t, h, "GET", "/nosecret2", nil, 404, 40470, "Key 'nosecret2' not found")
}
