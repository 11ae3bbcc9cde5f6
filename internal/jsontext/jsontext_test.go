package jsontext

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseKeepsOrderAndOffsets(t *testing.T) {
	t.Parallel()
	text := "\ufeff{\"b\": [1, \"x\"],\n \"a\": {\"c\": null}, \"b\": true}"
	v, err := Parse(text, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if v.Kind != Object || v.Off != 3 {
		t.Fatalf("root kind %d at %d, want an object at 3", v.Kind, v.Off)
	}
	var keys []string
	for _, m := range v.Members {
		keys = append(keys, m.Key)
	}
	if !reflect.DeepEqual(keys, []string{"b", "a"}) {
		t.Errorf("keys %v, want [b a]: a repeated key keeps its first place", keys)
	}
	if b := v.Get("b"); !b.True() {
		t.Errorf("b = %+v, want the last value, true", b)
	}
	if off := v.Members[1].Off; text[off:off+3] != `"a"` {
		t.Errorf("member a at %d (%q), want its opening quote", off, text[off:])
	}
	if c := v.Lookup([]string{"a", "c"}); c == nil || c.Kind != Null || text[c.Off:c.Off+4] != "null" {
		t.Errorf("Lookup(a/c) = %+v", c)
	}
	if off, ok := v.Offset([]string{"a", "c"}); !ok || text[off:off+3] != `"c"` {
		t.Errorf("Offset(a/c) = %d, %v; want the member name", off, ok)
	}
	if off, ok := v.Offset([]string{"a", "zz"}); ok || text[off:off+3] != `"a"` {
		t.Errorf("Offset(a/zz) = %d, %v; want the deepest member reached and false", off, ok)
	}
	if line, col := LineCol(text, v.Members[1].Off); line != 2 || col != 2 {
		t.Errorf("LineCol = %d:%d, want 2:2", line, col)
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, text string
		opts       Options
		off        int
		msg        string
	}{
		{"empty", "", Options{}, 0, "unexpected end of input, expected a value"},
		{"trailing comma", `{"a":1,}`, Options{}, 7, "unexpected character '}', expected a member name in quotes"},
		{"trailing text", `{} x`, Options{}, 3, "unexpected character 'x' after the top-level value"},
		{"bad escape", `"\q"`, Options{}, 1, `invalid escape '\q' in a string`},
		{"control character", "\"a\nb\"", Options{}, 2, `control character '\n' in a string must be escaped`},
		{"depth", `[[[1]]]`, Options{MaxDepth: 2}, 2, "nesting is deeper than 2 levels"},
		{"long number", `[12345]`, Options{MaxNumberLen: 4}, 1, "number literal is longer than 4 characters"},
		{"big exponent", `1e00012345`, Options{MaxNumberLen: 512}, 0, "number exponent is out of range"},
		{"missing colon", `{"a" 1}`, Options{}, 5, "unexpected character '1', expected ':' after member name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.text, tc.opts)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v (%T), want a *SyntaxError", err, err)
			}
			if se.Off != tc.off || se.Msg != tc.msg {
				t.Errorf("got %q at %d, want %q at %d", se.Msg, se.Off, tc.msg, tc.off)
			}
		})
	}
	if _, err := Parse(`1e12345`, Options{}); err != nil {
		t.Errorf("without limits a big exponent is JSON: %v", err)
	}
}

func TestStripComments(t *testing.T) {
	t.Parallel()
	text := "/* a\n b */ {\"x\": \"/* not */\", // c\n \"y\": 1}"
	got, err := StripComments(text)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(text) || strings.Count(got, "\n") != strings.Count(text, "\n") {
		t.Fatalf("offsets moved: %q", got)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(got), &v); err != nil || v["x"] != "/* not */" {
		t.Errorf("stripped text %q decodes to %v, %v", got, v, err)
	}
	if same, _ := StripComments(`{"a":"/"}`); same != `{"a":"/"}` {
		t.Errorf("text without comments changed: %q", same)
	}
	_, err = StripComments(`{} /* open`)
	var se *SyntaxError
	if !errors.As(err, &se) || se.Off != 3 || se.Msg != "a /* comment is never closed" {
		t.Errorf("unclosed comment: %v", err)
	}
}

func TestLineColAndPositions(t *testing.T) {
	t.Parallel()
	text := "ab\nçd\n\nx"
	offs := []int{0, 1, 3, 5, 7, 8, -1, 100}
	want := [][2]int{{1, 1}, {1, 2}, {2, 1}, {2, 2}, {3, 1}, {4, 1}, {0, 0}, {4, 2}}
	got := Positions(text, offs)
	for i, off := range offs {
		l, c := LineCol(text, off)
		if [2]int{l, c} != want[i] || got[i] != want[i] {
			t.Errorf("offset %d: LineCol %d:%d, Positions %v, want %v", off, l, c, got[i], want[i])
		}
	}
}

// TestLinesMatchesLineCol checks Lines.LineCol against LineCol at every
// offset of texts with several lines, multi-byte characters, invalid
// UTF-8 and lines longer than the index's stride.
func TestLinesMatchesLineCol(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("ab\u00e9\u4e16\U0001F600", 40)
	for _, text := range []string{
		"",
		"\n",
		"{\"a\":1}",
		"{\n  \"a\": 1,\n  \"b\": [\n\n    2]\n}\n",
		"{\"\u00e9\":\"\u4e16\"}\n{\"x\":\"\U0001F600\"}",
		long + "\n" + long + "\n\n" + long,
		"ab\xffcd\n\xe9\n" + long,
		strings.Repeat("x", 200) + "\u00e9" + strings.Repeat("y", 200),
	} {
		l := NewLines(text)
		for off := -1; off <= len(text)+1; off++ {
			wl, wc := LineCol(text, off)
			gl, gc := l.LineCol(off)
			if gl != wl || gc != wc {
				t.Fatalf("text %q offset %d: Lines gives %d:%d, LineCol %d:%d", text, off, gl, gc, wl, wc)
			}
		}
	}
}
