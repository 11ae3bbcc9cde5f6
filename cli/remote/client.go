package remote

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client calls one registry.
type Client struct {
	base     *url.URL
	http     *http.Client
	user     string
	password string
	token    string
	agent    string
	reason   string
	link     string
}

// Opt configures a Client.
type Opt interface{ apply(*Client) }

type optFunc func(*Client)

func (f optFunc) apply(c *Client) { f(c) }

// BasicAuth sends HTTP basic credentials with every request, as Confluent
// Cloud API keys and charter's basic auth expect.
func BasicAuth(user, password string) Opt {
	return optFunc(func(c *Client) { c.user, c.password = user, password })
}

// BearerToken sends "Authorization: Bearer token" with every request.
func BearerToken(token string) Opt { return optFunc(func(c *Client) { c.token = token }) }

// HTTPClient replaces the default client, whose timeout is 30 seconds.
// Use it for TLS settings or a proxy.
func HTTPClient(h *http.Client) Opt { return optFunc(func(c *Client) { c.http = h }) }

// Change sends a change reason and link with every write, as the
// X-Charter-Change-Reason and X-Charter-Change-Link headers; charter
// stores them in each write's audit entry. Use it for a client that makes
// the writes of one change, such as the registrations of one merge. Empty
// values send nothing.
func Change(reason, link string) Opt {
	return optFunc(func(c *Client) { c.reason, c.link = reason, link })
}

// UserAgent sets the User-Agent header.
func UserAgent(s string) Opt { return optFunc(func(c *Client) { c.agent = s }) }

// New returns a client for the registry at baseURL, such as
// http://localhost:8081 or https://psrc-123.confluent.cloud.
func New(baseURL string, opts ...Opt) (*Client, error) {
	if strings.TrimSpace(baseURL) == "" {
		return nil, errors.New("no registry URL: pass --registry or set CHARTER_REGISTRY_URL")
	}
	u, err := url.Parse(strings.TrimRight(strings.TrimSpace(baseURL), "/"))
	if err != nil {
		return nil, fmt.Errorf("registry URL %q: %w", baseURL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("registry URL %q: use http:// or https://", baseURL)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("registry URL %q has no host", baseURL)
	}
	if u.User != nil {
		return nil, fmt.Errorf("registry URL %q holds credentials: pass them with --user and --password (or the environment) so they stay out of logs", u.Redacted())
	}
	c := &Client{base: u, http: &http.Client{Timeout: 30 * time.Second}, agent: "charter-cli"}
	for _, o := range opts {
		o.apply(c)
	}
	if c.token != "" && c.user != "" {
		return nil, errors.New("give either a bearer token or a user and password, not both")
	}
	return c, nil
}

// URL returns the registry's base URL.
func (c *Client) URL() string { return c.base.String() }

// Error is an error response from the registry, with Confluent's
// error_code when the body carried one.
type Error struct {
	Method     string
	URL        string
	StatusCode int
	// Code is the registry's error_code, such as 40401; 0 when the body
	// had none.
	Code    int
	Message string
}

// Error renders the request, the registry's message and codes.
func (e *Error) Error() string {
	if e.Code != 0 {
		return fmt.Sprintf("%s %s: %s (error %d, HTTP %d)", e.Method, e.URL, e.Message, e.Code, e.StatusCode)
	}
	return fmt.Sprintf("%s %s: HTTP %d: %s", e.Method, e.URL, e.StatusCode, e.Message)
}

// Confluent error codes the CLI tells apart.
const (
	CodeSubjectNotFound            = 40401
	CodeVersionNotFound            = 40402
	CodeSchemaNotFound             = 40403
	CodeSubjectCompatibilityNotSet = 40408
	CodeSubjectModeNotSet          = 40409
)

// HasCode reports whether err is an *Error with one of the codes.
func HasCode(err error, codes ...int) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	for _, c := range codes {
		if e.Code == c {
			return true
		}
	}
	return false
}

// maxResponse bounds what a response body may hold: a whole export of a
// subject's versions fits easily, a runaway proxy page does not.
const maxResponse = 64 << 20

// do sends one request to the path made of segs and decodes a JSON answer
// into out (when non-nil). Each segment is escaped on its own, so a
// subject may hold a slash.
func (c *Client) do(ctx context.Context, method string, segs []string, query url.Values, body, out any) error {
	u := *c.base
	raw := make([]string, len(segs))
	for i, s := range segs {
		raw[i] = url.PathEscape(s)
	}
	u.Path = strings.TrimRight(c.base.Path, "/") + "/" + strings.Join(segs, "/")
	u.RawPath = strings.TrimRight(c.base.EscapedPath(), "/") + "/" + strings.Join(raw, "/")
	if len(query) > 0 {
		u.RawQuery = query.Encode()
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/vnd.schemaregistry.v1+json, application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	}
	req.Header.Set("User-Agent", c.agent)
	if method != http.MethodGet && method != http.MethodHead {
		if c.reason != "" {
			req.Header.Set("X-Charter-Change-Reason", c.reason)
		}
		if c.link != "" {
			req.Header.Set("X-Charter-Change-Link", c.link)
		}
	}
	switch {
	case c.token != "":
		req.Header.Set("Authorization", "Bearer "+c.token)
	case c.user != "":
		req.SetBasicAuth(c.user, c.password)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, redact(u), err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, maxResponse))
	if err != nil {
		return fmt.Errorf("%s %s: read response: %w", method, redact(u), err)
	}
	if res.StatusCode < 200 || res.StatusCode > 299 {
		e := &Error{Method: method, URL: redact(u), StatusCode: res.StatusCode}
		var body struct {
			ErrorCode int    `json:"error_code"`
			Message   string `json:"message"`
		}
		if json.Unmarshal(data, &body) == nil && (body.ErrorCode != 0 || body.Message != "") {
			e.Code, e.Message = body.ErrorCode, body.Message
		} else {
			e.Message = strings.TrimSpace(string(data))
			if len(e.Message) > 300 {
				e.Message = e.Message[:300] + "…"
			}
			if e.Message == "" {
				e.Message = http.StatusText(res.StatusCode)
			}
		}
		return e
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: decode response: %w", method, redact(u), err)
	}
	return nil
}

func redact(u url.URL) string {
	u.RawQuery = ""
	return u.Redacted()
}
