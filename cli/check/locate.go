package check

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/internal/jsontext"
)

// relocate finds where in the newer text a change belongs that a format
// reported with a path and position in the older text: a FORWARD-direction
// change comes from diffing the new schema as writer against the old one
// as reader, so its position is in the old text.
//
// It tries, in order: a change at the same path in the BACKWARD diff
// (whose positions are in the new text); for the JSON formats, the same
// path followed through the new document by names rather than indexes,
// stopping at the deepest part that still exists there (a removed field
// lands on its record's field list); for Protobuf, the declaration of the
// innermost message named in the path. It returns 0, 0 when nothing fits,
// which makes a file-level annotation.
func relocate(typ compat.Type, oldText, newText, p string, backward []compat.Change) (int, int) {
	for _, c := range backward {
		if c.Path == p && c.Line > 0 {
			return c.Line, c.Column
		}
	}
	switch typ {
	case compat.Avro, compat.JSON:
		return followJSON(typ, oldText, newText, p)
	case compat.Protobuf:
		return protoMessage(newText, p)
	}
	return 0, 0
}

// pointerSegments splits a JSON pointer, with or without a leading #.
func pointerSegments(p string) []string {
	p = strings.TrimPrefix(p, "#")
	p = strings.TrimPrefix(p, "/")
	if p == "" {
		return nil
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = strings.NewReplacer("~1", "/", "~0", "~").Replace(s)
	}
	return segs
}

// maxJSONDepth bounds nesting so that hostile input cannot exhaust the
// stack.
const maxJSONDepth = 512

// parseJSONPositions parses text into a tree with offsets; nil when text
// is not valid JSON.
func parseJSONPositions(text string) *jnode {
	n, err := jsontext.Parse(text, jsontext.Options{MaxDepth: maxJSONDepth})
	if err != nil {
		return nil
	}
	return n
}

// jnode is a JSON value with the byte offset where it starts.
type jnode = jsontext.Value

func followJSON(typ compat.Type, oldText, newText, p string) (int, int) {
	oldRoot, newRoot := parseJSONPositions(oldText), parseJSONPositions(newText)
	if oldRoot == nil || newRoot == nil {
		return 0, 0
	}
	o, n := oldRoot, newRoot
	if typ == compat.Avro {
		o, n = avroDeref(oldRoot, o), avroDeref(newRoot, n)
	}
	at := n
	prevKey := ""
	for _, seg := range pointerSegments(p) {
		var on, nn *jnode
		switch o.Kind {
		case jsontext.Object:
			on, nn = o.Get(seg), n.Get(seg)
		case jsontext.Array:
			on = index(o, seg)
			if typ == compat.Avro && prevKey == "fields" {
				nn = fieldByName(n, on)
			} else {
				nn = index(n, seg)
			}
		}
		if on == nil || nn == nil {
			break
		}
		if typ == compat.Avro {
			on, nn = avroDeref(oldRoot, on), avroDeref(newRoot, nn)
		}
		o, n, at, prevKey = on, nn, nn, seg
	}
	return jsontext.LineCol(newText, at.Off)
}

// index returns the array element a pointer segment names, read as
// strconv.Atoi reads it.
func index(n *jnode, s string) *jnode {
	if n == nil || n.Kind != jsontext.Array {
		return nil
	}
	i, err := strconv.Atoi(s)
	if err != nil || i < 0 || i >= len(n.Elems) {
		return nil
	}
	return n.Elems[i]
}

// fieldByName finds, in the new record's field list, the field with the
// old field's name.
func fieldByName(fields, old *jnode) *jnode {
	name := old.Get("name")
	if fields == nil || fields.Kind != jsontext.Array || name == nil {
		return nil
	}
	for _, f := range fields.Elems {
		if nm := f.Get("name"); nm != nil && nm.Str == name.Str {
			return f
		}
	}
	return nil
}

// avroDeref follows a type given by name to the definition of that name
// in the same text, so that paths through named types can be walked.
func avroDeref(root, n *jnode) *jnode {
	if n == nil || n.Kind != jsontext.String || avroPrimitive(n.Str) {
		return n
	}
	if def := findNamed(root, n.Str, 0); def != nil {
		return def
	}
	return n
}

func avroPrimitive(s string) bool {
	switch s {
	case "null", "boolean", "int", "long", "float", "double", "bytes", "string":
		return true
	}
	return false
}

// findNamed looks for a record, enum or fixed whose name (or full name)
// is name, comparing the last dotted part when namespaces differ in form.
func findNamed(n *jnode, name string, depth int) *jnode {
	if n == nil || depth > maxJSONDepth {
		return nil
	}
	switch n.Kind {
	case jsontext.Object:
		if nm := n.Get("name"); nm != nil && nm.Kind == jsontext.String {
			if t := n.Get("type"); t != nil && t.Kind == jsontext.String && (t.Str == "record" || t.Str == "error" || t.Str == "enum" || t.Str == "fixed") {
				full := nm.Str
				if ns := n.Get("namespace"); ns != nil && ns.Str != "" && !strings.Contains(full, ".") {
					full = ns.Str + "." + full
				}
				if full == name || lastDot(full) == lastDot(name) && !strings.Contains(name, ".") {
					return n
				}
			}
		}
		for _, m := range n.Members {
			if d := findNamed(m.Value, name, depth+1); d != nil {
				return d
			}
		}
	case jsontext.Array:
		for _, e := range n.Elems {
			if d := findNamed(e, name, depth+1); d != nil {
				return d
			}
		}
	}
	return nil
}

func lastDot(s string) string {
	if i := strings.LastIndexByte(s, '.'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// protoMessage finds the declaration of the innermost message that a
// Protobuf path (#/Outer/Inner/3) names.
func protoMessage(text, p string) (int, int) {
	segs := pointerSegments(p)
	for i := len(segs) - 1; i >= 0; i-- {
		s := segs[i]
		if _, err := strconv.Atoi(s); err == nil || s == "" {
			continue
		}
		name := s
		if j := strings.LastIndexByte(name, '.'); j >= 0 {
			name = name[j+1:]
		}
		re, err := regexp.Compile(`\b(?:message|enum)\s+` + regexp.QuoteMeta(name) + `\s*\{`)
		if err != nil {
			continue
		}
		if loc := re.FindStringIndex(text); loc != nil {
			return jsontext.LineCol(text, loc[0])
		}
	}
	return 0, 0
}
