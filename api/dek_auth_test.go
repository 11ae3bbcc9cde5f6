package api_test

import (
	"encoding/base64"
	"testing"
)

// TestDekRoutesFollowOwnership: with auth required, the team owning a
// subject's topic creates and reads its DEKs over HTTP; another team gets
// 403/40301 for both, an anonymous reader 401/40101 even with anonymous
// reads on; KEK changes other than creation are for admins.
func TestDekRoutesFollowOwnership(t *testing.T) {
	h := newAuthHarness(t, authOptions{anonymousRead: true})
	h.seedGovernance()
	kek := map[string]any{"name": "orders-kek", "kmsType": "local-kms", "kmsKeyId": "local-kms://orders"}
	h.must(asOwner, "POST", "/dek-registry/v1/keks", kek)
	dek := map[string]any{"encryptedKeyMaterial": base64.StdEncoding.EncodeToString([]byte("wrapped"))}

	for _, c := range []struct {
		who, method, path string
		body              any
		status, code      int
	}{
		{asOther, "POST", "/dek-registry/v1/keks/orders-kek/deks/orders-value", dek, 403, 40301},
		{asAnonymous, "POST", "/dek-registry/v1/keks/orders-kek/deks/orders-value", dek, 401, 40101},
		{asOwner, "POST", "/dek-registry/v1/keks/orders-kek/deks/orders-value", dek, 200, 0},
		{asOther, "GET", "/dek-registry/v1/keks/orders-kek/deks/orders-value", nil, 403, 40301},
		{asOther, "GET", "/dek-registry/v1/keks/orders-kek/deks/orders-value/versions/latest", nil, 403, 40301},
		{asAnonymous, "GET", "/dek-registry/v1/keks/orders-kek/deks/orders-value", nil, 401, 40101},
		{asOwner, "GET", "/dek-registry/v1/keks/orders-kek/deks/orders-value", nil, 200, 0},
		{asAdmin, "GET", "/dek-registry/v1/keks/orders-kek/deks/orders-value", nil, 200, 0},
		{asOther, "DELETE", "/dek-registry/v1/keks/orders-kek/deks/orders-value", nil, 403, 40301},
		// Names and versions carry no key material: every reader sees them.
		{asOther, "GET", "/dek-registry/v1/keks/orders-kek/deks", nil, 200, 0},
		{asAnonymous, "GET", "/dek-registry/v1/keks/orders-kek", nil, 200, 0},
		{asOwner, "PUT", "/dek-registry/v1/keks/orders-kek", map[string]any{"doc": "x"}, 403, 40301},
		{asOwner, "DELETE", "/dek-registry/v1/keks/orders-kek", nil, 403, 40301},
		{asAdmin, "PUT", "/dek-registry/v1/keks/orders-kek", map[string]any{"doc": "x"}, 200, 0},
		{asAnonymous, "POST", "/dek-registry/v1/keks", map[string]any{"name": "k2", "kmsType": "local-kms", "kmsKeyId": "x"}, 401, 40101},
	} {
		r := h.call(c.who, c.method, c.path, c.body)
		if r.status != c.status || (c.code != 0 && r.errorCode(t) != c.code) {
			t.Errorf("%s %s %s: got %d %s, want %d/%d", c.who, c.method, c.path, r.status, r.body, c.status, c.code)
		}
	}
}
