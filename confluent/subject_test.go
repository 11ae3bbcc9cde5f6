package confluent_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/charter-registry/charter/confluent"
)

func TestParseSubject(t *testing.T) {
	for _, tc := range []struct {
		in, context, name, normal string
	}{
		{"orders-value", ".", "orders-value", "orders-value"},
		{"", ".", "", ""},
		{":.staging:orders-value", ".staging", "orders-value", ":.staging:orders-value"},
		{":.staging:", ".staging", "", ":.staging:"},
		{":.staging", ".staging", "", ":.staging:"},
		{":.:orders", ".", "orders", "orders"},
		{":.:", ".", "", ""},
		{":.__GLOBAL:", ".__GLOBAL", "", ":.__GLOBAL:"},
		{":*:orders", "*", "orders", ":*:orders"},
		{":*:", "*", "", ":*:"},
		// Only ":." and ":*:" open a context; other colons are part of the name.
		{"::x", ".", "::x", "::x"},
		{":x:y", ".", ":x:y", ":x:y"},
		{"a:.b:c", ".", "a:.b:c", "a:.b:c"},
		// The context ends at the first colon after ":."; the rest is the name.
		{":.a:b:c", ".a", "b:c", ":.a:b:c"},
		{":.a::", ".a", ":", ":.a::"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			q := confluent.ParseSubject(tc.in)
			if q.Context != tc.context || q.Name != tc.name {
				t.Fatalf("ParseSubject(%q) = {%q %q}, want {%q %q}", tc.in, q.Context, q.Name, tc.context, tc.name)
			}
			if got := confluent.NormalizeSubject(tc.in); got != tc.normal {
				t.Fatalf("NormalizeSubject(%q) = %q, want %q", tc.in, got, tc.normal)
			}
			if got := confluent.ContextOf(tc.in); got != tc.context {
				t.Fatalf("ContextOf(%q) = %q, want %q", tc.in, got, tc.context)
			}
		})
	}
}

func TestSubjectKinds(t *testing.T) {
	q := confluent.ParseSubject(":.staging:")
	if !q.IsContext() || q.IsDefault() || q.IsGlobal() || q.IsWildcard() {
		t.Fatalf(":.staging: kinds wrong: %+v", q)
	}
	if q := confluent.ParseSubject(""); !q.IsContext() || !q.IsDefault() {
		t.Fatalf("empty subject is the default context: %+v", q)
	}
	if q := confluent.ParseSubject(":.__GLOBAL:"); !q.IsGlobal() || !q.IsContext() {
		t.Fatalf(":.__GLOBAL: is the global context: %+v", q)
	}
	if q := confluent.ParseSubject(":*:x"); !q.IsWildcard() || q.IsContext() {
		t.Fatalf(":*:x is a wildcard subject: %+v", q)
	}
	if got := confluent.ContextPrefix("."); got != "" {
		t.Fatalf("default context prefix = %q", got)
	}
	if got := confluent.ContextPrefix(".staging"); got != ":.staging:" {
		t.Fatalf(".staging prefix = %q", got)
	}
	if got := confluent.QualifiedSubject(".staging", "orders").String(); got != ":.staging:orders" {
		t.Fatalf("QualifiedSubject = %q", got)
	}
	if got := confluent.QualifiedSubject(".staging", ":.prod:orders").String(); got != ":.prod:orders" {
		t.Fatalf("an already qualified name keeps its context, got %q", got)
	}
	if got := confluent.QualifiedSubject("", "orders").String(); got != "orders" {
		t.Fatalf("QualifiedSubject in the default context = %q", got)
	}
}

func TestInContext(t *testing.T) {
	for _, tc := range []struct{ ctx, ref, want string }{
		{".staging", "customer", ":.staging:customer"},
		{".staging", ":.shared:customer", ":.shared:customer"},
		{".", "customer", "customer"},
		{"", "customer", "customer"},
		{".", ":.shared:customer", ":.shared:customer"},
		{".staging", ":.:customer", ":.staging::.:customer"},
	} {
		if got := confluent.InContext(tc.ctx, tc.ref); got != tc.want {
			t.Errorf("InContext(%q, %q) = %q, want %q", tc.ctx, tc.ref, got, tc.want)
		}
	}
}

func TestParseContext(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{".staging", ".staging"},
		{"staging", ".staging"},
		{":.staging:", ".staging"},
		{":.staging", ".staging"},
		{".", "."},
		{":.:", "."},
		{"", "."},
		{".__GLOBAL", ".__GLOBAL"},
	} {
		got, err := confluent.ParseContext(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseContext(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	_, err := confluent.ParseContext(":.a:b:")
	var ce *confluent.ContextNameError
	if !errors.As(err, &ce) {
		t.Fatalf("ParseContext(:.a:b:) error = %v, want a ContextNameError", err)
	}
	if want := "Context name '.a:b' cannot contain a colon"; err.Error() != want {
		t.Fatalf("message %q, want Confluent's %q", err.Error(), want)
	}
}

func TestValidSubject(t *testing.T) {
	for _, tc := range []struct {
		s            string
		configOrMode bool
		want         bool
	}{
		{"orders-value", false, true},
		{":.staging:orders-value", false, true},
		{"__GLOBAL", false, false},
		{"__EMPTY", true, false},
		{":.staging:__GLOBAL", true, false},
		{":.__GLOBAL:", false, false},
		{":.__GLOBAL:", true, true},
		{":.__GLOBAL:x", false, false},
		{"a\x01b", true, false},
		{"a\u0085b", false, false},
		{"", false, true},
	} {
		if got := confluent.ValidSubject(tc.s, tc.configOrMode); got != tc.want {
			t.Errorf("ValidSubject(%q, %v) = %v, want %v", tc.s, tc.configOrMode, got, tc.want)
		}
	}
}

func TestMatchPrefix(t *testing.T) {
	all := []string{"orders-value", "other", ":.staging:orders-value", ":.staging:x", ":.stage2:orders", ":.prod:orders"}
	for _, tc := range []struct {
		prefix string
		want   []string
	}{
		{":*:", all},
		{":*:orders", []string{"orders-value", ":.staging:orders-value", ":.stage2:orders", ":.prod:orders"}},
		{"", []string{"orders-value", "other"}},
		{"orders", []string{"orders-value"}},
		{":.:orders", []string{"orders-value"}},
		{":.staging:", []string{":.staging:orders-value", ":.staging:x"}},
		{":.staging:ord", []string{":.staging:orders-value"}},
		{":.stagi", []string{":.staging:orders-value", ":.staging:x"}},
		{":.sta", []string{":.staging:orders-value", ":.staging:x", ":.stage2:orders"}},
		{":.nope:", nil},
	} {
		var got []string
		for _, s := range all {
			if confluent.MatchPrefix(tc.prefix, s) {
				got = append(got, s)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("MatchPrefix(%q) matched %q, want %q", tc.prefix, got, tc.want)
		}
	}
}

// FuzzParseSubject holds the parser to what the registry relies on: it
// never panics, the spelling it produces parses back to the same subject
// (unless the name itself starts with a colon, which Confluent's own
// spelling cannot keep apart from a prefix), and normalising twice
// changes nothing more than normalising once in that case.
func FuzzParseSubject(f *testing.F) {
	for _, s := range []string{"", "orders", ":.staging:orders", ":.staging", ":*:x", ":.:x", "::x", ":.a:b:c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := confluent.ParseSubject(s)
		if q.Context == "" {
			t.Fatalf("ParseSubject(%q) has no context", s)
		}
		if strings.HasPrefix(q.Name, ":") {
			return
		}
		back := confluent.ParseSubject(q.String())
		if back != q {
			t.Fatalf("ParseSubject(%q) = %+v, but its spelling %q parses to %+v", s, q, q.String(), back)
		}
		if n := confluent.NormalizeSubject(s); confluent.NormalizeSubject(n) != n {
			t.Fatalf("NormalizeSubject is not idempotent on %q", s)
		}
	})
}
