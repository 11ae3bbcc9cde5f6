package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/charter-registry/charter"
	"github.com/charter-registry/charter/api"
	"github.com/charter-registry/charter/internal/registrytest"
	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/storage"
	"github.com/charter-registry/charter/storage/memory"
)

type harness struct {
	t   testing.TB
	srv *registrytest.Registry
	svc *registry.Service
	log storage.Log
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	return newHarnessOn(t, memory.New(memory.WithKeyFunc(registry.LogicalKey)))
}

func newHarnessOn(t testing.TB, log storage.Log) *harness {
	t.Helper()
	r := registrytest.Start(t, registrytest.WithLog(log),
		registrytest.WithAPIConfig(api.Config{OpenAPI: charter.OpenAPI(), MaxBodyBytes: 4 << 20}))
	return &harness{t: t, srv: r, svc: r.Service, log: log}
}

type response struct {
	status int
	body   []byte
	header http.Header
}

func (r response) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

func (r response) errorCode(t testing.TB) int {
	t.Helper()
	var e struct {
		ErrorCode int    `json:"error_code"`
		Message   string `json:"message"`
	}
	r.json(t, &e)
	if e.Message == "" {
		t.Fatalf("error without message: %s", r.body)
	}
	return e.ErrorCode
}

func (h *harness) do(method, path string, body any) response {
	h.t.Helper()
	return send(h.t, h.srv.URL, method, path, body, "")
}

// roundTrip makes a request to url with body (nil, a string, bytes, or a
// value sent as JSON, as contentType) and, unless it is empty, the
// Authorization header authorization, and returns the answer with its
// body read. It fails t on a transport error only.
func roundTrip(t testing.TB, method, url string, body any, contentType, authorization string) (*http.Response, []byte) {
	t.Helper()
	header := http.Header{}
	if authorization != "" {
		header.Set("Authorization", authorization)
	}
	return roundTripHeader(t, method, url, body, contentType, header)
}

// roundTripHeader is roundTrip with the request headers header (which
// may hold Authorization) instead of an Authorization value alone.
func roundTripHeader(t testing.TB, method, url string, body any, contentType string, header http.Header) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		enc, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(enc)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", contentType)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, b
}

// sendHeader sends a request to base+path with body (as roundTrip takes
// it) and the request headers header, and returns the answer. Unlike send
// it reports nothing by itself.
func sendHeader(t testing.TB, base, method, path string, body any, header http.Header) response {
	t.Helper()
	res, b := roundTripHeader(t, method, base+path, body, "application/vnd.schemaregistry.v1+json", header)
	return response{status: res.StatusCode, body: b, header: res.Header}
}

// send makes a request to base+path with body (nil, a string, bytes, or a
// value sent as JSON) and, unless it is empty, the Authorization header
// authorization. It fails t on a transport error and reports an answer
// of 500 or more as an error.
func send(t testing.TB, base, method, path string, body any, authorization string) response {
	t.Helper()
	res, b := roundTrip(t, method, base+path, body, "application/vnd.schemaregistry.v1+json", authorization)
	if res.StatusCode >= 500 {
		t.Errorf("%s %s: server error %d: %s", method, path, res.StatusCode, b)
	}
	return response{status: res.StatusCode, body: b, header: res.Header}
}

func (h *harness) register(subject, schema string) (id, version int) {
	h.t.Helper()
	r := h.do("POST", "/subjects/"+subject+"/versions", map[string]any{"schema": schema})
	if r.status != 200 {
		h.t.Fatalf("register %s: %d %s", subject, r.status, r.body)
	}
	var out struct{ ID, Version int }
	r.json(h.t, &out)
	return out.ID, out.Version
}

func (h *harness) end() int64 {
	h.t.Helper()
	e, err := h.log.End(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	return e
}

const (
	recordV1        = `{"type":"record","name":"Order","namespace":"acme","fields":[{"name":"id","type":"string"}]}`
	recordV2Default = `{"type":"record","name":"Order","namespace":"acme","fields":[{"name":"id","type":"string"},{"name":"amount","type":"double","default":0}]}`
	recordV2NoDef   = `{"type":"record","name":"Order","namespace":"acme","fields":[{"name":"id","type":"string"},{"name":"amount","type":"double"}]}`
)
