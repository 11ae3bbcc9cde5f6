package jsontext

import (
	"bytes"
	"log/slog"
	"testing"
)

// slogLine is the line log/slog's JSON handler writes for one string
// attribute, and the line AppendString in the Slog style should make.
func slogLine(s string) (got, want string) {
	var buf bytes.Buffer
	h := slog.NewJSONHandler(&buf, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}})
	slog.New(h).Info("m", "k", s)
	b := []byte(`{"level":"INFO","msg":"m","k":`)
	b = AppendString(b, s, Slog)
	return string(append(b, "}\n"...)), buf.String()
}

var escapingSeeds = []string{
	"", "plain", `a"b\c`, "\b\f\n\r\t", "\x00\x01\x1f\x7f", "é ü 中", "\u2028\u2029", "\xff\xfe", "a\xc3", "</script>&",
}

func TestSlogEscapingIsSlogs(t *testing.T) {
	t.Parallel()
	for _, s := range escapingSeeds {
		if got, want := slogLine(s); got != want {
			t.Errorf("%q:\n got %s\nwant %s", s, got, want)
		}
	}
}

func FuzzSlogEscaping(f *testing.F) {
	for _, s := range escapingSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := slogLine(s); got != want {
			t.Fatalf("%q:\n got %s\nwant %s", s, got, want)
		}
	})
}

func TestJacksonEscaping(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]string{
		"":              `""`,
		`a"b\c`:         `"a\"b\\c"`,
		"\b\f\n\r\t":    `"\b\f\n\r\t"`,
		"\x00\x01\x1f":  `"\u0000\u0001\u001F"`,
		"\x7f é \u2028": "\"\x7f é \u2028\"",
		"\xff":          "\"\xff\"",
	} {
		if got := string(AppendString(nil, s, Jackson)); got != want {
			t.Errorf("%q: got %s, want %s", s, got, want)
		}
	}
}
