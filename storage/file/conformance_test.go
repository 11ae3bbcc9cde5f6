package file_test

import (
	"sync"
	"testing"

	"github.com/charter-registry/charter/storage"
	"github.com/charter-registry/charter/storage/storagetest"
)

func TestConformance(t *testing.T) {
	var dirs sync.Map // storage.Log -> its directory
	storagetest.Run(t, storagetest.Backend{
		New: func(t *testing.T) storage.Log {
			dir := t.TempDir()
			l := open(t, dir)
			dirs.Store(l, dir)
			return l
		},
		Reopen: func(t *testing.T, l storage.Log) storage.Log {
			dir, _ := dirs.Load(l)
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			l2 := open(t, dir.(string))
			dirs.Store(l2, dir)
			return l2
		},
	})
}
