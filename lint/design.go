package lint

import (
	"slices"
	"strconv"
	"strings"

	"github.com/charter-registry/charter/compat"
)

func checkRecordDoc(c *pass) {
	for _, r := range c.outline.Records {
		if docText(r.Doc) != "" {
			continue
		}
		name := strconv.Quote(r.Name)
		if r.Name == "" {
			name = "at the root"
		}
		c.report(r.Pos, c.scope(r.Doc), "the %s %s has no documentation; %s", c.recordWord(), name, c.docHint("what it is and when it is produced"))
	}
}

func checkFieldDoc(c *pass) {
	for _, r := range c.outline.Records {
		for _, f := range r.Fields {
			if docText(f.Doc) != "" {
				continue
			}
			c.report(f.Pos, c.scope(f.Doc, r.Doc), "field %q of %q has no documentation; %s", f.Name, r.Name, c.docHint("what it holds, its unit and where it comes from"))
		}
	}
}

func (c *pass) recordWord() string { return c.idiom().Record }

func (c *pass) docHint(what string) string { return "add " + c.idiom().Doc + " that says " + what }

// sentinel symbols are fallbacks, not meanings.
func sentinel(sym, enum string) bool {
	ws := words(sym)
	switch lastWord(ws) {
	case "unknown", "unspecified", "other", "none", "default", "unset":
		return true
	}
	return false
}

func checkEnumDefault(c *pass) {
	for _, e := range c.outline.Enums {
		if !e.HasDefaultNotion || len(e.Symbols) == 0 {
			continue
		}
		scope := c.scope(e.Doc)
		if c.idiom().ZeroDefault {
			if e.Default == "" || sentinel(e.Default, e.Name) {
				continue
			}
			p := e.Pos
			for _, s := range e.Symbols {
				if s.Name == e.Default {
					p = s.Pos
				}
			}
			c.report(p, scope, "the zero value %s of enum %s is a real symbol, so readers on an older schema turn every symbol added later into %s: add %s_UNSPECIFIED = 0 and renumber %s",
				e.Default, e.Name, e.Default, snakeUpper(e.Name), e.Default)
			continue
		}
		if e.Default != "" {
			continue
		}
		fallback := "UNKNOWN"
		for _, s := range e.Symbols {
			if sentinel(s.Name, e.Name) {
				fallback = s.Name
			}
		}
		add := ""
		if !slices.ContainsFunc(e.Symbols, func(s compat.Symbol) bool { return s.Name == fallback }) {
			add = " (add the symbol " + fallback + " too)"
		}
		c.report(e.Pos, scope, "enum %s has no \"default\", so readers on this schema fail on any symbol added later: add \"default\": %q%s", e.Name, fallback, add)
	}
}

func snakeUpper(name string) string { return strings.ToUpper(strings.Join(words(name), "_")) }

// channelPrepositions start symbols that say how or where, not what.
var channelPrepositions = map[string]bool{"via": true, "by": true, "from": true, "through": true, "using": true}

// mixedSymbols returns the symbols of e that stand out: the prepositional
// ones when the others are plain, or the other way round, whichever group
// is smaller (the prepositional ones on a tie).
func mixedSymbols(e *compat.Enum) []compat.Symbol {
	var prep, plain []compat.Symbol
	prefix := words(e.Name)
	for _, s := range e.Symbols {
		if sentinel(s.Name, e.Name) {
			continue
		}
		ws := words(s.Name)
		// Protobuf symbols repeat the enum's name as a prefix.
		if len(ws) > len(prefix) && slices.Equal(ws[:len(prefix)], prefix) {
			ws = ws[len(prefix):]
		}
		if len(ws) > 1 && channelPrepositions[ws[0]] {
			prep = append(prep, s)
		} else {
			plain = append(plain, s)
		}
	}
	if len(prep) == 0 || len(plain) == 0 {
		return nil
	}
	if len(plain) < len(prep) {
		return plain
	}
	return prep
}

func checkEnumMixed(c *pass) {
	for _, e := range c.outline.Enums {
		odd := mixedSymbols(e)
		if len(odd) == 0 {
			continue
		}
		if c.previous != nil {
			// Only a change that makes the enum mixed is news; among the
			// odd symbols, blame the ones added.
			var before *compat.Enum
			for _, pe := range c.previous.Enums {
				if pe.FullName == e.FullName {
					before = pe
				}
			}
			if before != nil {
				if len(mixedSymbols(before)) > 0 {
					continue
				}
				old := map[string]bool{}
				for _, s := range before.Symbols {
					old[s.Name] = true
				}
				var added []compat.Symbol
				for _, s := range e.Symbols {
					if !old[s.Name] {
						added = append(added, s)
					}
				}
				if len(added) > 0 {
					odd = added
				}
			}
		}
		for _, s := range odd {
			c.report(s.Pos, c.scope(e.Doc), "symbol %s of enum %s seems to answer a different question than the others (how or where, not what): keep one meaning per enum and put %s in a field of its own (for example a separate channel enum)", s.Name, e.Name, s.Name)
		}
	}
}

func typeName(t compat.TypeRef) string {
	if t.Name != "" {
		return t.Kind + ":" + t.Name
	}
	return t.Kind
}

// envelopePairs are the word pairs of a before/after envelope.
var envelopePairs = [][2]string{{"before", "after"}, {"old", "new"}, {"previous", "current"}, {"prev", "curr"}}

func checkEnvelope(c *pass) {
	for _, r := range c.outline.Records {
		byWords := map[string]*compat.Field{}
		for _, f := range r.Fields {
			byWords[strings.Join(words(f.Name), " ")] = f
		}
		for _, f := range r.Fields {
			if f.Type.Kind != "record" && f.Type.Kind != "map" {
				continue
			}
			ws := words(f.Name)
			for _, pair := range envelopePairs {
				i := slices.Index(ws, pair[0])
				if i < 0 {
					continue
				}
				other := slices.Clone(ws)
				other[i] = pair[1]
				g := byWords[strings.Join(other, " ")]
				if g == nil || typeName(g.Type) != typeName(f.Type) {
					continue
				}
				c.report(r.Pos, c.scope(r.Doc, f.Doc, g.Doc), "%q holds the state twice (%q and %q), a change-data-capture envelope that exposes the source's tables: publish the new state as a state event, or a delta event that names what happened", r.Name, f.Name, g.Name)
			}
		}
	}
}

func isURIField(f *compat.Field) bool {
	switch f.Type.Logical {
	case "uri", "uri-reference", "iri", "iri-reference":
		return true
	}
	switch lastWord(words(f.Name)) {
	case "uri", "url", "link", "href", "urn":
		return f.Type.Kind == "string"
	}
	return false
}

// isMetadataField is a field about the event rather than its subject: ids,
// times, the event's type and version.
func isMetadataField(f *compat.Field) bool {
	ws := words(f.Name)
	if isIDName(f.Name) || isTimeName(ws) {
		return true
	}
	switch lastWord(ws) {
	case "type", "version", "source", "kind", "timestamp", "ts", "at", "time", "date":
		return true
	}
	return false
}

func checkURIOnly(c *pass) {
	for _, r := range c.tops() {
		var uris []*compat.Field
		payload := false
		for _, f := range r.Fields {
			switch {
			case isURIField(f):
				uris = append(uris, f)
			case isMetadataField(f):
			default:
				payload = true
			}
		}
		if len(uris) == 0 || payload {
			continue
		}
		c.report(r.Pos, c.scope(r.Doc), "%q carries only a link (%s) besides ids and times: every consumer must call back for the state, and gets the state at read time rather than at the event. Carry the state, or at least what consumers need, in the event", r.Name, uris[0].Name)
	}
}

func checkSingleType(c *pass) {
	root := c.outline.Root
	if root.Kind != "union" {
		return
	}
	var names []string
	for _, b := range root.Branches {
		if b.Kind == "record" {
			names = append(names, b.Name)
		}
	}
	if len(names) < 2 {
		return
	}
	c.report(c.rootPos(), c.rootDoc(),
		"the schema is a union of %d event types (%s): give each type a stream of its own, or one record whose fields cover them, so consumers know what they read", len(names), strings.Join(names, ", "))
}

func (c *pass) keyRecord() *compat.Record {
	if c.outline.Root.Kind != "record" {
		return nil
	}
	for _, r := range c.outline.Records {
		if r.Top {
			return r
		}
	}
	return nil
}

func checkKeyID(c *pass) {
	if !c.key {
		return
	}
	root := c.outline.Root
	switch root.Kind {
	case "string", "long", "int", "bytes", "fixed":
		return
	case "record":
	default:
		c.report(c.rootPos(), c.rootDoc(),
			"the key is of type %s; key by the entity's id (a string, long or record of id fields)", root.Kind)
		return
	}
	r := c.keyRecord()
	if r == nil {
		return
	}
	if len(r.Fields) == 0 {
		c.report(r.Pos, c.scope(r.Doc), "the key %q has no fields; key by the entity's id", r.Name)
		return
	}
	for _, f := range r.Fields {
		if isIDName(f.Name) {
			continue
		}
		c.report(f.Pos, c.scope(f.Doc, r.Doc), "key field %q is not an id: the key decides partitioning and compaction, so keep only the entity's id in it and move %q to the value", f.Name, f.Name)
	}
}

func checkKeyNullable(c *pass) {
	if !c.key {
		return
	}
	root := c.outline.Root
	if root.Nullable {
		c.report(c.rootPos(), c.rootDoc(),
			"the key may be null: null keys all go to one partition and cannot be compacted; make the key required")
		return
	}
	if r := c.keyRecord(); r != nil {
		for _, f := range r.Fields {
			if f.Type.Nullable {
				c.report(f.Pos, c.scope(f.Doc, r.Doc), "key field %q may be null: a key identifies the entity and is never absent; make it required", f.Name)
			}
		}
	}
}

// durationWords before "time" make a length of time, not a point in time.
var durationWords = map[string]bool{
	"run": true, "up": true, "down": true, "wait": true, "response": true, "lead": true,
	"cycle": true, "processing": true, "elapsed": true, "execution": true, "travel": true,
	"idle": true, "over": true, "life": true, "dwell": true, "hold": true, "cook": true,
	"prep": true, "transit": true, "handling": true, "spent": true,
}

func isTimeName(ws []string) bool {
	if len(ws) == 0 {
		return false
	}
	if slices.Contains(ws, "timestamp") || slices.Contains(ws, "datetime") {
		return true
	}
	switch lastWord(ws) {
	case "ts", "date":
		return true
	case "time":
		return len(ws) == 1 || !durationWords[ws[len(ws)-2]]
	case "at", "on":
		return len(ws) > 1
	}
	return false
}

var logicalTimes = map[string]bool{
	"timestamp-millis": true, "timestamp-micros": true, "timestamp-nanos": true,
	"local-timestamp-millis": true, "local-timestamp-micros": true, "local-timestamp-nanos": true,
	"date": true, "time-millis": true, "time-micros": true, "date-time": true, "time": true,
}

func checkTimestamp(c *pass) {
	for _, r := range c.outline.Records {
		for _, f := range r.Fields {
			t := f.Type
			switch t.Kind {
			case "long", "int", "string", "double", "float":
			default:
				continue
			}
			if logicalTimes[t.Logical] || !isTimeName(words(f.Name)) {
				continue
			}
			c.report(f.Pos, c.scope(f.Doc, r.Doc), "field %q looks like a time but is a bare %s: %s", f.Name, t.Kind, c.timeHint(t.Kind))
		}
	}
}

func (c *pass) timeHint(kind string) string {
	if h, ok := c.idiom().Time[kind]; ok {
		return h
	}
	return c.idiom().Time[""]
}

var moneyWords = map[string]bool{"amount": true, "price": true, "cost": true, "total": true, "balance": true, "fee": true, "tax": true, "subtotal": true}

func checkNarrowest(c *pass) {
	for _, r := range c.outline.Records {
		for _, f := range r.Fields {
			ws := words(f.Name)
			if len(ws) == 0 {
				continue
			}
			k := f.Type.Kind
			scope := c.scope(f.Doc, r.Doc)
			switch {
			case moneyWords[lastWord(ws)] && (k == "float" || k == "double"):
				c.report(f.Pos, scope, "field %q looks like money but is a %s, which cannot hold most decimal fractions exactly: %s", f.Name, k, c.decimalHint())
			case (lastWord(ws) == "count" || lastWord(ws) == "quantity" || lastWord(ws) == "qty" || (ws[0] == "number" && len(ws) > 2 && ws[1] == "of")) && (k == "string" || k == "float" || k == "double"):
				c.report(f.Pos, scope, "field %q looks like a count but is a %s: make it an integer (int or long)", f.Name, k)
			case (ws[0] == "is" || ws[0] == "has") && len(ws) > 1 && (k == "string" || k == "int" || k == "long"):
				c.report(f.Pos, scope, "field %q looks like a flag but is a %s: make it a boolean", f.Name, k)
			}
		}
	}
}

func (c *pass) decimalHint() string { return c.idiom().Decimal }

// piiNames are word sequences that name personal data; a field matches
// when its words end with one of them.
var piiNames = [][]string{
	{"email"}, {"e", "mail"}, {"email", "address"}, {"phone"}, {"phone", "number"}, {"mobile", "number"},
	{"ssn"}, {"social", "security", "number"}, {"first", "name"}, {"last", "name"}, {"full", "name"},
	{"given", "name"}, {"family", "name"}, {"middle", "name"}, {"surname"}, {"maiden", "name"},
	{"date", "of", "birth"}, {"birth", "date"}, {"birthdate"}, {"birthday"}, {"dob"},
	{"street"}, {"street", "address"}, {"home", "address"}, {"postcode"}, {"postal", "code"}, {"zip"}, {"zip", "code"},
	{"ip", "address"}, {"ip"}, {"passport"}, {"passport", "number"}, {"credit", "card"}, {"card", "number"},
	{"iban"}, {"account", "number"}, {"national", "id"}, {"tax", "id"}, {"driver", "license"}, {"licence", "number"},
	{"customer", "name"}, {"user", "name"}, {"billing", "address"}, {"shipping", "address"}, {"address"},
}

func isPIIName(ws []string) bool {
	for _, p := range piiNames {
		if len(ws) >= len(p) && slices.Equal(ws[len(ws)-len(p):], p) {
			return true
		}
	}
	return false
}

func checkPII(c *pass) {
	for _, r := range c.outline.Records {
		for _, f := range r.Fields {
			switch f.Type.Kind {
			case "string", "bytes", "record", "long", "int", "fixed", "array":
			default:
				continue // flags, enums and amounts are not personal data
			}
			if !isPIIName(words(f.Name)) {
				continue
			}
			if slices.ContainsFunc(f.Tags, func(t string) bool { return strings.EqualFold(t, "PII") }) {
				continue
			}
			c.report(f.Pos, c.scope(f.Doc, r.Doc), "field %q looks like personal data but is not tagged PII: %s", f.Name, c.piiHint())
		}
	}
}

func (c *pass) piiHint() string { return c.idiom().PII }

func (c *pass) rootPos() compat.Pos {
	return compat.Pos{Path: c.idiom().RootPath, Line: c.outline.RootLine, Column: c.outline.RootColumn}
}

func checkStateID(c *pass) {
	if c.in.Event != State || c.key {
		return
	}
	for _, r := range c.tops() {
		if slices.ContainsFunc(r.Fields, func(f *compat.Field) bool { return isIDName(f.Name) }) {
			continue
		}
		id := "id"
		if ws := words(r.Name); len(ws) > 0 {
			id = strings.Join(append(ws, "id"), "_")
			if !c.idiom().SnakeCaseFields && styleOf(firstField(r)) == styleCamel {
				id = camel(id)
			}
		}
		c.report(r.Pos, c.scope(r.Doc), "the state event %q carries no id field: add the entity's id (%s), the same value as the key, so consumers that store or join it need not read the key", r.Name, id)
	}
}

func firstField(r *compat.Record) string {
	for _, f := range r.Fields {
		if s := styleOf(f.Name); s == styleCamel || s == styleSnake {
			return f.Name
		}
	}
	return ""
}
