package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/charter-registry/charter"
	"github.com/charter-registry/charter/api"
	"github.com/charter-registry/charter/internal/registrytest"
	"github.com/charter-registry/charter/registry"
)

// keyedPrincipal is a principal of a governed test server and the API key
// a test calls as it with; the credentials hold only the key's hash.
type keyedPrincipal struct {
	name  string
	admin bool
	teams []string
	key   string
	// password is a password hash, when the principal has one.
	password string
}

// keyedCredentials are the credentials of ps, in the order given.
func keyedCredentials(t testing.TB, ps ...keyedPrincipal) *api.Credentials {
	t.Helper()
	var b strings.Builder
	b.WriteString("principals:\n")
	for _, p := range ps {
		fmt.Fprintf(&b, "  - name: %s\n", p.name)
		if p.admin {
			b.WriteString("    admin: true\n")
		}
		if len(p.teams) > 0 {
			fmt.Fprintf(&b, "    teams: [%s]\n", strings.Join(p.teams, ", "))
		}
		fmt.Fprintf(&b, "    keys: [%s]\n", api.HashAPIKey(p.key))
		if p.password != "" {
			fmt.Fprintf(&b, "    password: %s\n", p.password)
		}
	}
	return mustCredentials(t, b.String())
}

// governedServer is a registry that enforces access and requires
// authentication, called by the tests' names for its principals.
type governedServer struct {
	t testing.TB
	*registrytest.Registry
	// keys maps a test's name for a principal to its API key.
	keys map[string]string
}

// startGoverned starts a governed server whose credentials are
// principals, each called by the name keys gives its key; auth says the
// rest of the authentication (its Credentials are filled in), opts what
// else differs.
func startGoverned(t testing.TB, keys map[string]string, principals []keyedPrincipal, access registry.AccessConfig, auth api.AuthConfig, opts ...registrytest.Opt) *governedServer {
	t.Helper()
	auth.Required = true
	auth.Credentials = keyedCredentials(t, principals...)
	r := registrytest.Start(t, append([]registrytest.Opt{
		registrytest.WithAccess(access),
		registrytest.WithAPIConfig(api.Config{OpenAPI: charter.OpenAPI(), RequestTimeout: 5 * time.Second, Auth: auth}),
	}, opts...)...)
	return &governedServer{t: t, Registry: r, keys: keys}
}

// call sends a request as who: with its API key, with no credentials as
// "anonymous", and otherwise with who as the raw Authorization header
// value (a test's own Basic or Bearer credentials).
func (s *governedServer) call(who, method, path string, body any) response {
	s.t.Helper()
	auth := who
	switch k := s.keys[who]; {
	case k != "":
		auth = "Bearer " + k
	case who == "anonymous":
		auth = ""
	}
	return send(s.t, s.URL, method, path, body, auth)
}

// must sends a request as who that has to succeed.
func (s *governedServer) must(who, method, path string, body any) response {
	s.t.Helper()
	r := s.call(who, method, path, body)
	if r.status != http.StatusOK {
		s.t.Fatalf("%s %s as %s: %d %s", method, path, who, r.status, r.body)
	}
	return r
}
