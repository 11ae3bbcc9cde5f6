package api_test

import (
	"encoding/base64"
	"testing"
)

// An alias (PUT /config/zz {"alias": ...}) stands for its target on the
// /subjects and /compatibility routes, as Confluent's AliasFilter makes
// it: registration, lookup, version reads and listings, and deletes go to
// the target. /config/zz is the alias's own config. Resolution is one
// level.
func TestSubjectAliasResolvesToTarget(t *testing.T) {
	h := newHarness(t)
	id, _ := h.register("orders-value", recordV1)
	if r := h.do("PUT", "/config/zz", map[string]any{"alias": "orders-value"}); r.status != 200 {
		t.Fatalf("put alias: %d %s", r.status, r.body)
	}

	var v struct {
		Subject string `json:"subject"`
		Version int    `json:"version"`
		ID      int    `json:"id"`
	}
	r := h.do("GET", "/subjects/zz/versions/latest", nil)
	if r.status != 200 {
		t.Fatalf("latest through alias: %d %s", r.status, r.body)
	}
	r.json(t, &v)
	if v.Subject != "orders-value" || v.Version != 1 || v.ID != id {
		t.Fatalf("latest through alias = %+v, want orders-value v1 id %d", v, id)
	}
	if r := h.do("GET", "/subjects/zz/versions/1/schema", nil); r.status != 200 {
		t.Fatalf("raw schema through alias: %d %s", r.status, r.body)
	}

	// Registering through the alias adds a version to the target.
	r = h.do("POST", "/subjects/zz/versions", map[string]any{"schema": recordV2Default})
	if r.status != 200 {
		t.Fatalf("register through alias: %d %s", r.status, r.body)
	}
	var vs []int
	h.do("GET", "/subjects/orders-value/versions", nil).json(t, &vs)
	if len(vs) != 2 {
		t.Fatalf("target versions after register through alias = %v, want [1 2]", vs)
	}
	var avs []int
	h.do("GET", "/subjects/zz/versions", nil).json(t, &avs)
	if len(avs) != 2 {
		t.Fatalf("versions through alias = %v, want [1 2]", avs)
	}
	var subjects []string
	h.do("GET", "/subjects", nil).json(t, &subjects)
	if len(subjects) != 1 || subjects[0] != "orders-value" {
		t.Fatalf("subjects = %v, want only orders-value (an alias is not a subject)", subjects)
	}

	// Lookup and compatibility go to the target.
	r = h.do("POST", "/subjects/zz", map[string]any{"schema": recordV1})
	if r.status != 200 {
		t.Fatalf("lookup through alias: %d %s", r.status, r.body)
	}
	r.json(t, &v)
	if v.Subject != "orders-value" || v.Version != 1 {
		t.Fatalf("lookup through alias = %+v", v)
	}
	r = h.do("POST", "/compatibility/subjects/zz/versions/1", map[string]any{"schema": recordV2NoDef})
	if r.status != 200 {
		t.Fatalf("compatibility through alias: %d %s", r.status, r.body)
	}
	var cr struct {
		IsCompatible bool `json:"is_compatible"`
	}
	r.json(t, &cr)
	if cr.IsCompatible {
		t.Fatalf("compatibility through alias checked against nothing: %s", r.body)
	}

	// The alias's own config is not resolved.
	var cfg struct {
		Alias string `json:"alias"`
	}
	h.do("GET", "/config/zz", nil).json(t, &cfg)
	if cfg.Alias != "orders-value" {
		t.Fatalf("GET /config/zz alias = %q", cfg.Alias)
	}

	// One level: an alias of the alias resolves to the alias, which has
	// no versions.
	if r := h.do("PUT", "/config/yy", map[string]any{"alias": "zz"}); r.status != 200 {
		t.Fatalf("put alias of alias: %d %s", r.status, r.body)
	}
	r = h.do("GET", "/subjects/yy/versions/latest", nil)
	if r.status != 404 || r.errorCode(t) != 40401 {
		t.Fatalf("alias of an alias: %d %s, want 404 40401 for subject zz", r.status, r.body)
	}

	// Deleting through the alias deletes the target's version.
	r = h.do("DELETE", "/subjects/zz/versions/2", nil)
	if r.status != 200 {
		t.Fatalf("delete version through alias: %d %s", r.status, r.body)
	}
	vs = nil
	h.do("GET", "/subjects/orders-value/versions", nil).json(t, &vs)
	if len(vs) != 1 {
		t.Fatalf("target versions after delete through alias = %v, want [1]", vs)
	}
	if r := h.do("DELETE", "/subjects/zz", nil); r.status != 200 {
		t.Fatalf("delete subject through alias: %d %s", r.status, r.body)
	}
	r = h.do("GET", "/subjects/orders-value/versions", nil)
	if r.status != 404 {
		t.Fatalf("target after delete through alias: %d %s", r.status, r.body)
	}
}

// An alias without a context takes the context of the subject declaring
// it; an encoded name in the path is resolved and re-encoded.
func TestSubjectAliasContext(t *testing.T) {
	h := newHarness(t)
	h.register(":.staging:orders-value", recordV1)
	if r := h.do("PUT", "/config/:.staging:zz", map[string]any{"alias": "orders-value"}); r.status != 200 {
		t.Fatalf("put alias: %d %s", r.status, r.body)
	}
	var v struct {
		Subject string `json:"subject"`
	}
	r := h.do("GET", "/subjects/:.staging:zz/versions/latest", nil)
	if r.status != 200 {
		t.Fatalf("latest through context alias: %d %s", r.status, r.body)
	}
	r.json(t, &v)
	if v.Subject != ":.staging:orders-value" {
		t.Fatalf("subject = %q, want :.staging:orders-value", v.Subject)
	}

	if r := h.do("PUT", "/config/a%2Fb", map[string]any{"alias": "c/d"}); r.status != 200 {
		t.Fatalf("put alias: %d %s", r.status, r.body)
	}
	h.register("c%2Fd", recordV1)
	r = h.do("GET", "/subjects/a%2Fb/versions/1", nil)
	if r.status != 200 {
		t.Fatalf("latest through encoded alias: %d %s", r.status, r.body)
	}
	r.json(t, &v)
	if v.Subject != "c/d" {
		t.Fatalf("subject = %q, want c/d", v.Subject)
	}
}

// The DEK routes resolve the subject after "deks" too, as Confluent's
// AliasFilter does (charter has no aliasForDeks, so the alias is used).
func TestSubjectAliasOnDekRoutes(t *testing.T) {
	h := newHarness(t)
	wantDekOK(t, h, "POST", "", map[string]any{"name": "k", "kmsType": "local-kms", "kmsKeyId": "local-kms://k"}, 200, nil)
	if r := h.do("PUT", "/config/zz", map[string]any{"alias": "orders-value"}); r.status != 200 {
		t.Fatalf("put alias: %d %s", r.status, r.body)
	}
	wrapped := base64.StdEncoding.EncodeToString([]byte("wrapped-by-the-client"))
	var d map[string]any
	wantDekOK(t, h, "POST", "/k/deks/zz", map[string]any{"encryptedKeyMaterial": wrapped}, 200, &d)
	if d["subject"] != "orders-value" {
		t.Errorf("DEK created through the alias: %v, want subject orders-value", d)
	}
	d = nil
	wantDekOK(t, h, "GET", "/k/deks/orders-value", nil, 200, &d)
	if d["subject"] != "orders-value" {
		t.Errorf("DEK of the target: %v", d)
	}
	d = nil
	wantDekOK(t, h, "GET", "/k/deks/zz/versions/1", nil, 200, &d)
	if d["subject"] != "orders-value" {
		t.Errorf("DEK read through the alias: %v", d)
	}
}

// An alias gives no more rights than its target: the registry authorises
// the target subject, so a principal that may not write orders-value may
// not write it through an alias it set up on a subject nobody owns.
func TestSubjectAliasIsAuthorisedAsItsTarget(t *testing.T) {
	h := newAuthHarness(t, authOptions{})
	h.seedGovernance()
	body := map[string]any{"schema": recordV2Default}
	direct := h.call(asOther, "POST", "/subjects/orders-value/versions", body)
	if direct.status != 403 {
		t.Fatalf("other writing orders-value directly: %d %s, want 403", direct.status, direct.body)
	}
	h.must(asOther, "PUT", "/config/zz", map[string]any{"alias": "orders-value"})
	r := h.call(asOther, "POST", "/subjects/zz/versions", body)
	if r.status != direct.status || r.errorCode(t) != direct.errorCode(t) {
		t.Errorf("other writing orders-value through an alias: %d %s, want what the direct write gets: %d %s", r.status, r.body, direct.status, direct.body)
	}
	h.must(asOwner, "POST", "/subjects/zz/versions", body)
}
