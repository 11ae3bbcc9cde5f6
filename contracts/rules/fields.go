package rules

import "strings"

// Field describes one field a CEL_FIELD rule is evaluated on.
type Field struct {
	// FullName is the field's name qualified by its record or message,
	// such as acme.Order.amount; metadata tags are matched against it.
	FullName string
	// Name is the field's own name.
	Name string
	// Type is Confluent's type label: STRING, BYTES, INT, LONG, FLOAT,
	// DOUBLE, BOOLEAN, NULL, ENUM, RECORD, ARRAY, MAP, FIXED or COMBINED.
	Type string
	// Tags are the field's tags: inline (confluent:tags) and from the
	// schema's metadata.
	Tags []string
	// Container is the record or message holding the field.
	Container any
}

// FieldFunc is called for a primitive field and returns its new value
// (the same value when nothing changes).
type FieldFunc func(f *Field, value any) (any, error)

// Fields walks the primitive fields of values of one format. Walk calls fn
// for every primitive field of msg, depth first, stores what fn returns in
// the field and returns msg, or the error of the first call that failed.
type Fields interface {
	Walk(msg any, fn FieldFunc) (any, error)
}

// metadataTags returns the tags whose metadata path pattern matches
// fullName.
func metadataTags(tags map[string][]string, fullName string) []string {
	var out []string
	for pattern, ts := range tags {
		if wildcardMatch(pattern, fullName) {
			out = append(out, ts...)
		}
	}
	return out
}

func mergeTags(a, b []string) []string {
	if len(b) == 0 {
		return a
	}
	out := append([]string(nil), a...)
	for _, t := range b {
		dup := false
		for _, o := range out {
			if o == t {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, t)
		}
	}
	return out
}

// wildcardMatch matches a Confluent metadata path pattern: "**" matches any
// run of characters, "*" any run without a dot, "?" one character that is
// not a dot, and every other character itself.
func wildcardMatch(pattern, s string) bool {
	// Memoised over (pattern position, string position) so hostile
	// patterns cannot take exponential time.
	type key struct{ p, s int }
	memo := map[key]bool{}
	var match func(p, i int) bool
	match = func(p, i int) bool {
		k := key{p, i}
		if v, ok := memo[k]; ok {
			return v
		}
		var r bool
		switch {
		case p == len(pattern):
			r = i == len(s)
		case strings.HasPrefix(pattern[p:], "**"):
			r = match(p+2, i) || (i < len(s) && match(p, i+1))
		case pattern[p] == '*':
			r = match(p+1, i) || (i < len(s) && s[i] != '.' && match(p, i+1))
		case pattern[p] == '?':
			r = i < len(s) && s[i] != '.' && match(p+1, i+1)
		default:
			r = i < len(s) && s[i] == pattern[p] && match(p+1, i+1)
		}
		memo[k] = r
		return r
	}
	return match(0, 0)
}

// intersects reports whether a and b share an element.
func intersects(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}
