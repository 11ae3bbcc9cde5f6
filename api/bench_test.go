package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/charter-registry/charter"
	"github.com/charter-registry/charter/api"
	"github.com/charter-registry/charter/internal/cputime"
	"github.com/charter-registry/charter/internal/registrytest"
	"github.com/charter-registry/charter/registry"
)

// BenchmarkGetSchemaByID serves GET /schemas/ids/{id} through the whole
// echo handler chain (request id, metrics, readiness, timeout, JSON
// encoding) with no network: the server-side cost of a serializer's cache
// miss. The allocations include httptest.NewRecorder's. The ceiling
// sub-benchmark answers the same requests with a plain handler that writes
// a body of the same size.
func BenchmarkGetSchemaByID(b *testing.B) {
	ctx := context.Background()
	svc := registrytest.Run(b)
	const n = 256
	reqs := make([]*http.Request, n)
	for i := range n {
		schema := fmt.Sprintf(`{"type":"record","name":"Order","namespace":"com.acme.sales.v%d","fields":[`+
			`{"name":"id","type":"string"},{"name":"customer","type":"long"},`+
			`{"name":"amount","type":"double","default":0},`+
			`{"name":"currency","type":{"type":"enum","name":"Currency","symbols":["EUR","USD","GBP"]},"default":"EUR"},`+
			`{"name":"note","type":["null","string"],"default":null}]}`, i)
		s, err := svc.Register(ctx, fmt.Sprintf("orders-%d-value", i), registry.RegisterRequest{Schema: schema})
		if err != nil {
			b.Fatal(err)
		}
		reqs[i] = httptest.NewRequest(http.MethodGet, "/schemas/ids/"+strconv.Itoa(s.ID), nil)
	}
	h := api.New(svc, api.Config{OpenAPI: charter.OpenAPI()}).Handler()

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, reqs[0])
	if rec.Code != http.StatusOK {
		b.Fatalf("GET %s: %d %s", reqs[0].URL, rec.Code, rec.Body)
	}
	body := rec.Body.Bytes()

	b.Run("charter", func(b *testing.B) {
		b.ReportAllocs()
		cpu, _ := cputime.Process()
		i := 0
		for b.Loop() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, reqs[i%n])
			if rec.Code != http.StatusOK {
				b.Fatalf("GET %s: %d", reqs[i%n].URL, rec.Code)
			}
			i++
		}
		reportCPU(b, cpu)
		b.ReportMetric(float64(len(body)), "body-bytes")
	})

	b.Run("ceiling", func(b *testing.B) {
		ct := rec.Header().Get("Content-Type")
		length := strconv.Itoa(len(body))
		plain := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", ct)
			w.Header().Set("Content-Length", length)
			_, _ = w.Write(body)
		})
		b.ReportAllocs()
		cpu, _ := cputime.Process()
		i := 0
		for b.Loop() {
			rec := httptest.NewRecorder()
			plain.ServeHTTP(rec, reqs[i%n])
			if rec.Code != http.StatusOK {
				b.Fatalf("ceiling: %d", rec.Code)
			}
			i++
		}
		reportCPU(b, cpu)
	})
}

// reportCPU reports the process's CPU time per iteration since from
// (cpu-ns/op): on a machine whose cores are shared, ns/op counts the time
// spent waiting for one as well.
func reportCPU(b *testing.B, from time.Duration) {
	if end, ok := cputime.Process(); ok {
		b.ReportMetric(cputime.PerOp(from, end, b.N)*float64(time.Millisecond), "cpu-ns/op")
	}
}

// BenchmarkGetSchemaByIDWithAuth serves GET /schemas/ids/{id} as
// BenchmarkGetSchemaByID does, with authentication and authorization on
// (a bearer key of a team's principal) over a registry of 2,000 subjects:
// the visibility check asks governance about the subjects holding the id,
// which the snapshot indexes, so its cost does not grow with the registry.
func BenchmarkGetSchemaByIDWithAuth(b *testing.B) {
	ctx := registry.WithPrincipal(context.Background(), registry.Principal{Name: "root", Admin: true})
	svc := registrytest.Run(b, registrytest.WithAccess(registry.AccessConfig{Enforce: true, Unowned: registry.UnownedOpen}))
	const n = 2000
	const key = "chk_bench-reader-key-0123456789abcdef012345678"
	creds, err := api.ParseCredentials(fmt.Appendf(nil, "principals:\n  - name: reader\n    teams: [payments]\n    keys: [%s]\n", api.HashAPIKey(key)))
	if err != nil {
		b.Fatal(err)
	}
	reqs := make([]*http.Request, n)
	for i := range n {
		schema := fmt.Sprintf(`{"type":"record","name":"Order","namespace":"com.acme.sales.v%d","fields":[{"name":"id","type":"string"}]}`, i)
		s, err := svc.Register(ctx, fmt.Sprintf("orders-%d-value", i), registry.RegisterRequest{Schema: schema})
		if err != nil {
			b.Fatal(err)
		}
		reqs[i] = httptest.NewRequest(http.MethodGet, "/schemas/ids/"+strconv.Itoa(s.ID), nil)
		reqs[i].Header.Set("Authorization", "Bearer "+key)
	}
	h := api.New(svc, api.Config{OpenAPI: charter.OpenAPI(), Auth: api.AuthConfig{Required: true, Credentials: creds}}).Handler()
	b.ReportAllocs()
	cpu, _ := cputime.Process()
	i := 0
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, reqs[i%n])
		if rec.Code != http.StatusOK {
			b.Fatalf("GET %s: %d %s", reqs[i%n].URL, rec.Code, rec.Body)
		}
		i++
	}
	reportCPU(b, cpu)
}
