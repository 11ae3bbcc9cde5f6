package exporter

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/charter-registry/charter/confluent"
	"github.com/charter-registry/charter/contracts/client"
)

// dest is the destination registry, reached through contracts/client
// over Confluent's REST API. A request is tried once on each of the
// destination's URLs (the next one on a network error or a 5xx), without
// waiting between: a failed request fails the exporter's pass, which
// starts over after a backoff, and every request is idempotent.
type dest struct {
	c  *client.Client
	hc *http.Client
}

// destError is an error answer from the destination, worded for the
// exporter's trace; it unwraps to the client's, so client.HasCode tells
// answers apart.
type destError struct{ re *client.ResponseError }

func (e *destError) Error() string {
	return fmt.Sprintf("destination %s %s: %d %d %s", e.re.Method, e.re.URL, e.re.StatusCode, e.re.ErrorCode, strings.TrimSpace(e.re.Message))
}

func (e *destError) Unwrap() error { return e.re }

// fromClient words the client's errors as the exporter's: an answer as
// a destError, anything else (the network, TLS) named as the
// destination's.
func fromClient(err error) error {
	if err == nil {
		return nil
	}
	var re *client.ResponseError
	if errors.As(err, &re) {
		return &destError{re}
	}
	return fmt.Errorf("destination: %w", err)
}

func newDest(name string, cfg map[string]string, timeout time.Duration) (*dest, error) {
	var urls []string
	var user, pass string
	for _, u := range strings.Split(cfg[KeyURL], ",") {
		u = strings.TrimRight(strings.TrimSpace(u), "/")
		p, err := url.Parse(u)
		if err != nil {
			return nil, err
		}
		if p.User != nil && cfg[KeyBasicSource] == "URL" {
			user = p.User.Username()
			pass, _ = p.User.Password()
		}
		p.User = nil
		urls = append(urls, p.String())
	}
	if ui := cfg[KeyBasicUserInfo]; ui != "" && cfg[KeyBasicSource] != "URL" {
		user, pass, _ = strings.Cut(ui, ":")
	}
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
	hc := &http.Client{Transport: tr}
	opts := []client.Opt{
		client.URLs(urls...), client.HTTPClient(hc), client.Timeout(timeout),
		client.Retries(len(urls) - 1), client.Backoff(0, 0),
		client.UserAgent("charter-exporter"),
		// Confluent's exporter names itself so the destination can log it.
		client.Header("Confluent-Schema-Exporter-Name", name),
	}
	switch {
	case cfg[KeyBearerToken] != "":
		opts = append(opts, client.BearerToken(cfg[KeyBearerToken]))
	case user != "" || pass != "":
		opts = append(opts, client.BasicAuth(user, pass))
	}
	c, err := client.New(opts...)
	if err != nil {
		return nil, err
	}
	return &dest{c: c, hc: hc}, nil
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

// versions lists a subject's versions; deleted includes soft-deleted
// ones. A subject the destination does not know has none.
func (d *dest) versions(ctx context.Context, subject string, deleted bool) ([]int, error) {
	var out []int
	var err error
	if deleted {
		out, err = d.c.AllVersions(ctx, subject)
	} else {
		out, err = d.c.Versions(ctx, subject)
	}
	err = fromClient(err)
	if client.HasCode(err, confluent.CodeSubjectNotFound, confluent.CodeSubjectSoftDeleted) {
		return nil, nil
	}
	return out, err
}

func (d *dest) version(ctx context.Context, subject string, v int) (confluent.Schema, error) {
	sc, err := d.c.Version(ctx, subject, strconv.Itoa(v), true)
	if err != nil {
		return confluent.Schema{}, fromClient(err)
	}
	return *sc, nil
}

// register imports a version with its id and version number; the
// destination answers the id it holds the schema under.
func (d *dest) register(ctx context.Context, subject string, sc confluent.Schema) (int, error) {
	out, err := d.c.Import(ctx, subject, sc)
	if err != nil {
		return 0, fromClient(err)
	}
	return out.ID, nil
}

func (d *dest) setImportMode(ctx context.Context, subject string) error {
	return fromClient(d.c.SetMode(ctx, subject, "IMPORT", true))
}

// deleteVersion soft- or hard-deletes a version; one already gone is done.
func (d *dest) deleteVersion(ctx context.Context, subject string, v int, permanent bool) error {
	err := fromClient(d.c.DeleteVersion(ctx, subject, v, permanent))
	switch {
	case client.HasCode(err, confluent.CodeSubjectNotFound, confluent.CodeVersionNotFound):
		return nil
	case !permanent && client.HasCode(err, confluent.CodeVersionSoftDeleted): // already soft-deleted
		return nil
	}
	return err
}

func (d *dest) setConfig(ctx context.Context, subject string, cfg json.RawMessage) error {
	_, err := d.c.SetConfig(ctx, subject, cfg)
	return fromClient(err)
}

func (d *dest) deleteConfig(ctx context.Context, subject string) error {
	err := fromClient(d.c.DeleteConfig(ctx, subject))
	if client.HasCode(err, confluent.CodeSubjectNotFound, confluent.CodeSubjectCompatibilityNotSet) {
		return nil
	}
	return err
}
