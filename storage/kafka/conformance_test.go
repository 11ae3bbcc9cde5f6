package kafka

import (
	"sync"
	"testing"

	"github.com/charter-registry/charter/storage"
	"github.com/charter-registry/charter/storage/storagetest"
)

// kafkaBackend runs the storage.Log conformance suite on logs that config
// opens, one topic per case.
func kafkaBackend(config func(t *testing.T) Config, open func(t testing.TB, cfg Config) *Log) storagetest.Backend {
	var configs sync.Map // *Log -> Config
	return storagetest.Backend{
		New: func(t *testing.T) storage.Log {
			cfg := config(t)
			l := open(t, cfg)
			configs.Store(l, cfg)
			return l
		},
		Reopen: func(t *testing.T, l storage.Log) storage.Log {
			cfg, _ := configs.Load(l)
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			l2 := open(t, cfg.(Config))
			configs.Store(l2, cfg)
			return l2
		},
	}
}

// TestFakeConformance runs the suite against kfake, a cluster per case.
func TestFakeConformance(t *testing.T) {
	storagetest.Run(t, kafkaBackend(func(t *testing.T) Config { return fakeConfig(newFake(t)) }, openFake))
}

// TestBrokerConformance runs the suite against a real broker
// (CHARTER_KAFKA_BROKERS), a topic per case.
func TestBrokerConformance(t *testing.T) {
	brokers(t)
	storagetest.Run(t, kafkaBackend(func(t *testing.T) Config { return brokerConfig(t, "conformance") }, openBroker))
}
