package memory_test

import (
	"testing"

	"github.com/charter-registry/charter/storage"
	"github.com/charter-registry/charter/storage/memory"
	"github.com/charter-registry/charter/storage/storagetest"
)

func TestConformance(t *testing.T) {
	storagetest.Run(t, storagetest.Backend{
		New: func(*testing.T) storage.Log { return memory.New() },
	})
}
