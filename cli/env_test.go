package cli_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/charter-registry/charter/cli"
)

// testPKI is a throw-away CA with a server certificate for 127.0.0.1 and
// a client certificate, written as PEM files.
type testPKI struct {
	caFile, certFile, keyFile string // the client's files
	server                    tls.Certificate
	pool                      *x509.CertPool
}

func newTestPKI(t *testing.T) *testPKI {
	t.Helper()
	dir := t.TempDir()
	key := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	caKey := key()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "charter test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	leaf := func(serial int64, usage x509.ExtKeyUsage) ([]byte, *ecdsa.PrivateKey) {
		k := key()
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "charter test"},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
			IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &k.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		return der, k
	}
	write := func(name, typ string, der []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	marshalKey := func(k *ecdsa.PrivateKey) []byte {
		b, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	p := &testPKI{pool: x509.NewCertPool()}
	p.pool.AddCert(ca)
	p.caFile = write("ca.pem", "CERTIFICATE", caDER)
	srvDER, srvKey := leaf(2, x509.ExtKeyUsageServerAuth)
	p.server = tls.Certificate{Certificate: [][]byte{srvDER}, PrivateKey: srvKey}
	cliDER, cliKey := leaf(3, x509.ExtKeyUsageClientAuth)
	p.certFile = write("client.pem", "CERTIFICATE", cliDER)
	p.keyFile = write("client-key.pem", "PRIVATE KEY", marshalKey(cliKey))
	return p
}

// guardedRegistry fronts a live charter with what a hardened deployment
// asks of clients: TLS with a client certificate signed by the test CA,
// and either basic auth key:secret or the bearer token tok. It counts the
// requests it let through.
type guardedRegistry struct {
	url  string
	mu   sync.Mutex
	seen int
}

func startGuarded(t *testing.T, pki *testPKI, backend string) *guardedRegistry {
	t.Helper()
	target, err := url.Parse(backend)
	if err != nil {
		t.Fatal(err)
	}
	g := &guardedRegistry{}
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		if auth != "Basic a2V5OnNlY3JldA==" && auth != "Bearer tok" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error_code":401,"message":"Unauthorized"}`))
			return
		}
		g.mu.Lock()
		g.seen++
		g.mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{pki.server}, ClientCAs: pki.pool, ClientAuth: tls.RequireAndVerifyClientCert, MinVersion: tls.VersionTLS12}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	g.url = srv.URL
	return g
}

func (g *guardedRegistry) requests() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.seen
}

// registryCommand is one command that talks to a registry, with arguments
// that make it do so and succeed against a registry holding the e2e
// fixture's commit 1.
type registryCommand struct {
	name string
	args func(t *testing.T) []string
}

func registryCommands(repo *gitRepo, exported string) []registryCommand {
	fixed := func(a ...string) func(*testing.T) []string { return func(*testing.T) []string { return a } }
	return []registryCommand{
		{"check", fixed("check", "--config", repo.config())},
		{"register", fixed("register", "--config", repo.config())},
		{"diff", fixed("diff", "orders-value", "1", "latest")},
		{"get", fixed("get", "orders-value")},
		{"subjects", fixed("subjects")},
		{"config", fixed("config", "orders-value")},
		{"export", func(t *testing.T) []string { return []string{"export", filepath.Join(t.TempDir(), "dump")} }},
		{"import", fixed("import", exported)},
		{"lint", func(t *testing.T) []string {
			// Only the key rules, which a value subject passes.
			dir := t.TempDir()
			writeFile(t, dir, "charter.yaml", "lint: {use: [KEYS]}\nschemas: [{path: x.avsc, subject: x-value}]\n")
			return []string{"lint", "--subjects", "--config", filepath.Join(dir, "charter.yaml"), "orders-value"}
		}},
	}
}

// registryEnvVars are the variables every registry command documents.
var registryEnvVars = []string{
	"CHARTER_REGISTRY_URL", "CHARTER_REGISTRY_USER", "CHARTER_REGISTRY_PASSWORD", "CHARTER_REGISTRY_TOKEN",
	"CHARTER_REGISTRY_CA", "CHARTER_REGISTRY_CERT", "CHARTER_REGISTRY_KEY",
}

// TestEveryCommandHonoursTheRegistryEnvironment runs every command that
// talks to a registry with no registry flag at all, against a registry
// that demands TLS with a client certificate and credentials: it succeeds
// with the variables set, fails without each one of them, takes a token
// instead of a user and password, and lets a flag win over a variable.
func TestEveryCommandHonoursTheRegistryEnvironment(t *testing.T) {
	reg := startRegistry(t)
	repo := newGitRepo(t)
	repo.commit("1", "Avro, Protobuf and JSON schemas")
	register(t, reg, repo)
	exported := filepath.Join(t.TempDir(), "dump")
	if r := charterRun(t, "export", exported, "--registry", reg.url); r.code != 0 {
		t.Fatalf("export: %s", r)
	}
	pki := newTestPKI(t)
	guard := startGuarded(t, pki, reg.url)
	base := map[string]string{
		"CHARTER_REGISTRY_URL": guard.url, "CHARTER_REGISTRY_USER": "key", "CHARTER_REGISTRY_PASSWORD": "secret",
		"CHARTER_REGISTRY_CA": pki.caFile, "CHARTER_REGISTRY_CERT": pki.certFile, "CHARTER_REGISTRY_KEY": pki.keyFile,
	}
	setEnv := func(t *testing.T, env map[string]string) {
		for _, v := range registryEnvVars {
			t.Setenv(v, env[v])
		}
	}
	without := func(drop string, add ...string) map[string]string {
		out := map[string]string{}
		for k, v := range base {
			if k != drop {
				out[k] = v
			}
		}
		for i := 0; i+1 < len(add); i += 2 {
			out[add[i]] = add[i+1]
		}
		return out
	}
	for _, c := range registryCommands(repo, exported) {
		t.Run(c.name, func(t *testing.T) {
			setEnv(t, base)
			before := guard.requests()
			if r := charterRun(t, c.args(t)...); r.code != 0 {
				t.Fatalf("every variable set: %s", r)
			}
			if guard.requests() == before {
				t.Fatalf("no request reached the registry")
			}
			for _, drop := range []string{"CHARTER_REGISTRY_URL", "CHARTER_REGISTRY_USER", "CHARTER_REGISTRY_PASSWORD",
				"CHARTER_REGISTRY_CA", "CHARTER_REGISTRY_CERT", "CHARTER_REGISTRY_KEY"} {
				setEnv(t, without(drop))
				before := guard.requests()
				r := charterRun(t, c.args(t)...)
				if r.code == 0 || guard.requests() != before {
					t.Errorf("without %s the command should not get through: %s", drop, r)
				}
			}
			setEnv(t, without("CHARTER_REGISTRY_USER", "CHARTER_REGISTRY_PASSWORD", "", "CHARTER_REGISTRY_TOKEN", "tok"))
			if r := charterRun(t, c.args(t)...); r.code != 0 {
				t.Errorf("CHARTER_REGISTRY_TOKEN instead of a user: %s", r)
			}
			// A flag wins over its variable.
			setEnv(t, without("", "CHARTER_REGISTRY_URL", "https://127.0.0.1:1"))
			if r := charterRun(t, append(c.args(t), "--registry", guard.url)...); r.code != 0 {
				t.Errorf("--registry should win over CHARTER_REGISTRY_URL: %s", r)
			}
			setEnv(t, without("", "CHARTER_REGISTRY_TOKEN", "wrong", "CHARTER_REGISTRY_USER", "", "CHARTER_REGISTRY_PASSWORD", ""))
			if r := charterRun(t, append(c.args(t), "--token", "tok")...); r.code != 0 {
				t.Errorf("--token should win over CHARTER_REGISTRY_TOKEN: %s", r)
			}
		})
	}
}

// TestEveryRegistryCommandIsCovered: a command that grows registry flags
// must join registryCommands, and every flag that reads a variable says
// so in its help, so the test above cannot miss one.
func TestEveryRegistryCommandIsCovered(t *testing.T) {
	covered := map[string]bool{}
	for _, c := range registryCommands(&gitRepo{}, "") {
		covered[c.name] = true
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Flags().Lookup("registry") != nil && !covered[c.Name()] {
			t.Errorf("%s has registry flags but is not in registryCommands", c.CommandPath())
		}
		if c.Flags().Lookup("registry") != nil {
			for _, f := range []string{"registry", "user", "password", "token", "registry-ca", "registry-cert", "registry-key"} {
				fl := c.Flags().Lookup(f)
				if fl == nil {
					t.Errorf("%s lacks --%s", c.CommandPath(), f)
					continue
				}
				if !strings.Contains(fl.Usage, "[$CHARTER_REGISTRY_") {
					t.Errorf("%s --%s does not name its variable: %q", c.CommandPath(), f, fl.Usage)
				}
			}
		}
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(cli.NewRootCommand())
}

// TestTLSErrorsAreUsageErrors: unreadable or half-given TLS files are
// reported before any request, as usage errors.
func TestTLSErrorsAreUsageErrors(t *testing.T) {
	pki := newTestPKI(t)
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--registry-ca", "/no/such/ca.pem"}, "--registry-ca"},
		{[]string{"--registry-ca", pki.keyFile}, "no PEM certificate"},
		{[]string{"--registry-cert", pki.certFile}, "go together"},
		{[]string{"--registry-cert", pki.certFile, "--registry-key", pki.caFile}, "--registry-cert/--registry-key"},
	} {
		r := charterRun(t, append([]string{"subjects", "--registry", "https://127.0.0.1:1"}, c.args...)...)
		if r.code != 2 || !strings.Contains(errString(r.err), c.msg) {
			t.Errorf("%v: want exit 2 with %q: %s", c.args, c.msg, r)
		}
	}
}
