package jsonschema

import (
	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/internal/jsontext"
)

var _ compat.Locator = (*Schema)(nil)

// Locate follows path (#/properties/a) through from's text and this one
// together and returns where the deepest part that both still have starts
// in this text: a removed property lands on its "properties".
func (s *Schema) Locate(from compat.Schema, path string) (line, col int, ok bool) {
	old, isJSON := from.(*Schema)
	if !isJSON {
		return 0, 0, false
	}
	o, n := old.main.root, s.main.root
	at := n
	for _, seg := range compat.PointerTokens(path) {
		var on, nn *value
		switch o.Kind {
		case jsontext.Object:
			on, nn = o.Get(seg), n.Get(seg)
		case jsontext.Array:
			on, nn = o.Index(seg), n.Index(seg)
		}
		if on == nil || nn == nil {
			break
		}
		o, n, at = on, nn, nn
	}
	line, col = s.main.lineCol(at.Off)
	return line, col, true
}
