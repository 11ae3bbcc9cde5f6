package jsontext

import (
	"encoding/json"
	"strings"
	"testing"
)

// These tests come from cli/check, whose JSON reader Parse replaced: they
// pin what locating a path in a schema text relies on.

// parseOrNil parses as cli/check did: nil when text is not JSON.
func parseOrNil(text string) *Value {
	v, err := Parse(text, Options{MaxDepth: 512})
	if err != nil {
		return nil
	}
	return v
}

func TestParseAsCheckDid(t *testing.T) {
	text := "{\n  \"a\": [1, {\"b\": \"x\\\"y\"}],\n  \"é\": true\n}"
	n := parseOrNil(text)
	if n == nil {
		t.Fatal("valid JSON refused")
	}
	b := n.Get("a").Index("1").Get("b")
	if b == nil || b.Str != `x"y` {
		t.Fatalf("escaped string: %+v", b)
	}
	if l, c := LineCol(text, b.Off); l != 2 || c != 18 {
		t.Errorf("position of b: %d:%d", l, c)
	}
	if e := n.Get("é"); e == nil || e.Kind != Bool {
		t.Errorf("non-ASCII key: %+v", e)
	}
	for _, bad := range []string{"", "{", `{"a" 1}`, "[1,]x", `{"a":1,}`, "\"\x01\"", "[1 2]"} {
		if parseOrNil(bad) != nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func FuzzParseAsCheckDid(f *testing.F) {
	f.Add(`{"a": [1, {"b": "c"}]}`)
	f.Add(`[[[[[[]]]]]]`)
	f.Add(`"\u00e9"`)
	f.Fuzz(func(t *testing.T, text string) {
		n := parseOrNil(text)
		if n == nil {
			return
		}
		// Whatever we accept that encoding/json also accepts must agree on
		// the top-level shape.
		var v any
		if json.Unmarshal([]byte(text), &v) == nil {
			switch v.(type) {
			case map[string]any:
				if n.Kind != Object {
					t.Fatalf("object parsed as kind %d", n.Kind)
				}
			case []any:
				if n.Kind != Array {
					t.Fatalf("array parsed as kind %d", n.Kind)
				}
			}
		}
		if n.Off < 0 || n.Off > len(text) {
			t.Fatalf("offset %d out of range", n.Off)
		}
		_ = followPath(n, "/a/0/b")
	})
}

// followPath walks a pointer through a parsed tree, as relocate does.
func followPath(n *Value, p string) *Value {
	for _, s := range strings.Split(strings.TrimPrefix(p, "/"), "/") {
		switch n.Kind {
		case Object:
			n = n.Get(s)
		case Array:
			n = n.Index(s)
		default:
			return n
		}
		if n == nil {
			return nil
		}
	}
	return n
}
