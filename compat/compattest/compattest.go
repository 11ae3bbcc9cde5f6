// Package compattest is the conformance suite every compat.Format passes:
// what the registry, the CLI and design checks rely on without knowing
// the format. A format's tests call Run with a few texts of its own; see
// docs/architecture.md for the plug-in contract the suite checks.
package compattest

import (
	"errors"
	"strings"
	"testing"

	"github.com/charter-registry/charter/compat"
)

// Case is what a format gives the suite.
type Case struct {
	// Schema is a valid schema that declares at least one record with
	// fields, written over several lines with each declaration's name on
	// the line where the declaration starts.
	Schema string
	// Spaced is Schema with other whitespace (and, where the format has
	// them, comments) and nothing else changed.
	Spaced string
	// Changed is Schema with at least one change that breaks BACKWARD
	// compatibility.
	Changed string
	// Invalid are texts the format must refuse.
	Invalid []string
	// Renderings are the names of the format's renderings (compat.Render),
	// each of which must render Schema.
	Renderings []string
}

// Run checks f against c.
func Run(t *testing.T, f compat.Format, c Case) {
	t.Helper()
	s := mustParse(t, f, c.Schema, "Schema")
	spaced := mustParse(t, f, c.Spaced, "Spaced")
	changed := mustParse(t, f, c.Changed, "Changed")
	t.Run("Type", func(t *testing.T) {
		if f.Type() == "" {
			t.Error("Type() is empty")
		}
		if compat.SyntaxOf(f) == "" {
			t.Error("the format does not name the language of its texts (compat.Syntaxer)")
		}
	})
	t.Run("ParseErrors", func(t *testing.T) { parseErrors(t, f, c.Invalid) })
	t.Run("CanonicalIdempotent", func(t *testing.T) { idempotent(t, f, s) })
	t.Run("WhitespaceIdentity", func(t *testing.T) {
		if s.Canonical() != spaced.Canonical() {
			t.Errorf("whitespace changed the canonical form:\n%s\n%s", s.Canonical(), spaced.Canonical())
		}
		if s.Normalized() != spaced.Normalized() {
			t.Errorf("whitespace changed the normalized form:\n%s\n%s", s.Normalized(), spaced.Normalized())
		}
	})
	t.Run("Render", func(t *testing.T) { render(t, s, c.Renderings) })
	t.Run("DiffSelfIsEmpty", func(t *testing.T) {
		canon := mustParse(t, f, s.Canonical(), "the canonical form")
		for name, other := range map[string]compat.Schema{"itself": s, "its whitespace variant": spaced, "its canonical form": canon} {
			if ch := f.Diff(s, other, compat.Options{}); len(ch) != 0 {
				t.Errorf("Diff against %s = %+v, want no change", name, ch)
			}
		}
	})
	t.Run("DiffChanged", func(t *testing.T) { diffChanged(t, f, s, changed) })
	t.Run("Outline", func(t *testing.T) { outline(t, c.Schema, s, spaced) })
	t.Run("Locate", func(t *testing.T) { locate(t, s, spaced) })
	t.Run("LocateOddPaths", func(t *testing.T) { oddPaths(t, c.Schema, s, changed) })
}

func mustParse(t *testing.T, f compat.Format, text, what string) compat.Schema {
	t.Helper()
	s, err := f.Parse(text, nil)
	if err != nil {
		t.Fatalf("%s does not parse: %v", what, err)
	}
	return s
}

func parseErrors(t *testing.T, f compat.Format, invalid []string) {
	if len(invalid) == 0 {
		t.Fatal("the case lists no invalid text")
	}
	for _, text := range invalid {
		_, err := f.Parse(text, nil)
		var pe *compat.ParseError
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%q) = %v (%T), want a *compat.ParseError", text, err, err)
			continue
		}
		if pe.Message == "" {
			t.Errorf("Parse(%q): the ParseError has no message", text)
		}
		if pe.Line < 0 || pe.Column < 0 || (pe.Line == 0) != (pe.Column == 0) {
			t.Errorf("Parse(%q): position %d:%d; want both zero or both positive", text, pe.Line, pe.Column)
		}
		if lines := strings.Count(text, "\n") + 1; pe.Line > lines {
			t.Errorf("Parse(%q): line %d is past the text's %d lines", text, pe.Line, lines)
		}
	}
}

func idempotent(t *testing.T, f compat.Format, s compat.Schema) {
	canon := mustParse(t, f, s.Canonical(), "the canonical form")
	if canon.Canonical() != s.Canonical() {
		t.Errorf("the canonical form of the canonical form differs:\n%s\n%s", s.Canonical(), canon.Canonical())
	}
	if canon.Normalized() != s.Normalized() {
		t.Errorf("the canonical form normalizes differently:\n%s\n%s", s.Normalized(), canon.Normalized())
	}
	norm := mustParse(t, f, s.Normalized(), "the normalized form")
	if norm.Normalized() != s.Normalized() {
		t.Errorf("the normalized form of the normalized form differs:\n%s\n%s", s.Normalized(), norm.Normalized())
	}
}

func render(t *testing.T, s compat.Schema, names []string) {
	for _, name := range []string{"", "  ", "no-such-rendering"} {
		if text, ok, err := compat.Render(s, name); ok || err != nil || text != "" {
			t.Errorf("Render(%q) = %q, %v, %v; want nothing, so that the stored text is served", name, text, ok, err)
		}
	}
	for _, name := range names {
		for _, spelled := range []string{name, " " + strings.ToUpper(name) + " "} {
			text, ok, err := compat.Render(s, spelled)
			if !ok || err != nil || text == "" {
				t.Errorf("Render(%q) = %q, %v, %v; want a rendering", spelled, text, ok, err)
			}
		}
	}
}

func diffChanged(t *testing.T, f compat.Format, s, changed compat.Schema) {
	ch := f.Diff(s, changed, compat.Options{})
	breaking := 0
	for _, c := range ch {
		if c.Kind == "" || c.Rule == "" || c.Path == "" || c.Message == "" {
			t.Errorf("change %+v lacks a kind, rule, path or message", c)
		}
		if c.Line < 0 || c.Column < 0 || (c.Line == 0) != (c.Column == 0) {
			t.Errorf("change %+v: want line and column both zero or both positive", c)
		}
		if !c.Compatible {
			breaking++
		}
	}
	if breaking == 0 {
		t.Errorf("Diff(Schema, Changed) = %+v, want a change that breaks BACKWARD compatibility", ch)
	}
	got := compat.Check(f, compat.Backward, f.Type(), changed, []compat.Version{{Version: 1, Type: f.Type(), Schema: s}}, compat.Options{})
	if len(got) == 0 {
		t.Error("compat.Check(BACKWARD) finds Changed compatible")
	}
}

func outline(t *testing.T, text string, s, spaced compat.Schema) {
	o, ok := s.(compat.Outliner)
	if !ok {
		t.Skip("the format's schemas are not compat.Outliners")
	}
	out := o.Outline()
	if out == nil || len(out.Records) == 0 {
		t.Fatalf("Outline() = %+v, want the records Schema declares", out)
	}
	if id := out.Idiom; id == nil || id.Record == "" || id.RootPath == "" || id.Doc == "" || id.Time[""] == "" || id.Decimal == "" || id.PII == "" {
		t.Errorf("Outline().Idiom = %+v, want the format's words for a record, the root's path and every hint", out.Idiom)
	}
	lines := strings.Count(text, "\n") + 1
	inText := func(what string, p compat.Pos) {
		if p.Path == "" {
			t.Errorf("%s has no path", what)
		}
		if p.Line < 1 || p.Line > lines || p.Column < 1 {
			t.Errorf("%s at %d:%d, want a place in the text's %d lines", what, p.Line, p.Column, lines)
		}
	}
	for _, r := range out.Records {
		if r.Name == "" || r.FullName == "" || !strings.HasSuffix(r.FullName, r.Name) {
			t.Errorf("record %+v: want a name that ends its full name", r)
		}
		inText("record "+r.FullName, r.Pos)
		for _, fd := range r.Fields {
			if fd.Name == "" || fd.Type.Kind == "" {
				t.Errorf("record %s: field %+v lacks a name or a type", r.FullName, fd)
			}
			inText("field "+r.FullName+"."+fd.Name, fd.Pos)
			if fd.Line < r.Line {
				t.Errorf("field %s.%s at line %d, before its record at line %d", r.FullName, fd.Name, fd.Line, r.Line)
			}
		}
	}
	for _, e := range out.Enums {
		inText("enum "+e.FullName, e.Pos)
	}
	if got, want := names(spaced.(compat.Outliner).Outline()), names(out); got != want {
		t.Errorf("the whitespace variant outlines %s, Schema %s", got, want)
	}
}

// names lists an outline's records and fields, for comparing two outlines.
func names(o *compat.Outline) string {
	var sb strings.Builder
	for _, r := range o.Records {
		sb.WriteString(r.FullName + "(")
		for _, f := range r.Fields {
			sb.WriteString(f.Name + ":" + f.Type.Kind + " ")
		}
		sb.WriteString(") ")
	}
	return sb.String()
}

// locate checks the round trip from the outline's paths back to lines:
// a record's path lands on the record's line, a field's path inside its
// record and no later than the field; where from comes from does not
// matter when it has the same structure.
func locate(t *testing.T, s, spaced compat.Schema) {
	l, ok := s.(compat.Locator)
	o, outlined := s.(compat.Outliner)
	if !ok || !outlined {
		t.Skip("the format's schemas are not compat.Locators and compat.Outliners")
	}
	for _, r := range o.Outline().Records {
		line, col, found := l.Locate(s, r.Path)
		if !found || line != r.Line {
			t.Errorf("Locate(%q) = %d:%d, %v; want record %s's line %d", r.Path, line, col, found, r.FullName, r.Line)
		}
		if l2, c2, _ := l.Locate(spaced, r.Path); l2 != line || c2 != col {
			t.Errorf("Locate(%q) from the whitespace variant = %d:%d, from Schema %d:%d", r.Path, l2, c2, line, col)
		}
		for _, fd := range r.Fields {
			line, col, found := l.Locate(s, fd.Path)
			if !found || line < r.Line || line > fd.Line {
				t.Errorf("Locate(%q) = %d:%d, %v; want a line from record %s's %d to field %s's %d", fd.Path, line, col, found, r.FullName, r.Line, fd.Name, fd.Line)
			}
		}
	}
}

// oddPaths checks that paths a format never produced, or produced for
// another schema, land inside the text or nowhere, and never panic.
func oddPaths(t *testing.T, text string, s, other compat.Schema) {
	l, ok := s.(compat.Locator)
	if !ok {
		t.Skip("the format's schemas are not compat.Locators")
	}
	lines := strings.Count(text, "\n") + 1
	for _, p := range []string{"", "#", "/", "#/", "~", "#/~0/~1", "/fields/99", "/fields/-1", "/fields/01",
		"#/properties/id/type", "/fields/0/type/fields/0/name", "#/acme.Order/1", "#/Nope.Nope/7", "//", "#/%00"} {
		for _, from := range []compat.Schema{s, other} {
			line, col, found := l.Locate(from, p)
			if !found {
				if line != 0 || col != 0 {
					t.Errorf("Locate(%q) = %d:%d, false; want 0:0 when nothing fits", p, line, col)
				}
				continue
			}
			if line < 1 || line > lines || col < 1 {
				t.Errorf("Locate(%q) = %d:%d, outside the text's %d lines", p, line, col, lines)
			}
		}
	}
}
