package storagetest_test

import (
	"testing"

	"github.com/charter-registry/charter/internal/leaktest"
	"github.com/charter-registry/charter/storage"
	"github.com/charter-registry/charter/storage/memory"
	"github.com/charter-registry/charter/storage/storagetest"
)

func TestMain(m *testing.M) { leaktest.Main(m) }

// TestSuiteRunsSerially: a backend whose instances cannot run side by
// side gets its cases one after another.
func TestSuiteRunsSerially(t *testing.T) {
	n := 0
	storagetest.Run(t, storagetest.Backend{
		New:    func(*testing.T) storage.Log { n++; return memory.New() },
		Serial: true,
	})
	if n == 0 {
		t.Error("the suite opened no log")
	}
}
