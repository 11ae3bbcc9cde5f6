package api_test

import (
	"context"
	"encoding/base64"
	"testing"

	"github.com/charter-registry/charter/api"
	"github.com/charter-registry/charter/internal/registrytest"
	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/storage"
)

// The principals of the auth tests, each with its own API key.
const (
	asAdmin     = "admin"
	asOwner     = "owner" // team payments, which owns topic orders
	asOther     = "other" // team shipping, which owns topic parcels
	asAnonymous = "anonymous"
)

// testKeys are the API keys of the principals; the credentials hold only
// their hashes.
var testKeys = map[string]string{
	asAdmin: "chk_test-admin-key-0123456789abcdef0123456789",
	asOwner: "chk_test-owner-key-0123456789abcdef0123456789",
	asOther: "chk_test-other-key-0123456789abcdef0123456789",
}

// testPrincipals are the principals of the auth tests.
func testPrincipals(t testing.TB) []keyedPrincipal {
	return []keyedPrincipal{
		{name: "root", admin: true, key: testKeys[asAdmin]},
		{name: "pay-ci", teams: []string{"payments"}, key: testKeys[asOwner]},
		{name: "ship-ci", teams: []string{"shipping"}, key: testKeys[asOther], password: testPasswordHash(t)},
	}
}

// testPasswordHash is ship-ci's password, at a small work factor: wrong
// passwords for names without one are hashed at the file's usual work
// factor, so this keeps those checks quick too.
func testPasswordHash(t testing.TB) string {
	t.Helper()
	h, err := api.HashPasswordIterations("ship-ci's passphrase", 10_000)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// authHarness is a server with authentication required.
type authHarness struct {
	*governedServer // call and must, as the as* names
	t               testing.TB
	srv             *registrytest.Registry
	svc             *registry.Service
	api             *api.Server
	log             storage.Log
}

type authOptions struct {
	unowned       registry.UnownedPolicy
	anonymousRead bool
	// maxFailures raises the limit on failed password checks, for tests
	// that send more wrong passwords than the default allows.
	maxFailures int
}

func newAuthHarness(t testing.TB, o authOptions) *authHarness {
	t.Helper()
	if o.unowned == "" {
		o.unowned = registry.UnownedOpen
	}
	s := startGoverned(t, testKeys, testPrincipals(t), registry.AccessConfig{Enforce: true, Unowned: o.unowned},
		api.AuthConfig{AnonymousRead: o.anonymousRead, MaxFailures: o.maxFailures})
	r := s.Registry
	return &authHarness{governedServer: s, t: t, srv: r, svc: r.Service, api: r.API, log: r.Log}
}

func (h *authHarness) end() int64 {
	h.t.Helper()
	e, err := h.log.End(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	return e
}

func basic(name, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(name+":"+secret))
}

// seedGovernance creates teams payments, shipping and idle, topic orders
// owned by payments, topic parcels owned by shipping, and version 1 of
// orders-value, parcels-value and loose-value (unowned).
func (h *authHarness) seedGovernance() {
	h.t.Helper()
	for _, team := range []string{"payments", "shipping", "idle"} {
		h.must(asAdmin, "POST", "/v1/catalog/teams", map[string]any{"name": team})
	}
	h.must(asAdmin, "POST", "/v1/catalog/topics", map[string]any{"name": "orders", "owner": "payments"})
	h.must(asAdmin, "POST", "/v1/catalog/topics", map[string]any{"name": "parcels", "owner": "shipping"})
	for _, s := range []string{"orders-value", "parcels-value", "loose-value"} {
		h.must(asAdmin, "POST", "/subjects/"+s+"/versions", map[string]any{"schema": recordV1})
	}
}

func mustCredentials(t testing.TB, yaml string) *api.Credentials {
	t.Helper()
	c, err := api.ParseCredentials([]byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return c
}
