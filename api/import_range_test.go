package api_test

import (
	"strings"
	"testing"
)

// Ids and versions are Confluent's Java ints. In IMPORT mode a larger id or
// version is refused with 422 and nothing is written; it never wraps into
// a negative id that a later registration would reuse, and the registry
// keeps allocating ids and storing schemas afterwards.
func TestImportRefusesIDsAndVersionsBeyond32Bits(t *testing.T) {
	h := newHarness(t)
	if r := h.do("PUT", "/mode/imp", map[string]any{"mode": "IMPORT"}); r.status != 200 {
		t.Fatalf("set IMPORT: %d %s", r.status, r.body)
	}
	for _, c := range []struct {
		body, message string
	}{
		{`{"schema":"\"bytes\"","id":9223372036854775807,"version":1}`, "Invalid id 9223372036854775807: schema ids are integers from 1 to 2147483647"},
		{`{"schema":"\"bytes\"","id":2147483648,"version":1}`, "Invalid id 2147483648: schema ids are integers from 1 to 2147483647"},
		{`{"schema":"\"bytes\"","id":7,"version":2147483648}`, "Invalid version 2147483648: versions are integers from 1 to 2147483647"},
	} {
		r := h.do("POST", "/subjects/imp/versions", c.body)
		if r.status != 422 || r.errorCode(t) != 422 || !strings.Contains(string(r.body), c.message) {
			t.Errorf("%s: %d %s, want 422 / 422 %q", c.body, r.status, r.body, c.message)
		}
	}
	if r := h.do("GET", "/subjects/imp/versions", nil); r.status != 404 {
		t.Errorf("a refused import left the subject behind: %d %s", r.status, r.body)
	}
	// The highest id a 4-byte id holds is importable; after it no id is
	// left, and a registration says so instead of wrapping around.
	if r := h.do("POST", "/subjects/imp/versions", `{"schema":"\"bytes\"","id":2147483647,"version":1}`); r.status != 200 {
		t.Fatalf("import of id 2^31-1: %d %s", r.status, r.body)
	}
	if r := h.do("DELETE", "/mode/imp", nil); r.status != 200 {
		t.Fatalf("leave IMPORT: %d %s", r.status, r.body)
	}
	r := h.do("POST", "/subjects/s2/versions", `{"schema":"\"boolean\""}`)
	if r.status != 422 || r.errorCode(t) != 42205 || !strings.Contains(string(r.body), "No schema id is left") {
		t.Errorf("registration after id 2^31-1: %d %s, want 422 / 42205", r.status, r.body)
	}
	if r := h.do("GET", "/subjects/s2/versions", nil); r.status != 404 {
		t.Errorf("a refused registration left the subject behind: %d %s", r.status, r.body)
	}
	// A schema the registry already holds keeps working.
	if r := h.do("GET", "/schemas/ids/2147483647", nil); r.status != 200 {
		t.Errorf("GET id 2^31-1: %d %s", r.status, r.body)
	}
}
