package cli

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/charter-registry/charter/contracts/client"
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
	retries  int
	backoff  time.Duration
	cacheTTL time.Duration
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
	envRegistryRetries  = "CHARTER_REGISTRY_RETRIES"
	envRegistryBackoff  = "CHARTER_REGISTRY_RETRY_BACKOFF"
	envRegistryCacheTTL = "CHARTER_REGISTRY_CACHE_TTL"
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
	fs.IntVar(&f.retries, "retries", 0, "how many times a request that failed with a network error, a 5xx or a 429 answer is tried again")
	fs.DurationVar(&f.backoff, "retry-backoff", 100*time.Millisecond, "wait before the first retry; it doubles with every retry, up to 2s or this wait if longer")
	fs.DurationVar(&f.cacheTTL, "cache-ttl", 0, "how long an answer for a subject's latest version is reused (schemas by id or version number are always reused within one command)")
	withEnv(fs, "registry", envRegistryURL)
	withEnv(fs, "user", envRegistryUser)
	withEnv(fs, "password", envRegistryPassword)
	withEnv(fs, "token", envRegistryToken)
	withEnv(fs, "registry-ca", envRegistryCA)
	withEnv(fs, "registry-cert", envRegistryCert)
	withEnv(fs, "registry-key", envRegistryKey)
	withEnv(fs, "retries", envRegistryRetries)
	withEnv(fs, "retry-backoff", envRegistryBackoff)
	withEnv(fs, "cache-ttl", envRegistryCacheTTL)
}

// client builds the registry client; a missing or malformed URL, or
// unreadable TLS files, are usage errors.
func (f *registryFlags) client(extra ...client.Opt) (*client.Client, error) {
	if f.url == "" {
		return nil, usageErr("no registry: pass --registry URL or set %s", envRegistryURL)
	}
	base, err := registryURL(f.url)
	if err != nil {
		return nil, withCode(ExitUsage, fmt.Errorf("registry: %w", err))
	}
	if f.retries < 0 || f.backoff < 0 || f.cacheTTL < 0 {
		return nil, usageErr("--retries, --retry-backoff and --cache-ttl cannot be negative")
	}
	tlsCfg, err := f.tlsConfig()
	if err != nil {
		return nil, withCode(ExitUsage, err)
	}
	// The whole request, body included, is bounded by the HTTP client's
	// timeout, 30s when --timeout is 0 and no TLS is set up (the
	// command line's default since its first release); a clone of the
	// default transport keeps proxy settings from the environment.
	hc := &http.Client{Timeout: 30 * time.Second}
	if f.timeout > 0 || tlsCfg != nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		if tlsCfg != nil {
			tr.TLSClientConfig = tlsCfg
		}
		hc = &http.Client{Timeout: f.timeout, Transport: tr}
	}
	opts := []client.Opt{
		client.URLs(base), client.UserAgent("charter-cli"), client.HTTPClient(hc), client.Timeout(0),
		client.Retries(f.retries), client.Backoff(f.backoff, max(f.backoff, 2*time.Second)), client.LatestTTL(f.cacheTTL),
	}
	if f.token != "" {
		opts = append(opts, client.BearerToken(f.token))
	}
	if f.user != "" || f.password != "" {
		if f.user == "" {
			return nil, usageErr("--password needs --user")
		}
		if f.token != "" {
			return nil, usageErr("registry: give either a bearer token or a user and password, not both")
		}
		opts = append(opts, client.BasicAuth(f.user, f.password))
	}
	c, err := client.New(append(opts, extra...)...)
	if err != nil {
		return nil, withCode(ExitUsage, fmt.Errorf("registry: %w", err))
	}
	return c, nil
}

// registryURL checks a registry's base URL, such as http://localhost:8081
// or https://psrc-123.confluent.cloud, and returns it without trailing
// slashes.
func registryURL(raw string) (string, error) {
	s := strings.TrimRight(strings.TrimSpace(raw), "/")
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("registry URL %q: %w", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("registry URL %q: use http:// or https://", raw)
	}
	if u.Host == "" {
		return "", fmt.Errorf("registry URL %q has no host", raw)
	}
	if u.User != nil {
		return "", fmt.Errorf("registry URL %q holds credentials: pass them with --user and --password (or the environment) so they stay out of logs", u.Redacted())
	}
	return s, nil
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
