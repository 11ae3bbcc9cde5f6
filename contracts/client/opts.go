package client

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Opt configures a Client.
type Opt interface{ apply(*config) }

type optFunc func(*config)

func (f optFunc) apply(c *config) { f(c) }

type config struct {
	urls       []string
	httpClient *http.Client
	user, pass string
	basic      bool
	bearer     string
	timeout    time.Duration
	retries    int
	backoffMin time.Duration
	backoffMax time.Duration
	latestTTL  time.Duration
	userAgent  string
	// reason and link go with every write (Change).
	reason, link string
	// headers go with every request (Header).
	headers http.Header
}

func defaultConfig() config {
	return config{
		urls:       []string{"http://localhost:8081"},
		httpClient: &http.Client{},
		timeout:    30 * time.Second,
		retries:    3,
		backoffMin: 100 * time.Millisecond,
		backoffMax: 2 * time.Second,
		latestTTL:  30 * time.Second,
		userAgent:  "charter-contracts",
	}
}

func (c *config) validate() error {
	if len(c.urls) == 0 {
		return errors.New("client: no registry URL")
	}
	for i, u := range c.urls {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return fmt.Errorf("client: registry URL %q is not an http(s) URL", u)
		}
		c.urls[i] = strings.TrimRight(u, "/")
	}
	if c.basic && c.bearer != "" {
		return errors.New("client: BasicAuth and BearerToken are mutually exclusive")
	}
	if c.retries < 0 || c.timeout < 0 || c.backoffMin < 0 || c.backoffMax < c.backoffMin {
		return errors.New("client: negative retries, timeout or backoff, or a backoff maximum below its minimum")
	}
	return nil
}

// URLs sets the registry's base URLs (default http://localhost:8081). A
// request that fails on one URL with a network error or a 5xx answer is
// retried on the next.
func URLs(urls ...string) Opt {
	return optFunc(func(c *config) { c.urls = append([]string(nil), urls...) })
}

// HTTPClient sets the HTTP client requests go through, for TLS settings or
// a custom transport. Its own Timeout, if any, applies on top of Timeout.
func HTTPClient(hc *http.Client) Opt {
	return optFunc(func(c *config) {
		if hc != nil {
			c.httpClient = hc
		}
	})
}

// BasicAuth sends every request with HTTP basic authentication, as a
// registry behind Confluent's basic.auth.user.info expects.
func BasicAuth(user, password string) Opt {
	return optFunc(func(c *config) { c.user, c.pass, c.basic = user, password, true })
}

// BearerToken sends every request with an Authorization: Bearer header.
func BearerToken(token string) Opt {
	return optFunc(func(c *config) { c.bearer = token })
}

// Timeout bounds each attempt of a request (default 30s). The caller's
// context bounds the whole call, retries included.
func Timeout(d time.Duration) Opt {
	return optFunc(func(c *config) { c.timeout = d })
}

// Retries sets how many times a request that failed with a network error
// or a 5xx answer is tried again (default 3; 0 disables retries). 4xx
// answers are never retried.
func Retries(n int) Opt {
	return optFunc(func(c *config) { c.retries = n })
}

// Backoff sets the wait before the first retry and its cap; the wait
// doubles on every retry, with jitter (default 100ms, 2s).
func Backoff(minWait, maxWait time.Duration) Opt {
	return optFunc(func(c *config) { c.backoffMin, c.backoffMax = minWait, maxWait })
}

// LatestTTL sets how long Latest and LatestWithMetadata answers are cached
// (default 30s). Zero disables caching them; schemas by id or version are
// always cached, since they never change.
func LatestTTL(d time.Duration) Opt {
	return optFunc(func(c *config) { c.latestTTL = d })
}

// UserAgent sets the User-Agent header of requests.
func UserAgent(ua string) Opt {
	return optFunc(func(c *config) { c.userAgent = ua })
}

// Change sends a change reason and link with every write, as the
// X-Charter-Change-Reason and X-Charter-Change-Link headers, which charter
// stores in each write's audit entry. Use it for a client that makes the
// writes of one change, such as the registrations of one merge. Empty
// values send nothing, and reads never carry them.
func Change(reason, link string) Opt {
	return optFunc(func(c *config) { c.reason, c.link = reason, link })
}

// Header sends a header with every request, such as the name a caller
// gives itself for the registry's logs (Confluent's exporters send
// Confluent-Schema-Exporter-Name). It does not replace the headers the
// client sets itself (Accept, Content-Type, User-Agent, Authorization,
// the change headers); several calls add several headers.
func Header(name, value string) Opt {
	return optFunc(func(c *config) {
		if c.headers == nil {
			c.headers = http.Header{}
		}
		c.headers.Add(name, value)
	})
}
