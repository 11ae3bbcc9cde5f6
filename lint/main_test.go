package lint

import (
	"testing"

	"github.com/charter-registry/charter/internal/leaktest"
)

func TestMain(m *testing.M) { leaktest.Main(m) }
