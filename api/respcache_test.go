package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/charter-registry/charter"
	"github.com/charter-registry/charter/api"
	"github.com/charter-registry/charter/internal/registrytest"
)

// TestResponseCacheNeverServesAStaleAnswer drives one registry through
// registrations, soft and hard deletes, a new latest version, IMPORT mode
// and id reuse, and after every step asks two API servers over it every
// variant of the two cached reads: one with the response cache, asked
// twice so that the second answer comes from the cache, and one without.
// Every answer must be the same byte for byte, with the same status and
// content type.
func TestResponseCacheNeverServesAStaleAnswer(t *testing.T) {
	t.Parallel() // a registry of its own
	svc, keys, _ := registrytest.RunStoppable(t)
	cached := api.New(svc, api.Config{OpenAPI: charter.OpenAPI(), Keys: keys})
	plain := api.New(svc, api.Config{OpenAPI: charter.OpenAPI(), Keys: keys, ResponseCacheBytes: -1})

	call := func(h http.Handler, method, path, accept string, body any) *httptest.ResponseRecorder {
		t.Helper()
		var rd *bytes.Reader
		if body != nil {
			b, err := json.Marshal(body)
			if err != nil {
				t.Fatal(err)
			}
			rd = bytes.NewReader(b)
		} else {
			rd = bytes.NewReader(nil)
		}
		req := httptest.NewRequest(method, path, rd)
		if body != nil {
			req.Header.Set("Content-Type", "application/vnd.schemaregistry.v1+json")
		}
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	write := func(method, path string, body any) {
		t.Helper()
		if rec := call(cached.Handler(), method, path, "", body); rec.Code != http.StatusOK {
			t.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
		}
	}
	avro := func(name string, fields ...string) map[string]any {
		fs := ""
		for i, f := range fields {
			if i > 0 {
				fs += ","
			}
			fs += fmt.Sprintf(`{"name":%q,"type":"string","default":""}`, f)
		}
		return map[string]any{"schema": fmt.Sprintf(`{"type":"record","name":%q,"fields":[%s]}`, name, fs)}
	}
	subjects := []string{"orders-value", "shared-value", "proto-value", "imported-value", "staged-value", ":.staging:staged-value", ":.staging:orders-value"}
	compare := func(step string) {
		t.Helper()
		var paths []string
		for id := 0; id <= svc.MaxID()+1; id++ {
			base := "/schemas/ids/" + strconv.Itoa(id)
			paths = append(paths, base, base+"?fetchMaxId=false", base+"?fetchMaxId=true", base+"?fetchMaxId=FALSE&subject=orders-value",
				base+"?subject=shared-value", base+"?subject=:.staging:staged-value", base+"?referenceFormat=qualified", base+"?format=serialized", base+"?format=resolved", base+"?fetchMaxId=nope", base+"?subject=a%2Fb")
		}
		for _, s := range subjects {
			for _, v := range []string{"1", "2", "3", "latest", "-1", "0", "x"} {
				base := "/subjects/" + s + "/versions/" + v
				paths = append(paths, base, base+"?deleted=true", base+"?deleted=false", base+"?deleted=True&deleted=false", base+"?format=serialized", base+"?deleted=maybe", base+"?referenceFormat=qualified")
			}
		}
		for _, p := range paths {
			for _, method := range []string{http.MethodGet, http.MethodHead} {
				for _, accept := range []string{"", "application/json", "application/vnd.schemaregistry+json; q=0.9, */*; q=0.1", "text/html"} {
					first := call(cached.Handler(), method, p, accept, nil)
					again := call(cached.Handler(), method, p, accept, nil)
					want := call(plain.Handler(), method, p, accept, nil)
					for _, got := range []*httptest.ResponseRecorder{first, again} {
						if got.Code != want.Code || !bytes.Equal(got.Body.Bytes(), want.Body.Bytes()) || got.Header().Get("Content-Type") != want.Header().Get("Content-Type") {
							t.Errorf("%s: %s %s (Accept %q): cached %d %s %q, uncached %d %s %q", step, method, p, accept,
								got.Code, got.Header().Get("Content-Type"), got.Body, want.Code, want.Header().Get("Content-Type"), want.Body)
						}
					}
				}
			}
		}
	}

	write(http.MethodPost, "/subjects/orders-value/versions", avro("Order", "a"))
	write(http.MethodPost, "/subjects/orders-value/versions", avro("Order", "a", "b"))
	write(http.MethodPost, "/subjects/shared-value/versions", avro("Order", "a"))
	write(http.MethodPost, "/subjects/proto-value/versions", map[string]any{"schemaType": "PROTOBUF", "schema": "syntax = \"proto3\";\nmessage M { string a = 1; }\n"})
	// An unqualified read of a subject only another context holds falls
	// back to it, as Confluent's getUsingContexts does.
	write(http.MethodPost, "/subjects/:.staging:staged-value/versions", avro("Staged", "s"))
	compare("registered")
	if api.ResponseCacheEntries(cached) == 0 {
		t.Fatal("the cached server kept no response bodies")
	}

	write(http.MethodPost, "/subjects/orders-value/versions", avro("Order", "a", "b", "c"))
	compare("a new latest version")
	write(http.MethodDelete, "/subjects/orders-value/versions/3", nil)
	compare("the latest version soft-deleted")
	write(http.MethodDelete, "/subjects/orders-value/versions/3?permanent=true", nil)
	compare("the latest version hard-deleted")
	write(http.MethodDelete, "/subjects/shared-value", nil)
	compare("a subject soft-deleted")
	write(http.MethodDelete, "/subjects/shared-value?permanent=true", nil)
	compare("a subject hard-deleted")
	write(http.MethodPost, "/subjects/shared-value/versions", avro("Order", "a"))
	compare("a subject registered again")
	write(http.MethodPost, "/subjects/staged-value/versions", avro("Staged", "s"))
	compare("the other context's subject registered in the default context")
	write(http.MethodPost, "/subjects/orders-value/versions", map[string]any{"schema": avro("Order", "a", "b")["schema"], "metadata": map[string]any{"properties": map[string]string{"owner": "sales"}}})
	compare("the same text with metadata")

	write(http.MethodPut, "/mode/imported-value", map[string]any{"mode": "IMPORT"})
	imported := avro("Imported", "x")
	imported["id"], imported["version"] = svc.MaxID()+5, 4
	write(http.MethodPost, "/subjects/imported-value/versions", imported)
	compare("imported with an id and version of its own")
	write(http.MethodDelete, "/subjects/imported-value", nil)
	write(http.MethodDelete, "/subjects/imported-value?permanent=true", nil)
	compare("the import hard-deleted")
	again := avro("Imported", "x")
	again["id"], again["version"] = imported["id"], 4
	write(http.MethodPost, "/subjects/imported-value/versions", again)
	compare("the same id imported again")
}

// TestResponseCacheStaysWithinItsBudget fills a small cache with more
// bodies than it can hold.
func TestResponseCacheStaysWithinItsBudget(t *testing.T) {
	svc, keys, _ := registrytest.RunStoppable(t)
	srv := api.New(svc, api.Config{OpenAPI: charter.OpenAPI(), Keys: keys, ResponseCacheBytes: 4 << 10})
	h := srv.Handler()
	for i := range 40 {
		body := fmt.Sprintf(`{"schema":"{\"type\":\"record\",\"name\":\"R%d\",\"fields\":[{\"name\":\"a\",\"type\":\"long\"}]}"}`, i)
		req := httptest.NewRequest(http.MethodPost, fmt.Sprintf("/subjects/s%d/versions", i), bytes.NewBufferString(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("register: %d %s", rec.Code, rec.Body)
		}
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, fmt.Sprintf("/subjects/s%d/versions/1", i), nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("read: %d %s", rec.Code, rec.Body)
		}
	}
	// Each entry costs its body (~150 bytes), its subject and 160 bytes
	// of overhead: 4 KiB holds about a dozen, never all 40.
	if n := api.ResponseCacheEntries(srv); n == 0 || n >= 40 {
		t.Fatalf("%d entries kept in a 4 KiB cache after 40 reads", n)
	}
}

// TestHotBodiesAreOnlyThoseTheCacheHolds reads more schemas by id than a
// small cache holds, each twice (the second read answers hot): a body the
// cache drops is answered hot no more, so the hot answers never hold more
// than the cache's budget, and every read still answers its own schema.
func TestHotBodiesAreOnlyThoseTheCacheHolds(t *testing.T) {
	svc, keys, _ := registrytest.RunStoppable(t)
	srv := api.New(svc, api.Config{OpenAPI: charter.OpenAPI(), Keys: keys, ResponseCacheBytes: 4 << 10})
	h := srv.Handler()
	for i := range 40 {
		body := fmt.Sprintf(`{"schema":"{\"type\":\"record\",\"name\":\"R%d\",\"fields\":[{\"name\":\"a\",\"type\":\"long\"}]}"}`, i)
		req := httptest.NewRequest(http.MethodPost, fmt.Sprintf("/subjects/s%d/versions", i), bytes.NewBufferString(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("register: %d %s", rec.Code, rec.Body)
		}
	}
	for round := range 2 {
		for id := 1; id <= 40; id++ {
			for range 2 {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, fmt.Sprintf("/schemas/ids/%d", id), nil))
				if want := fmt.Sprintf(`\"name\":\"R%d\"`, id-1); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), want) {
					t.Fatalf("round %d, GET /schemas/ids/%d: %d %s, want %s", round, id, rec.Code, rec.Body, want)
				}
			}
		}
	}
	hot, dropped := api.HotResponseBodies(srv)
	if hot == 0 || dropped != 0 {
		t.Fatalf("%d bodies answered hot, %d of them no longer in the cache", hot, dropped)
	}
	if n := api.ResponseCacheEntries(srv); hot > n {
		t.Fatalf("%d bodies answered hot, more than the %d the cache holds", hot, n)
	}
}
