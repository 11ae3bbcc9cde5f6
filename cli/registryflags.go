package cli

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
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
	ca       string
	cert     string
	key      string
	timeout  time.Duration
}

// Environment variables the registry flags read when not given.
const (
	envRegistryURL      = "CHARTER_REGISTRY_URL"
	envRegistryUser     = "CHARTER_REGISTRY_USER"
	envRegistryPassword = "CHARTER_REGISTRY_PASSWORD"
	envRegistryToken    = "CHARTER_REGISTRY_TOKEN"
	envRegistryCA       = "CHARTER_REGISTRY_CA"
	envRegistryCert     = "CHARTER_REGISTRY_CERT"
	envRegistryKey      = "CHARTER_REGISTRY_KEY"
)

func (f *registryFlags) bind(fs *pflag.FlagSet) {
	fs.StringVar(&f.url, "registry", "", "registry URL, e.g. http://localhost:8081")
	fs.StringVar(&f.user, "user", "", "user (or API key) for HTTP basic auth")
	fs.StringVar(&f.password, "password", "", "password (or API secret) for HTTP basic auth; prefer the environment variable")
	fs.StringVar(&f.token, "token", "", "bearer token, instead of --user/--password")
	fs.StringVar(&f.ca, "registry-ca", "", "PEM file of the CA certificates that sign the registry's TLS certificate (default: the system's)")
	fs.StringVar(&f.cert, "registry-cert", "", "PEM file of a client certificate for mutual TLS (with --registry-key)")
	fs.StringVar(&f.key, "registry-key", "", "PEM file of the client certificate's private key")
	fs.DurationVar(&f.timeout, "timeout", 30*time.Second, "timeout of each request to the registry")
	withEnv(fs, "registry", envRegistryURL)
	withEnv(fs, "user", envRegistryUser)
	withEnv(fs, "password", envRegistryPassword)
	withEnv(fs, "token", envRegistryToken)
	withEnv(fs, "registry-ca", envRegistryCA)
	withEnv(fs, "registry-cert", envRegistryCert)
	withEnv(fs, "registry-key", envRegistryKey)
}

// client builds the registry client; a missing or malformed URL, or
// unreadable TLS files, are usage errors.
func (f *registryFlags) client(extra ...remote.Opt) (*remote.Client, error) {
	if f.url == "" {
		return nil, usageErr("no registry: pass --registry URL or set %s", envRegistryURL)
	}
	opts := append([]remote.Opt{remote.UserAgent("charter-cli")}, extra...)
	tlsCfg, err := f.tlsConfig()
	if err != nil {
		return nil, withCode(ExitUsage, err)
	}
	if f.timeout > 0 || tlsCfg != nil {
		// A clone of the default transport keeps proxy settings from the
		// environment.
		tr := http.DefaultTransport.(*http.Transport).Clone()
		if tlsCfg != nil {
			tr.TLSClientConfig = tlsCfg
		}
		opts = append(opts, remote.HTTPClient(&http.Client{Timeout: f.timeout, Transport: tr}))
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

// tlsConfig reads the CA and client certificate files; nil when none is
// given, so that the system's roots apply.
func (f *registryFlags) tlsConfig() (*tls.Config, error) {
	if f.ca == "" && f.cert == "" && f.key == "" {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if f.ca != "" {
		pem, err := os.ReadFile(f.ca)
		if err != nil {
			return nil, fmt.Errorf("--registry-ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--registry-ca %s: no PEM certificate in the file", f.ca)
		}
		cfg.RootCAs = pool
	}
	if (f.cert == "") != (f.key == "") {
		return nil, errors.New("--registry-cert and --registry-key go together: give both for mutual TLS")
	}
	if f.cert != "" {
		pair, err := tls.LoadX509KeyPair(f.cert, f.key)
		if err != nil {
			return nil, fmt.Errorf("--registry-cert/--registry-key: %w", err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg, nil
}
