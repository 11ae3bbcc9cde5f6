package kafka

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// DefaultTopic is the topic Confluent's schema registry keeps its records
// in. Using the same name lets charter serve an existing registry's log.
const DefaultTopic = "_schemas"

// MaxAppendRecords bounds the records of one Append: all of them must fit
// in one Kafka record batch, which is what makes the append atomic.
const MaxAppendRecords = 10000

// SASL mechanisms accepted in SASLConfig.Mechanism.
const (
	MechanismPlain       = "PLAIN"
	MechanismScramSHA256 = "SCRAM-SHA-256"
	MechanismScramSHA512 = "SCRAM-SHA-512"
)

// Config configures a Log. Build it with DefaultConfig, fill in Brokers and
// whatever else differs, and pass it to Open, which calls Validate.
type Config struct {
	// Brokers are the seed brokers, host:port each. At least one is needed.
	Brokers []string
	// Topic holds the log. It defaults to DefaultTopic.
	Topic string
	// ReplicationFactor is used when Open creates the topic. Zero means
	// min(3, number of brokers in the cluster).
	ReplicationFactor int
	// MinInsyncReplicas is set as min.insync.replicas when Open creates
	// the topic. Zero leaves the broker's default. With acks=all it is
	// the number of replicas that must have a batch before Append returns.
	MinInsyncReplicas int
	// ClientID names this instance in broker logs and quotas.
	ClientID string
	// TLS configures encryption to the brokers.
	TLS TLSConfig
	// SASL configures authentication to the brokers.
	SASL SASLConfig
	// DialTimeout bounds one connection attempt.
	DialTimeout time.Duration
	// RequestTimeout bounds an admin or metadata request including its
	// retries, and End or Open when their context has no deadline.
	RequestTimeout time.Duration
	// ProduceTimeout is how long a broker may take to answer a produce
	// request (Kafka's request.timeout.ms for producers).
	ProduceTimeout time.Duration
	// WriteTimeout bounds an Append whose context has no deadline, so that
	// an unreachable cluster never blocks a writer forever.
	WriteTimeout time.Duration
	// MaxBatchBytes bounds the uncompressed size of one Append. Keep it
	// below the topic's max.message.bytes (1048588 bytes by default):
	// the default of 1,000,000 leaves room for the batch header.
	MaxBatchBytes int
}

// TLSConfig enables TLS to the brokers. The file fields are PEM files.
type TLSConfig struct {
	// Enabled turns TLS on. With no CAFile the system roots are trusted.
	Enabled bool
	// CAFile holds the certificates that sign the brokers' certificates.
	CAFile string
	// CertFile and KeyFile are the client certificate and key for mutual
	// TLS. Give both or neither.
	CertFile string
	KeyFile  string
	// InsecureSkipVerify accepts any broker certificate. For tests only.
	InsecureSkipVerify bool
}

// SASLConfig enables SASL authentication to the brokers.
type SASLConfig struct {
	// Mechanism is "" (no SASL), PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.
	Mechanism string
	// User and Password are the credentials.
	User     string
	Password string
}

// DefaultConfig returns a Config with every default filled in and no
// brokers.
func DefaultConfig() Config {
	return Config{
		Topic:          DefaultTopic,
		ClientID:       "charter",
		DialTimeout:    10 * time.Second,
		RequestTimeout: 30 * time.Second,
		ProduceTimeout: 10 * time.Second,
		WriteTimeout:   30 * time.Second,
		MaxBatchBytes:  1_000_000,
	}
}

// Validate reports everything wrong with c, joined into one error.
func (c *Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("kafka config: "+format, args...))
	}
	if len(c.Brokers) == 0 {
		bad("no brokers")
	}
	for _, b := range c.Brokers {
		if strings.TrimSpace(b) == "" || strings.ContainsAny(b, " \t,") {
			bad("broker %q is not host:port", b)
		}
	}
	if err := validTopicName(c.Topic); err != nil {
		bad("%v", err)
	}
	if c.ReplicationFactor < 0 || c.ReplicationFactor > 32767 {
		bad("replication factor %d out of range", c.ReplicationFactor)
	}
	if c.MinInsyncReplicas < 0 {
		bad("min.insync.replicas %d is negative", c.MinInsyncReplicas)
	}
	if c.ReplicationFactor > 0 && c.MinInsyncReplicas > c.ReplicationFactor {
		bad("min.insync.replicas %d exceeds the replication factor %d: no write could succeed",
			c.MinInsyncReplicas, c.ReplicationFactor)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"dial timeout", c.DialTimeout},
		{"request timeout", c.RequestTimeout},
		{"produce timeout", c.ProduceTimeout},
		{"write timeout", c.WriteTimeout},
	} {
		if d.v <= 0 {
			bad("%s must be positive, got %v", d.name, d.v)
		}
	}
	if c.MaxBatchBytes < 1024 || c.MaxBatchBytes > 1<<30 {
		bad("max batch bytes %d out of range [1 KiB, 1 GiB]", c.MaxBatchBytes)
	}
	t := c.TLS
	if !t.Enabled && (t.CAFile != "" || t.CertFile != "" || t.KeyFile != "" || t.InsecureSkipVerify) {
		bad("TLS options are set but TLS is not enabled")
	}
	if (t.CertFile == "") != (t.KeyFile == "") {
		bad("TLS needs both a certificate file and a key file, or neither")
	}
	switch c.SASL.Mechanism {
	case "":
		if c.SASL.User != "" || c.SASL.Password != "" {
			bad("SASL credentials are set but no SASL mechanism")
		}
	case MechanismPlain, MechanismScramSHA256, MechanismScramSHA512:
		if c.SASL.User == "" {
			bad("SASL %s needs a user", c.SASL.Mechanism)
		}
	default:
		bad("unknown SASL mechanism %q (want %s, %s or %s)",
			c.SASL.Mechanism, MechanismPlain, MechanismScramSHA256, MechanismScramSHA512)
	}
	return errors.Join(errs...)
}

// validTopicName applies Kafka's rules for topic names.
func validTopicName(t string) error {
	switch {
	case t == "":
		return errors.New("empty topic name")
	case t == "." || t == "..":
		return fmt.Errorf("topic name %q is not allowed", t)
	case len(t) > 249:
		return fmt.Errorf("topic name is %d characters long, the limit is 249", len(t))
	}
	for _, r := range t {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			r == '.' || r == '_' || r == '-'
		if !ok {
			return fmt.Errorf("topic name %q has %q; use only ASCII letters, digits, '.', '_' and '-'", t, r)
		}
	}
	return nil
}

// clientOpts returns the kgo options every client of the Log shares:
// brokers, identity, timeouts, TLS and SASL.
// ClientOptions returns the franz-go options that connect to c's cluster
// (seed brokers, client id, timeouts, TLS and SASL), validating c first.
// Use it for other clients that must reach the same cluster the same way,
// such as a change publisher or a dead-letter replay.
func (c *Config) ClientOptions() ([]kgo.Opt, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c.clientOpts(nil)
}

func (c *Config) clientOpts(l kgo.Logger) ([]kgo.Opt, error) {
	opts := []kgo.Opt{
		kgo.SeedBrokers(c.Brokers...),
		kgo.ClientID(c.ClientID),
		kgo.DialTimeout(c.DialTimeout),
		kgo.RetryTimeout(c.RequestTimeout),
	}
	if l != nil {
		opts = append(opts, kgo.WithLogger(l))
	}
	if c.TLS.Enabled {
		tc, err := c.TLS.load()
		if err != nil {
			return nil, err
		}
		opts = append(opts, kgo.DialTLSConfig(tc))
	}
	switch c.SASL.Mechanism {
	case MechanismPlain:
		opts = append(opts, kgo.SASL(plain.Auth{User: c.SASL.User, Pass: c.SASL.Password}.AsMechanism()))
	case MechanismScramSHA256:
		opts = append(opts, kgo.SASL(scram.Auth{User: c.SASL.User, Pass: c.SASL.Password}.AsSha256Mechanism()))
	case MechanismScramSHA512:
		opts = append(opts, kgo.SASL(scram.Auth{User: c.SASL.User, Pass: c.SASL.Password}.AsSha512Mechanism()))
	}
	return opts, nil
}

// load reads the TLS files into a tls.Config.
func (t *TLSConfig) load() (*tls.Config, error) {
	tc := &tls.Config{
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: t.InsecureSkipVerify, //nolint:gosec // opt-in, documented as test-only
	}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("kafka config: TLS CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("kafka config: TLS CA file %s holds no PEM certificate", t.CAFile)
		}
		tc.RootCAs = pool
	}
	if t.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("kafka config: TLS client certificate: %w", err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc, nil
}
