package kafka

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/charter-registry/charter/storage"
)

func TestConfigValidate(t *testing.T) {
	ok := DefaultConfig()
	ok.Brokers = []string{"127.0.0.1:9092"}
	for _, tc := range []struct {
		name   string
		change func(*Config)
		want   string // "" means valid
	}{
		{"defaults with a broker", func(*Config) {}, ""},
		{"no brokers", func(c *Config) { c.Brokers = nil }, "no brokers"},
		{"blank broker", func(c *Config) { c.Brokers = []string{" "} }, "not host:port"},
		{"comma-joined brokers", func(c *Config) { c.Brokers = []string{"a:1,b:2"} }, "not host:port"},
		{"empty topic", func(c *Config) { c.Topic = "" }, "empty topic"},
		{"topic with a slash", func(c *Config) { c.Topic = "a/b" }, "ASCII letters"},
		{"topic dot-dot", func(c *Config) { c.Topic = ".." }, "not allowed"},
		{"topic too long", func(c *Config) { c.Topic = strings.Repeat("x", 250) }, "249"},
		{"negative replication", func(c *Config) { c.ReplicationFactor = -1 }, "replication factor"},
		{"min ISR above replication", func(c *Config) { c.ReplicationFactor = 2; c.MinInsyncReplicas = 3 }, "exceeds"},
		{"min ISR with automatic replication", func(c *Config) { c.MinInsyncReplicas = 2 }, ""},
		{"negative min ISR", func(c *Config) { c.MinInsyncReplicas = -1 }, "negative"},
		{"zero dial timeout", func(c *Config) { c.DialTimeout = 0 }, "dial timeout"},
		{"zero write timeout", func(c *Config) { c.WriteTimeout = 0 }, "write timeout"},
		{"tiny batch", func(c *Config) { c.MaxBatchBytes = 10 }, "max batch bytes"},
		{"TLS files without TLS", func(c *Config) { c.TLS.CAFile = "ca.pem" }, "not enabled"},
		{"cert without key", func(c *Config) { c.TLS = TLSConfig{Enabled: true, CertFile: "c.pem"} }, "both"},
		{"TLS with system roots", func(c *Config) { c.TLS.Enabled = true }, ""},
		{"SASL without user", func(c *Config) { c.SASL.Mechanism = MechanismPlain }, "needs a user"},
		{"SASL lower-case", func(c *Config) { c.SASL = SASLConfig{Mechanism: "plain", User: "u"} }, "unknown SASL"},
		{"SASL GSSAPI", func(c *Config) { c.SASL = SASLConfig{Mechanism: "GSSAPI", User: "u"} }, "unknown SASL"},
		{"credentials without SASL", func(c *Config) { c.SASL.User = "u" }, "no SASL mechanism"},
		{"SCRAM-SHA-512", func(c *Config) { c.SASL = SASLConfig{Mechanism: MechanismScramSHA512, User: "u", Password: "p"} }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			c.Brokers = append([]string(nil), ok.Brokers...)
			tc.change(&c)
			err := c.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Validate: %v", err)
			case tc.want != "" && err == nil:
				t.Fatalf("Validate accepted a config with %s", tc.name)
			case tc.want != "" && !strings.Contains(err.Error(), tc.want):
				t.Fatalf("Validate: %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestOpenRejectsInvalidConfig(t *testing.T) {
	_, err := Open(context.Background(), DefaultConfig(), nil)
	if err == nil || errors.Is(err, storage.ErrUnavailable) {
		t.Fatalf("Open without brokers: %v, want a config error", err)
	}
	cfg := DefaultConfig()
	cfg.Brokers = []string{"127.0.0.1:1"}
	cfg.TLS = TLSConfig{Enabled: true, CAFile: filepath.Join(t.TempDir(), "missing.pem")}
	if _, err := Open(context.Background(), cfg, nil); err == nil || !strings.Contains(err.Error(), "CA file") {
		t.Fatalf("Open with a missing CA file: %v", err)
	}
}

// TestFakeSASL opens a Log on a kfake cluster that requires each SASL
// mechanism, and checks that a wrong password is refused. kfake drops the
// connection on bad credentials where Kafka answers
// SASL_AUTHENTICATION_FAILED, so whether the error is told apart from an
// outage (TestTransient) cannot be checked here.
func TestFakeSASL(t *testing.T) {
	for _, mech := range []string{MechanismPlain, MechanismScramSHA256, MechanismScramSHA512} {
		t.Run(mech, func(t *testing.T) {
			c := newFake(t, kfake.EnableSASL(), kfake.Superuser(mech, "charter", "s3cret"))
			cfg := fakeConfig(c)
			cfg.SASL = SASLConfig{Mechanism: mech, User: "charter", Password: "s3cret"}
			l := openFake(t, cfg)
			if first := mustAppend(t, l, rec("k", "v")); first != 0 {
				t.Fatalf("Append at %d, want 0", first)
			}
			col, _ := startTail(t, l, 0)
			checkRecord(t, col.next(t), 0, rec("k", "v"))

			cfg.SASL.Password = "wrong"
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			bad, err := Open(ctx, cfg, testLogger(t))
			if err == nil {
				_ = bad.Close()
				t.Fatal("Open with a wrong password succeeded")
			}
		})
	}
}

// TestFakeTLS opens a Log over TLS on a kfake cluster whose certificate a
// CA written to a temporary file signs.
func TestFakeTLS(t *testing.T) {
	dir := t.TempDir()
	caFile, serverCert := testCA(t, dir)
	c := newFake(t, kfake.TLS(&tls.Config{Certificates: []tls.Certificate{serverCert}, MinVersion: tls.VersionTLS12}))
	cfg := fakeConfig(c)
	cfg.TLS = TLSConfig{Enabled: true, CAFile: caFile}
	l := openFake(t, cfg)
	mustAppend(t, l, rec("k", "v"))
	if end := mustEnd(t, l); end != 1 {
		t.Fatalf("End = %d, want 1", end)
	}

	// Without the CA the broker's certificate is not trusted.
	cfg.TLS = TLSConfig{Enabled: true}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	bad, err := Open(ctx, cfg, testLogger(t))
	if err == nil {
		_ = bad.Close()
		t.Fatal("Open trusted a certificate from an unknown CA")
	}
	if errors.Is(err, storage.ErrUnavailable) || ctx.Err() != nil {
		t.Errorf("an untrusted certificate was retried as an outage: %v", err)
	}
}

// testCA writes a fresh CA certificate to dir and returns its path and a
// certificate for 127.0.0.1 that it signs.
func testCA(t *testing.T, dir string) (string, tls.Certificate) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "charter test CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(time.Hour),
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	srvKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	srvTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, caCert, &srvKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return caFile, tls.Certificate{Certificate: [][]byte{srvDER}, PrivateKey: srvKey}
}

func TestTransient(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{kerr.SaslAuthenticationFailed, false},
		{kerr.TopicAuthorizationFailed, false},
		{kerr.MessageTooLarge, false},
		{kerr.InvalidReplicationFactor, false},
		{fmt.Errorf("wrapped: %w", kerr.PolicyViolation), false},
		{context.Canceled, false},
		{kerr.NotLeaderForPartition, true},
		{kerr.NotEnoughReplicas, true},
		{kerr.UnknownTopicOrPartition, true},
		{context.DeadlineExceeded, true},
		{kgo.ErrRecordTimeout, true},
		{&net.OpError{Op: "dial", Err: errors.New("connection refused")}, true},
	} {
		if got := transient(tc.err); got != tc.want {
			t.Errorf("transient(%v) = %v, want %v", tc.err, got, tc.want)
		}
		wrapped := classify("op", tc.err)
		if got := errors.Is(wrapped, storage.ErrUnavailable); got != tc.want {
			t.Errorf("classify(%v) wraps ErrUnavailable: %v, want %v", tc.err, got, tc.want)
		}
		if !errors.Is(wrapped, tc.err) {
			t.Errorf("classify(%v) = %v, which does not wrap the cause", tc.err, wrapped)
		}
	}
}
