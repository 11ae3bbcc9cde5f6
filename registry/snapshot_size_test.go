package registry

import (
	"testing"
	"unsafe"
)

// TestStoredSchemaSize: a registry holds one storedSchema per schema id,
// so it stays within the 48-byte size class (what few schemas have goes
// behind its optional pointer), and one versionState per version, 32
// bytes (its id is its schema's).
func TestStoredSchemaSize(t *testing.T) {
	if n := unsafe.Sizeof(storedSchema{}); n > 48 {
		t.Errorf("storedSchema is %d bytes, want at most 48", n)
	}
	if n := unsafe.Sizeof(versionState{}); n > 32 {
		t.Errorf("versionState is %d bytes, want at most 32", n)
	}
}
