package exporter

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/charter-registry/charter/confluent"
)

// dest is the destination registry, reached over Confluent's REST API.
// It does not retry: a failed request fails the exporter's pass, which
// starts over after a backoff, and every request is idempotent.
type dest struct {
	urls     []string
	hc       *http.Client
	user     string
	pass     string
	bearer   string
	exporter string
	next     int
}

// destError is an error answer from the destination.
type destError struct {
	Method, URL string
	Status      int
	Code        int    `json:"error_code"`
	Message     string `json:"message"`
}

func (e *destError) Error() string {
	return fmt.Sprintf("destination %s %s: %d %d %s", e.Method, e.URL, e.Status, e.Code, e.Message)
}

func codeOf(err error) int {
	var de *destError
	if errors.As(err, &de) {
		return de.Code
	}
	return 0
}

func newDest(name string, cfg map[string]string, timeout time.Duration) (*dest, error) {
	d := &dest{exporter: name}
	for _, u := range strings.Split(cfg[KeyURL], ",") {
		u = strings.TrimRight(strings.TrimSpace(u), "/")
		p, err := url.Parse(u)
		if err != nil {
			return nil, err
		}
		if p.User != nil && cfg[KeyBasicSource] == "URL" {
			d.user = p.User.Username()
			d.pass, _ = p.User.Password()
		}
		p.User = nil
		d.urls = append(d.urls, p.String())
	}
	if ui := cfg[KeyBasicUserInfo]; ui != "" && cfg[KeyBasicSource] != "URL" {
		d.user, d.pass, _ = strings.Cut(ui, ":")
	}
	d.bearer = cfg[KeyBearerToken]
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if ca := cfg[KeySSLCALocation]; ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", KeySSLCALocation, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s: %s holds no PEM certificate", KeySSLCALocation, ca)
		}
		tc.RootCAs = pool
	}
	if cert := cfg[KeySSLCertLocation]; cert != "" {
		pair, err := tls.LoadX509KeyPair(cert, cfg[KeySSLKeyLocation])
		if err != nil {
			return nil, fmt.Errorf("%s and %s: %w", KeySSLCertLocation, KeySSLKeyLocation, err)
		}
		tc.Certificates = []tls.Certificate{pair}
	}
	if v, ok := cfg[KeySSLSkipHostVerify]; ok && v == "" {
		// Confluent's clients turn host name checks off with an empty
		// identification algorithm; the chain is still verified.
		tc.InsecureSkipVerify = true
		roots := tc.RootCAs
		tc.VerifyPeerCertificate = func(raw [][]byte, _ [][]*x509.Certificate) error {
			return verifyChain(raw, roots)
		}
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = tc
	d.hc = &http.Client{Transport: tr, Timeout: timeout}
	return d, nil
}

func verifyChain(raw [][]byte, roots *x509.CertPool) error {
	if len(raw) == 0 {
		return errors.New("no certificate")
	}
	certs := make([]*x509.Certificate, len(raw))
	for i, b := range raw {
		c, err := x509.ParseCertificate(b)
		if err != nil {
			return err
		}
		certs[i] = c
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	_, err := certs[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter})
	return err
}

func (d *dest) close() { d.hc.CloseIdleConnections() }

const mediaType = "application/vnd.schemaregistry.v1+json"

// do sends one request, trying the next URL on a network error or a 5xx.
func (d *dest) do(ctx context.Context, method, path string, body, out any) error {
	var payload []byte
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		payload = b
	}
	var last error
	for range d.urls {
		base := d.urls[d.next%len(d.urls)]
		err := d.once(ctx, method, base+path, payload, out)
		var de *destError
		if err == nil || (errors.As(err, &de) && de.Status < 500) || ctx.Err() != nil {
			return err
		}
		last = err
		d.next++
	}
	return last
}

func (d *dest) once(ctx context.Context, method, u string, payload []byte, out any) error {
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", mediaType)
	if payload != nil {
		req.Header.Set("Content-Type", mediaType)
	}
	// Confluent's exporter names itself so the destination can log it.
	req.Header.Set("Confluent-Schema-Exporter-Name", d.exporter)
	req.Header.Set("User-Agent", "charter-exporter")
	if d.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+d.bearer)
	} else if d.user != "" || d.pass != "" {
		req.SetBasicAuth(d.user, d.pass)
	}
	resp, err := d.hc.Do(req)
	if err != nil {
		return fmt.Errorf("destination %s %s: %w", method, u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("destination %s %s: %w", method, u, err)
	}
	if resp.StatusCode >= 300 {
		de := &destError{Method: method, URL: u, Status: resp.StatusCode}
		if json.Unmarshal(b, de) != nil || de.Message == "" {
			de.Message = strings.TrimSpace(string(b))
		}
		return de
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("destination %s %s: decode answer: %w", method, u, err)
		}
	}
	return nil
}

func subjectPath(s string) string { return "/subjects/" + url.PathEscape(s) }

// versions lists a subject's versions; deleted includes soft-deleted
// ones. A subject the destination does not know has none.
func (d *dest) versions(ctx context.Context, subject string, deleted bool) ([]int, error) {
	var out []int
	err := d.do(ctx, http.MethodGet, subjectPath(subject)+"/versions?deleted="+strconv.FormatBool(deleted), nil, &out)
	if c := codeOf(err); c == 40401 || c == 40404 {
		return nil, nil
	}
	return out, err
}

func (d *dest) version(ctx context.Context, subject string, v int) (confluent.Schema, error) {
	var out confluent.Schema
	err := d.do(ctx, http.MethodGet, subjectPath(subject)+"/versions/"+strconv.Itoa(v)+"?deleted=true", nil, &out)
	return out, err
}

type importBody struct {
	Schema     string                `json:"schema"`
	SchemaType string                `json:"schemaType,omitempty"`
	References []confluent.Reference `json:"references,omitempty"`
	Metadata   *confluent.Metadata   `json:"metadata,omitempty"`
	RuleSet    *confluent.RuleSet    `json:"ruleSet,omitempty"`
	ID         int                   `json:"id"`
	Version    int                   `json:"version"`
}

// register imports a version with its id and version number; the
// destination answers the id it holds the schema under.
func (d *dest) register(ctx context.Context, subject string, b importBody) (int, error) {
	var out struct {
		ID int `json:"id"`
	}
	err := d.do(ctx, http.MethodPost, subjectPath(subject)+"/versions?normalize=false", b, &out)
	return out.ID, err
}

func (d *dest) setImportMode(ctx context.Context, subject string) error {
	return d.do(ctx, http.MethodPut, "/mode/"+url.PathEscape(subject)+"?force=true", map[string]string{"mode": "IMPORT"}, nil)
}

// deleteVersion soft- or hard-deletes a version; one already gone is done.
func (d *dest) deleteVersion(ctx context.Context, subject string, v int, permanent bool) error {
	q := ""
	if permanent {
		q = "?permanent=true"
	}
	err := d.do(ctx, http.MethodDelete, subjectPath(subject)+"/versions/"+strconv.Itoa(v)+q, nil, nil)
	switch codeOf(err) {
	case 40401, 40402:
		return nil
	case 40406: // already soft-deleted
		if !permanent {
			return nil
		}
	}
	return err
}

func (d *dest) setConfig(ctx context.Context, subject string, cfg json.RawMessage) error {
	return d.do(ctx, http.MethodPut, "/config/"+url.PathEscape(subject), cfg, nil)
}

func (d *dest) deleteConfig(ctx context.Context, subject string) error {
	err := d.do(ctx, http.MethodDelete, "/config/"+url.PathEscape(subject), nil, nil)
	if c := codeOf(err); c == 40401 || c == 40408 {
		return nil
	}
	return err
}
