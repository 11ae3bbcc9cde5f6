package jsontext

import (
	"sort"
	"unicode/utf8"
)

// Lines answers LineCol for many offsets of one text without scanning the
// text from its start each time: it is built in one pass (the start of
// every line, and how many characters precede every 64th byte), and each
// lookup is a binary search plus at most 64 bytes counted. Outlines, lint
// findings and error positions ask for a position per field, which with
// LineCol costs the text's length per field. A Lines is read-only once
// built, so any number of goroutines may share it.
type Lines struct {
	text   string
	starts []int // byte offset of each line's first byte
	ascii  bool
	// chars[k] is the number of characters in text[:k*64], for a text of
	// valid UTF-8 that is not all ASCII (nil otherwise).
	chars []int
	valid bool
}

const charsStride = 64

// NewLines indexes text for LineCol.
func NewLines(text string) *Lines {
	l := &Lines{text: text, starts: []int{0}, ascii: true, valid: true}
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c == '\n' {
			l.starts = append(l.starts, i+1)
		} else if c >= utf8.RuneSelf {
			l.ascii = false
		}
	}
	if l.ascii {
		return l
	}
	l.valid = utf8.ValidString(text)
	if !l.valid {
		return l
	}
	l.chars = make([]int, len(text)/charsStride+1)
	n := 0
	for i := 0; i < len(text); i++ {
		if i%charsStride == 0 {
			l.chars[i/charsStride] = n
		}
		if text[i]&0xC0 != 0x80 {
			n++
		}
	}
	return l
}

// charsBefore is the number of characters in text[:off], off at the start
// of a character of a valid text.
func (l *Lines) charsBefore(off int) int {
	k := off / charsStride
	n := l.chars[k]
	for i := k * charsStride; i < off; i++ {
		if l.text[i]&0xC0 != 0x80 {
			n++
		}
	}
	return n
}

// LineCol is jsontext.LineCol(text, off) for the indexed text.
func (l *Lines) LineCol(off int) (line, col int) {
	if off < 0 {
		return 0, 0
	}
	off = min(off, len(l.text))
	// The last line starting at or before off.
	i := sort.Search(len(l.starts), func(i int) bool { return l.starts[i] > off }) - 1
	start := l.starts[i]
	switch {
	case l.ascii:
		col = off - start + 1
	case l.valid && utf8.RuneStart(at(l.text, off)):
		col = l.charsBefore(off) - l.charsBefore(start) + 1
	default:
		col = utf8.RuneCountInString(l.text[start:off]) + 1
	}
	return i + 1, col
}

// at is text[i], or 0 past the end (where a character may start).
func at(text string, i int) byte {
	if i >= len(text) {
		return 0
	}
	return text[i]
}
