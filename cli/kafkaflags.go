package cli

import (
	"strings"

	"github.com/spf13/pflag"

	"github.com/charter-registry/charter/storage/kafka"
)

// kafkaConnFlags are the flags that say how to reach a Kafka cluster:
// brokers, TLS and SASL. serve and dlq replay share them so that both
// connect the same way.
type kafkaConnFlags struct {
	brokers       []string
	tls           bool
	tlsCA         string
	tlsCert       string
	tlsKey        string
	saslMechanism string
	saslUser      string
	saslPassword  string
}

func (k *kafkaConnFlags) bind(fs *pflag.FlagSet, brokersUsage string) {
	fs.StringSliceVar(&k.brokers, "kafka-brokers", nil, brokersUsage)
	fs.BoolVar(&k.tls, "kafka-tls", false, "connect to the brokers with TLS")
	fs.StringVar(&k.tlsCA, "kafka-tls-ca", "", "PEM file of the CA that signs the brokers' certificates (implies --kafka-tls)")
	fs.StringVar(&k.tlsCert, "kafka-tls-cert", "", "PEM client certificate for mutual TLS (implies --kafka-tls)")
	fs.StringVar(&k.tlsKey, "kafka-tls-key", "", "PEM client key for mutual TLS")
	fs.StringVar(&k.saslMechanism, "kafka-sasl-mechanism", "", "SASL mechanism: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512")
	fs.StringVar(&k.saslUser, "kafka-sasl-user", "", "SASL user name")
	fs.StringVar(&k.saslPassword, "kafka-sasl-password", "", "SASL password (prefer the environment variable)")
}

// config returns storage/kafka's Config with the connection filled in.
func (k *kafkaConnFlags) config() kafka.Config {
	cfg := kafka.DefaultConfig()
	cfg.Brokers = k.brokers
	cfg.TLS = kafka.TLSConfig{Enabled: k.tls || k.tlsCA != "" || k.tlsCert != "", CAFile: k.tlsCA, CertFile: k.tlsCert, KeyFile: k.tlsKey}
	cfg.SASL = kafka.SASLConfig{Mechanism: strings.ToUpper(k.saslMechanism), User: k.saslUser, Password: k.saslPassword}
	return cfg
}
