package jsontext

import "strings"

// StripComments returns text with its // and /* */ comments outside
// strings overwritten by spaces, keeping newlines, so that offsets, lines
// and columns in the result are those of text. Avro's Java parser accepts
// comments; JSON does not. It returns text itself when there is no
// comment, and a *SyntaxError at the comment's start when a /* comment is
// never closed.
func StripComments(text string) (string, error) {
	if strings.IndexByte(text, '/') < 0 {
		return text, nil
	}
	var b []byte // a copy, made at the first comment
	inString := false
	for i := 0; i < len(text); i++ {
		c := text[i]
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
			continue
		}
		switch {
		case c == '"':
			inString = true
		case c == '/' && i+1 < len(text) && (text[i+1] == '/' || text[i+1] == '*'):
			if b == nil {
				b = []byte(text)
			}
			if text[i+1] == '/' {
				for ; i < len(text) && text[i] != '\n'; i++ {
					b[i] = ' '
				}
				continue
			}
			start := i
			b[i], b[i+1] = ' ', ' '
			i += 2
			for ; ; i++ {
				if i+1 >= len(text) {
					return "", &SyntaxError{Off: start, Msg: "a /* comment is never closed"}
				}
				if text[i] == '*' && text[i+1] == '/' {
					b[i], b[i+1] = ' ', ' '
					i++
					break
				}
				if text[i] != '\n' {
					b[i] = ' '
				}
			}
		}
	}
	if b == nil {
		return text, nil
	}
	return string(b), nil
}
