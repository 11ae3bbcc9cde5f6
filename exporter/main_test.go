package exporter_test

import (
	"testing"

	"github.com/charter-registry/charter/internal/leaktest"
	"github.com/charter-registry/charter/internal/registrytest"
)

func TestMain(m *testing.M) { leaktest.Main(m, registrytest.RemoveBinary) }
