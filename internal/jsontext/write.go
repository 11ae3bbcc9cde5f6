package jsontext

import "unicode/utf8"

// Escaping is a style of escaping a JSON string. JSON requires quotes,
// backslashes and control characters escaped; a style says which control
// characters are written by name, in which case \u escapes are written
// and what happens to text that is not plain UTF-8.
type Escaping struct {
	// ShortBF writes \b and \f by name rather than as \u0008 and \u000c
	// (\n, \r and \t are written by name in every style).
	ShortBF bool
	// UpperHex writes the hex digits of a \u escape in upper case.
	UpperHex bool
	// Sanitize writes invalid UTF-8 as \ufffd, one per byte, and escapes
	// U+2028 and U+2029, which JavaScript does not allow in a string;
	// without it every byte of 0x80 and above is written as it is.
	Sanitize bool
}

// The styles in use.
var (
	// Jackson escapes as Jackson does inside Avro's Java implementation,
	// whose output Confluent's canonical Avro form is.
	Jackson = Escaping{ShortBF: true, UpperHex: true}
	// Slog escapes as log/slog's JSON handler does.
	Slog = Escaping{Sanitize: true}
)

// unescaped marks the bytes written as they are in every style: all but
// quotes, backslashes and control characters; unescapedASCII leaves out
// the bytes of multi-byte UTF-8 too, for Sanitize to look at.
var unescaped, unescapedASCII = func() (all, ascii [256]bool) {
	for c := 0x20; c < 256; c++ {
		all[c] = c != '"' && c != '\\'
		ascii[c] = all[c] && c < utf8.RuneSelf
	}
	return all, ascii
}()

// AppendEscaped appends s escaped for a JSON string in style e, without
// the surrounding quotes.
func AppendEscaped(b []byte, s string, e Escaping) []byte {
	hex := "0123456789abcdef"
	if e.UpperHex {
		hex = "0123456789ABCDEF"
	}
	safe := &unescaped
	if e.Sanitize {
		safe = &unescapedASCII
	}
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if safe[c] {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == utf8.RuneError && size == 1:
				b = append(b, s[start:i]...)
				b = append(b, `\ufffd`...)
			case r == '\u2028' || r == '\u2029':
				b = append(b, s[start:i]...)
				b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			default:
				i += size
				continue
			}
			i += size
			start = i
			continue
		}
		b = append(b, s[start:i]...)
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c == '\b' && e.ShortBF:
			b = append(b, '\\', 'b')
		case c == '\f' && e.ShortBF:
			b = append(b, '\\', 'f')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		i++
		start = i
	}
	return append(b, s[start:]...)
}

// AppendString appends s as a quoted JSON string in style e.
func AppendString(b []byte, s string, e Escaping) []byte {
	b = append(b, '"')
	b = AppendEscaped(b, s, e)
	return append(b, '"')
}
