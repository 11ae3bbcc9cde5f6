package registry

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charter-registry/charter/compat"
)

type fakeSchema struct{ compat.Schema }

func TestParseCacheBoundsAndReparses(t *testing.T) {
	c := newParseCache(2)
	parses := map[*storedSchema]int{}
	get := func(sc *storedSchema) {
		t.Helper()
		p, err := c.get(sc, func() (compat.Schema, error) {
			parses[sc]++
			return fakeSchema{}, nil
		})
		if p == nil || err != nil {
			t.Fatalf("get: %v %v", p, err)
		}
	}
	a, b, d := &storedSchema{id32: 1}, &storedSchema{id32: 2}, &storedSchema{id32: 3}
	get(a)
	get(b)
	get(a) // a is the most recent now
	get(d) // evicts b
	if c.len() != 2 {
		t.Errorf("%d entries, want at most 2", c.len())
	}
	get(a)
	get(b) // parsed again
	if got := fmt.Sprint(parses[a], parses[b], parses[d]); got != "1 2 1" {
		t.Errorf("parses of a, b, d = %s, want 1 2 1", got)
	}
	// An error is cached like a result.
	e := &storedSchema{id32: 4}
	for range 2 {
		_, err := c.get(e, func() (compat.Schema, error) { parses[e]++; return nil, fmt.Errorf("bad") })
		if err == nil {
			t.Fatal("no error")
		}
	}
	if parses[e] != 1 {
		t.Errorf("a failed parse ran %d times", parses[e])
	}
}

// TestParseCacheSharesCopiesOfOneSchema: the copy of a stored schema that
// a write group's speculation made and the one its applied record made
// (same context, id, type and identity) share one parse.
func TestParseCacheSharesCopiesOfOneSchema(t *testing.T) {
	c := newParseCache(4)
	parses := 0
	parse := func() (compat.Schema, error) { parses++; return fakeSchema{}, nil }
	ident := ComputeIdentity(`"int"`, nil, nil, nil)
	speculative := newStoredSchema(7, compat.Avro, `"int"`, "", nil, nil, nil, ident, ".")
	applied := *speculative
	other := newStoredSchema(7, compat.Avro, `"int"`, "", nil, nil, nil, ident, ".staging")
	for _, sc := range []*storedSchema{speculative, &applied, other} {
		if _, err := c.get(sc, parse); err != nil {
			t.Fatal(err)
		}
	}
	if parses != 2 {
		t.Errorf("%d parses, want 2 (one per context)", parses)
	}
}

// TestTextCacheIsBoundedByBytes fills a textCache with texts of many sizes,
// as compatibility checks of ever new large schemas would: what it holds
// stays within two generations of textCacheBytes, texts over
// textCacheMaxBytes are not kept at all, and a small text put last is
// found again.
func TestTextCacheIsBoundedByBytes(t *testing.T) {
	var c textCache
	for i := range 2000 {
		size := 1 << (10 + i%8) // 1 KiB .. 128 KiB
		text := fmt.Sprintf("%d:%s", i, strings.Repeat("x", size))
		c.put(textKey{typ: compat.Avro, text: text}, text)
		if got := c.bytes(); got > 2*textCacheBytes {
			t.Fatalf("after %d texts the cache holds %d bytes, want at most %d", i+1, got, 2*textCacheBytes)
		}
	}
	big := strings.Repeat("y", textCacheMaxBytes)
	c.put(textKey{typ: compat.Avro, text: big}, big)
	if _, ok := c.get(textKey{typ: compat.Avro, text: big}); ok {
		t.Errorf("a text of %d bytes with its stored form was kept; the limit is %d", 2*len(big), textCacheMaxBytes)
	}
	small := textKey{typ: compat.Avro, text: `"string"`}
	c.put(small, `"string"`)
	if v, ok := c.get(small); !ok || v != `"string"` {
		t.Errorf("a small text put last: %q %v, want it found", v, ok)
	}
}
