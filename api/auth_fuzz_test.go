package api_test

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/charter-registry/charter/api"
)

// FuzzParseCredentials feeds arbitrary documents to the credentials
// parser: it must never panic, and whatever it accepts must hold only
// hashed secrets that resolve to named principals.
func FuzzParseCredentials(f *testing.F) {
	for _, seed := range []string{
		"principals:\n  - name: a\n    keys: [sha256:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" + "]\n",
		"principals:\n  - name: b\n    admin: true\n    teams: [x, y]\n    password: pbkdf2-sha256:10000:c2FsdHNhbHQ:aGFzaGhhc2hoYXNoaGFzaA\n",
		"principals: []\n",
		"principals:\n  - name: a\n    keys: [plaintext]\n",
		"principals:\n  - {name: a, keys: [sha256:zz]}\n",
		"principals:\n  - name: a\n    password: pbkdf2-sha256:1:x:y\n",
		"",
		"{",
		"principals: [[[",
		"colour: blue\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		c, err := api.ParseCredentials([]byte(doc))
		if err != nil {
			return
		}
		if c.Principals() < 0 {
			t.Fatalf("negative principal count")
		}
	})
}

// FuzzAuthorizationHeader sends arbitrary Authorization headers through the
// whole handler stack: the answer is 200 for the one valid header and 401
// (or 429 once wrong passwords have used up the failure limit) for
// everything else, never a server error.
func FuzzAuthorizationHeader(f *testing.F) {
	valid := "Bearer " + testKeys[asOwner]
	for _, seed := range []string{
		valid, "Bearer ", "Bearer x", "Basic ", "Basic !!!", basic("pay-ci", testKeys[asOwner]),
		basic("pay-ci", ""), basic("", ""), "Basic " + "Og==", "Digest x", " ", "bearer\t" + testKeys[asOwner],
		"Basic cGF5LWNpOg", "Bearer " + testKeys[asOwner] + "\x00",
	} {
		f.Add(seed)
	}
	h := newAuthHarness(f, authOptions{})
	handler := h.api.Handler()
	f.Fuzz(func(t *testing.T, header string) {
		req := httptest.NewRequest("GET", "/v1/auth/whoami", nil)
		req.Header.Set("Authorization", header)
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		// 429: the fuzzer's wrong passwords used up the failure limit.
		if rec.Code != http.StatusOK && rec.Code != http.StatusUnauthorized && (rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "") {
			t.Fatalf("Authorization %q: %d %s, want 200, 401 or 429 with Retry-After", header, rec.Code, rec.Body)
		}
		if want := validAuthorization(header); (rec.Code == http.StatusOK) != want {
			t.Fatalf("Authorization %q: %d, valid=%v", header, rec.Code, want)
		}
	})
}

// validAuthorization is the oracle: a Bearer API key of a principal, or
// basic credentials naming a principal and one of its keys, with the
// scheme in any case.
func validAuthorization(header string) bool {
	names := map[string]string{"root": asAdmin, "pay-ci": asOwner, "ship-ci": asOther}
	scheme, value, _ := strings.Cut(header, " ")
	value = strings.TrimSpace(value)
	switch strings.ToLower(scheme) {
	case "bearer":
		for _, k := range testKeys {
			if value == k {
				return true
			}
		}
	case "basic":
		raw, err := base64.StdEncoding.DecodeString(value)
		if err != nil {
			return false
		}
		name, secret, ok := strings.Cut(string(raw), ":")
		who, known := names[name]
		return ok && known && secret == testKeys[who]
	}
	return false
}
