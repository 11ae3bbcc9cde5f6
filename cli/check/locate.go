package check

import (
	"github.com/charter-registry/charter/compat"
)

// relocate finds where in the newer schema's text a change belongs that a
// format reported with a path and position in the older text: a
// FORWARD-direction change comes from diffing the new schema as writer
// against the old one as reader, so its position is in the old text.
//
// It tries a change at the same path in the BACKWARD diff (whose positions
// are in the new text), then asks the format (compat.Locator) where the
// path lands in the new text. It returns 0, 0 when nothing fits, or when
// either schema is missing (did not parse), which makes a file-level
// annotation.
func relocate(old, next compat.Schema, p string, backward []compat.Change) (int, int) {
	for _, c := range backward {
		if c.Path == p && c.Line > 0 {
			return c.Line, c.Column
		}
	}
	if old == nil || next == nil {
		return 0, 0
	}
	if l, ok := next.(compat.Locator); ok {
		if line, col, found := l.Locate(old, p); found {
			return line, col
		}
	}
	return 0, 0
}
