package protobuf

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/internal/jsontext"
)

var _ compat.Locator = (*Schema)(nil)

// Locate finds, in this schema's text, the declaration of the innermost
// message or enum that a path (#/Outer.Inner/3) names. from is not needed:
// Protobuf paths name types, not positions.
func (s *Schema) Locate(_ compat.Schema, path string) (line, col int, ok bool) {
	segs := compat.PointerTokens(path)
	for i := len(segs) - 1; i >= 0; i-- {
		seg := segs[i]
		if _, err := strconv.Atoi(seg); err == nil || seg == "" {
			continue
		}
		name := seg
		if j := strings.LastIndexByte(name, '.'); j >= 0 {
			name = name[j+1:]
		}
		re, err := regexp.Compile(`\b(?:message|enum)\s+` + regexp.QuoteMeta(name) + `\s*\{`)
		if err != nil {
			continue
		}
		if loc := re.FindStringIndex(s.text); loc != nil {
			line, col = jsontext.LineCol(s.text, loc[0])
			return line, col, true
		}
	}
	return 0, 0, false
}
