package jsontext

import (
	"slices"
	"unicode/utf8"
)

// LineCol turns a byte offset of text into a 1-based line and a column
// counted in characters, the way every format reports positions. A
// negative offset gives 0, 0 (unknown); an offset past the end counts to
// the end.
func LineCol(text string, off int) (line, col int) {
	if off < 0 {
		return 0, 0
	}
	off = min(off, len(text))
	line, start := 1, 0
	for i := 0; i < off; i++ {
		if text[i] == '\n' {
			line++
			start = i + 1
		}
	}
	return line, utf8.RuneCountInString(text[start:off]) + 1
}

// Positions turns many byte offsets into lines and columns as LineCol
// does, in one pass over text.
func Positions(text string, offs []int) [][2]int {
	out := make([][2]int, len(offs))
	order := make([]int, 0, len(offs))
	for i, off := range offs {
		if off >= 0 {
			order = append(order, i)
		}
	}
	slices.SortFunc(order, func(a, b int) int { return offs[a] - offs[b] })
	line, col, pos := 1, 1, 0
	for _, i := range order {
		target := min(offs[i], len(text))
		for pos < target {
			r, size := utf8.DecodeRuneInString(text[pos:])
			if r == '\n' {
				line++
				col = 1
			} else {
				col++
			}
			pos += size
		}
		out[i] = [2]int{line, col}
	}
	return out
}
