package cli

import (
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/spf13/pflag"

	"github.com/charter-registry/charter/cli/remote"
)

// registryFlags are the flags every command that talks to a registry
// shares, each with its environment variable.
type registryFlags struct {
	url      string
	user     string
	password string
	token    string
	timeout  time.Duration
}

// Environment variables the registry flags read when not given.
const (
	envRegistryURL      = "CHARTER_REGISTRY_URL"
	envRegistryUser     = "CHARTER_REGISTRY_USER"
	envRegistryPassword = "CHARTER_REGISTRY_PASSWORD"
	envRegistryToken    = "CHARTER_REGISTRY_TOKEN"
)

// registryEnv pairs each registry flag with its environment variable.
func registryEnv() [][2]string {
	return [][2]string{
		{"registry", envRegistryURL},
		{"user", envRegistryUser},
		{"password", envRegistryPassword},
		{"token", envRegistryToken},
	}
}

func (f *registryFlags) bind(fs *pflag.FlagSet) {
	fs.StringVar(&f.url, "registry", "", "registry URL, e.g. http://localhost:8081 [$"+envRegistryURL+"]")
	fs.StringVar(&f.user, "user", "", "user (or API key) for HTTP basic auth [$"+envRegistryUser+"]")
	fs.StringVar(&f.password, "password", "", "password (or API secret) for HTTP basic auth; prefer the environment variable [$"+envRegistryPassword+"]")
	fs.StringVar(&f.token, "token", "", "bearer token, instead of --user/--password [$"+envRegistryToken+"]")
	fs.DurationVar(&f.timeout, "timeout", 30*time.Second, "timeout of each request to the registry")
}

// fromEnv fills the flags the command line left unset from the
// environment.
func (f *registryFlags) fromEnv(fs *pflag.FlagSet) error {
	for _, p := range registryEnv() {
		fl := fs.Lookup(p[0])
		if fl == nil || fl.Changed {
			continue
		}
		if v, ok := os.LookupEnv(p[1]); ok && v != "" {
			if err := fl.Value.Set(v); err != nil {
				return usageErr("%s=%q: %v", p[1], v, err)
			}
		}
	}
	return nil
}

// client builds the registry client; a missing or malformed URL is a
// usage error.
func (f *registryFlags) client() (*remote.Client, error) {
	if f.url == "" {
		return nil, usageErr("no registry: pass --registry URL or set %s", envRegistryURL)
	}
	opts := []remote.Opt{remote.UserAgent("charter-cli")}
	if f.timeout > 0 {
		// The default transport keeps proxy settings from the environment.
		opts = append(opts, remote.HTTPClient(&http.Client{Timeout: f.timeout}))
	}
	if f.token != "" {
		opts = append(opts, remote.BearerToken(f.token))
	}
	if f.user != "" || f.password != "" {
		if f.user == "" {
			return nil, usageErr("--password needs --user")
		}
		opts = append(opts, remote.BasicAuth(f.user, f.password))
	}
	c, err := remote.New(f.url, opts...)
	if err != nil {
		return nil, withCode(ExitUsage, fmt.Errorf("registry: %w", err))
	}
	return c, nil
}
