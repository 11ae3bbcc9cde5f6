package cli_test

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/charter-registry/charter/internal/registrytest"
)

// TestServeRefusesJSONPatternsUnlessLenient registers a JSON schema with a
// lookahead pattern against the built binary: refused with 42201 by
// default, accepted with CHARTER_JSON_SCHEMA_LENIENT_PATTERNS=true (the
// environment form of --json-schema-lenient-patterns).
func TestServeRefusesJSONPatternsUnlessLenient(t *testing.T) {
	t.Parallel() // its own charter process on its own port and data
	bin := registrytest.BuildBinary(t)
	body := `{"schemaType":"JSON","schema":"{\"type\":\"string\",\"pattern\":\"^(?!x)\"}"}`
	for _, tc := range []struct {
		env    []string
		status int
		want   string
	}{
		{nil, 422, `"error_code":42201`},
		{[]string{"CHARTER_JSON_SCHEMA_LENIENT_PATTERNS=true"}, 200, `"id":1`},
	} {
		cmd := exec.Command(bin, "serve", "--storage", "memory")
		cmd.Env = registrytest.Environ(tc.env...)
		p := registrytest.Serve(t, cmd, os.Kill)
		res, err := http.Post("http://"+p.Addr+"/subjects/s-value/versions", "application/vnd.schemaregistry.v1+json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tc.status || !strings.Contains(string(b), tc.want) {
			t.Errorf("env %v: %d %s, want %d with %s", tc.env, res.StatusCode, b, tc.status, tc.want)
		}
	}
}
