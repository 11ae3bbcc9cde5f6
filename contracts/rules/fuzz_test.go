package rules

import (
	"regexp"
	"strings"
	"testing"
)

// FuzzWildcardMatch checks the metadata path matcher against a regular
// expression built from the same pattern, and that it never panics or
// runs away on hostile patterns.
func FuzzWildcardMatch(f *testing.F) {
	f.Add("acme.*.ssn", "acme.Customer.ssn")
	f.Add("**.ssn", "a.b.c.ssn")
	f.Add("a?c", "abc")
	f.Add("********************a", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")
	f.Fuzz(func(t *testing.T, pattern, s string) {
		if len(pattern) > 64 || len(s) > 64 || !ascii(pattern) || !ascii(s) {
			// The oracle's regexp works on runes; paths are ASCII names.
			return
		}
		got := wildcardMatch(pattern, s)
		var re strings.Builder
		re.WriteString(`^`)
		for i := 0; i < len(pattern); i++ {
			switch {
			case strings.HasPrefix(pattern[i:], "**"):
				re.WriteString(`(?s:.*)`)
				i++
			case pattern[i] == '*':
				re.WriteString(`[^.]*`)
			case pattern[i] == '?':
				re.WriteString(`[^.]`)
			default:
				re.WriteString(regexp.QuoteMeta(pattern[i : i+1]))
			}
		}
		re.WriteString(`$`)
		want := regexp.MustCompile(re.String()).MatchString(s)
		if got != want {
			t.Fatalf("wildcardMatch(%q, %q) = %v, regexp %s says %v", pattern, s, got, re.String(), want)
		}
	})
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
