package exporter_test

import (
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/charter-registry/charter/exporter"
	"github.com/charter-registry/charter/internal/registrytest"
)

// guarded serves h only to requests with the wanted Authorization header,
// as a destination behind basic or bearer authentication does, and
// counts the requests that named the exporter.
func guarded(h http.Handler, auth string, named *atomic.Int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Confluent-Schema-Exporter-Name") != "" {
			named.Add(1)
		}
		if r.Header.Get("Authorization") != auth {
			w.Header().Set("Content-Type", "application/vnd.schemaregistry.v1+json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error_code":40101,"message":"Unauthorized"}`))
			return
		}
		h.ServeHTTP(w, r)
	})
}

func TestExporterDestinationCredentials(t *testing.T) {
	cases := []struct {
		name   string
		auth   string
		config func(url string) map[string]string
		tls    bool
	}{
		{"basic", "Basic dTpwdw==", func(u string) map[string]string {
			return map[string]string{"schema.registry.url": u, "basic.auth.credentials.source": "USER_INFO", "basic.auth.user.info": "u:pw"}
		}, false},
		{"basic in URL", "Basic dTpwdw==", func(u string) map[string]string {
			return map[string]string{"schema.registry.url": strings.Replace(u, "://", "://u:pw@", 1), "basic.auth.credentials.source": "URL"}
		}, false},
		{"bearer", "Bearer tok", func(u string) map[string]string {
			return map[string]string{"schema.registry.url": u, "bearer.auth.credentials.source": "STATIC_TOKEN", "bearer.auth.token": "tok"}
		}, false},
		{"tls", "", nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := registrytest.Start(t, registrytest.WithExporters(fast))
			dst := registrytest.Start(t)
			var named atomic.Int64
			var srv *httptest.Server
			var cfg map[string]string
			if c.tls {
				srv = httptest.NewTLSServer(dst.Handler())
				ca := filepath.Join(t.TempDir(), "ca.pem")
				b := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
				if err := os.WriteFile(ca, b, 0o600); err != nil {
					t.Fatal(err)
				}
				cfg = map[string]string{"schema.registry.url": srv.URL, "schema.registry.ssl.ca.location": ca}
			} else {
				srv = httptest.NewServer(guarded(dst.Handler(), c.auth, &named))
				cfg = c.config(srv.URL)
			}
			t.Cleanup(srv.Close)
			register(t, src.URL, "orders-value", record("Order", "a"))
			mustCall(t, http.MethodPost, src.URL+"/exporters", map[string]any{"name": "x", "contextType": "NONE", "config": cfg})
			eventually(t, "exported", samePicture(src.Service, dst.Service, func(s string) string { return s }))
			if !c.tls && named.Load() == 0 {
				t.Error("no request named the exporter in Confluent-Schema-Exporter-Name")
			}
		})
	}
}

// Wrong credentials and an unknown CA leave the exporter in ERROR with
// the destination's answer in its trace; nothing is written.
func TestExporterDestinationRefusal(t *testing.T) {
	src := registrytest.Start(t, registrytest.WithExporters(fast))
	dst := registrytest.Start(t)
	var named atomic.Int64
	srv := httptest.NewServer(guarded(dst.Handler(), "Bearer right", &named))
	t.Cleanup(srv.Close)
	tlsSrv := httptest.NewTLSServer(dst.Handler())
	t.Cleanup(tlsSrv.Close)
	register(t, src.URL, "orders-value", record("Order", "a"))
	mustCall(t, http.MethodPost, src.URL+"/exporters", map[string]any{"name": "wrong", "contextType": "NONE",
		"config": map[string]string{"schema.registry.url": srv.URL, "bearer.auth.token": "wrong"}})
	mustCall(t, http.MethodPost, src.URL+"/exporters", map[string]any{"name": "untrusted", "contextType": "NONE",
		"config": map[string]string{"schema.registry.url": tlsSrv.URL}})
	for name, want := range map[string]string{"wrong": "401 40101 Unauthorized", "untrusted": "certificate"} {
		var st exporter.Status
		eventually(t, name+" in ERROR", func() (bool, string) {
			_ = json.Unmarshal(mustCall(t, http.MethodGet, src.URL+"/exporters/"+name+"/status", nil), &st)
			return st.State == exporter.StateError && strings.Contains(st.Trace, want), fmt.Sprintf("%+v", st)
		})
	}
	if vs := dst.Service.Subjects("", true, false); len(vs) != 0 {
		t.Errorf("destination subjects %v, want none", vs)
	}
}
