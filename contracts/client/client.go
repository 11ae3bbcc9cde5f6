package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/charter-registry/charter/confluent"
)

// maxResponseBytes bounds how much of a registry answer is read.
const maxResponseBytes = 64 << 20

// Client talks to one schema registry. It is safe for concurrent use; build
// one per registry and share it.
type Client struct {
	cfg   config
	cache cache
	// next is the index of the URL to try first, moved on after a failure.
	next atomic.Uint32
}

// New returns a Client with the options applied.
func New(opts ...Opt) (*Client, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o.apply(&cfg)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	c := &Client{cfg: cfg}
	c.cache.init()
	return c, nil
}

// URL returns the first of the registry's base URLs (URLs), the one a
// tool names when it reports what it talked to.
func (c *Client) URL() string { return c.cfg.urls[0] }

// LatestTTL is how long Latest and LatestWithMetadata answers are reused;
// serializers re-resolve "latest" schemas at this pace.
func (c *Client) LatestTTL() time.Duration { return c.cfg.latestTTL }

// do sends one request, retrying network errors and 5xx answers, and decodes
// a 2xx JSON answer into out.
func (c *Client) do(ctx context.Context, method, path string, body, out any) error {
	var payload []byte
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("client: encode request: %w", err)
		}
		payload = b
	}
	var lastErr error
	for attempt := 0; attempt <= c.cfg.retries; attempt++ {
		if attempt > 0 {
			if err := c.sleep(ctx, attempt); err != nil {
				return errors.Join(lastErr, err)
			}
		}
		base := c.cfg.urls[int(c.next.Load())%len(c.cfg.urls)]
		retry, err := c.once(ctx, method, base+path, payload, out)
		if err == nil {
			return nil
		}
		lastErr = err
		if !retry || ctx.Err() != nil {
			return err
		}
		c.next.Add(1)
	}
	return lastErr
}

// sleep waits out the backoff before retry number attempt, with full jitter
// over the upper half so retries from many clients spread out.
func (c *Client) sleep(ctx context.Context, attempt int) error {
	d := c.cfg.backoffMin << (attempt - 1)
	if d > c.cfg.backoffMax || d <= 0 {
		d = c.cfg.backoffMax
	}
	if d > 0 {
		d = d/2 + rand.N(d/2+1)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// once makes one attempt. retry reports whether the failure is worth
// another attempt.
func (c *Client) once(ctx context.Context, method, url string, payload []byte, out any) (retry bool, err error) {
	if c.cfg.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.cfg.timeout)
		defer cancel()
	}
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return false, fmt.Errorf("client: %w", err)
	}
	for k, vs := range c.cfg.headers {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	req.Header.Set("Accept", "application/vnd.schemaregistry.v1+json, application/json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	}
	if c.cfg.userAgent != "" {
		req.Header.Set("User-Agent", c.cfg.userAgent)
	}
	if method != http.MethodGet && method != http.MethodHead {
		if c.cfg.reason != "" {
			req.Header.Set("X-Charter-Change-Reason", c.cfg.reason)
		}
		if c.cfg.link != "" {
			req.Header.Set("X-Charter-Change-Link", c.cfg.link)
		}
	}
	switch {
	case c.cfg.basic:
		req.SetBasicAuth(c.cfg.user, c.cfg.pass)
	case c.cfg.bearer != "":
		req.Header.Set("Authorization", "Bearer "+c.cfg.bearer)
	}
	resp, err := c.cfg.httpClient.Do(req)
	if err != nil {
		return true, fmt.Errorf("client: %s %s: %w", method, url, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return true, fmt.Errorf("client: %s %s: read answer: %w", method, url, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		re := &ResponseError{Method: method, URL: url, StatusCode: resp.StatusCode, ErrorCode: resp.StatusCode, Message: string(raw), Raw: raw}
		if body, ok := confluent.DecodeError(raw); ok {
			re.ErrorCode, re.Message = int(body.ErrorCode), body.Message
		}
		return resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests, re
	}
	if out == nil {
		return false, nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return false, fmt.Errorf("client: %s %s: decode answer: %w", method, url, err)
	}
	return false, nil
}
