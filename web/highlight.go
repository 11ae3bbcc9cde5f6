package web

import (
	"bytes"
	"encoding/json"
	"html"
	"html/template"
	"strings"

	"github.com/alecthomas/chroma/v2"
	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/alecthomas/chroma/v2/styles"

	"github.com/charter-registry/charter/compat"
)

// chromaStyle is the colour scheme of highlighted schemas.
const chromaStyle = "github"

// displayText is the schema text as the catalogue shows it: JSON (Avro
// and JSON Schema) indented two spaces so that a diff has lines to
// compare, anything else as stored. syntax is the language the format
// writes its texts in (compat.SyntaxOf).
func displayText(syntax, text string) string {
	text = normalizeNewlines(text)
	if syntax != "json" {
		return strings.TrimRight(text, "\n")
	}
	var b bytes.Buffer
	if err := json.Indent(&b, []byte(text), "", "  "); err != nil {
		return strings.TrimRight(text, "\n")
	}
	return b.String()
}

// normalizeNewlines turns CR LF and lone CR into LF, as chroma's lexers
// do, so that the text's lines and the highlighted lines stay in step.
func normalizeNewlines(s string) string {
	if !strings.ContainsRune(s, '\r') {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

func lexerFor(syntax string) chroma.Lexer {
	l := lexers.Get(syntax)
	if l == nil {
		l = lexers.Fallback
	}
	return chroma.Coalesce(l)
}

// highlightLines tokenises text (newlines already normalised) with the
// lexer for syntax and returns one HTML fragment per line. Every token value is HTML-escaped here, which is
// what makes a schema doc string such as "<script>" render inert; the
// fragments contain nothing but <span class> elements around that text.
func highlightLines(syntax, text string) []template.HTML {
	lines := strings.Split(text, "\n")
	it, err := lexerFor(syntax).Tokenise(nil, text)
	if err != nil {
		return plainLines(lines)
	}
	tokens := it.Tokens()
	var out []template.HTML
	var b strings.Builder
	for _, line := range chroma.SplitTokensIntoLines(tokens) {
		b.Reset()
		for _, tok := range line {
			v := strings.TrimSuffix(tok.Value, "\n")
			if v == "" {
				continue
			}
			if cls := tokenClass(tok.Type); cls != "" {
				b.WriteString(`<span class="`)
				b.WriteString(cls)
				b.WriteString(`">`)
				b.WriteString(html.EscapeString(v))
				b.WriteString(`</span>`)
			} else {
				b.WriteString(html.EscapeString(v))
			}
		}
		out = append(out, template.HTML(b.String())) //nolint:gosec // built only from escaped token text
	}
	// The lexer may drop a trailing empty line or add one; the diff pairs
	// highlighted lines with text lines by index, so keep the counts equal.
	for len(out) < len(lines) {
		out = append(out, "")
	}
	return out[:len(lines)]
}

func plainLines(lines []string) []template.HTML {
	out := make([]template.HTML, len(lines))
	for i, l := range lines {
		out[i] = template.HTML(html.EscapeString(l)) //nolint:gosec // escaped
	}
	return out
}

// tokenClass is chroma's short CSS class for a token type, walking up to
// the parent category when the type has none of its own.
func tokenClass(t chroma.TokenType) string {
	for t != 0 {
		if cls, ok := chroma.StandardTypes[t]; ok {
			return cls
		}
		t = t.Parent()
	}
	return ""
}

// highlightCSS is the stylesheet for the classes tokenClass returns,
// scoped under the .chroma element that wraps every code block.
func highlightCSS() []byte {
	var b bytes.Buffer
	style := styles.Get(chromaStyle)
	if err := chromahtml.New(chromahtml.WithClasses(true)).WriteCSS(&b, style); err != nil {
		return nil
	}
	return b.Bytes()
}

// syntax is the language the catalogue's format for typ writes its texts
// in, "" for a type it was not given.
func (c *Catalogue) syntax(typ compat.Type) string { return compat.SyntaxOf(c.formats[typ]) }
