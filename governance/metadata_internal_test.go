package governance

import (
	"strings"
	"testing"
)

func TestTagPathMatch(t *testing.T) {
	for _, c := range []struct {
		pattern, path string
		want          bool
	}{
		{"acme.Person.email", "acme.Person.email", true},
		{"acme.Person.email", "acme.Person.emails", false},
		{"acme.*.email", "acme.Person.email", true},
		{"acme.*.email", "acme.a.b.email", false},
		{"**.email", "acme.a.b.email", true},
		{"**", "anything.at.all", true},
		{"*", "a.b", false},
		{"acme.Person.*", "acme.Person.id", true},
		{"*.id", "Person.id", true},
		{"", "", true},
		{strings.Repeat("*", 200) + "x", strings.Repeat("a", 200), false},
	} {
		if got := tagPathMatch(c.pattern, c.path); got != c.want {
			t.Errorf("tagPathMatch(%q, %q) = %v, want %v", c.pattern, c.path, got, c.want)
		}
	}
}

func TestSLAIsChecked(t *testing.T) {
	for _, c := range []struct {
		sla SLA
		ok  bool
	}{
		{SLA{Freshness: "30s", Ordering: "total", Retention: "forever"}, true},
		{SLA{Freshness: "1d", Retention: "168h"}, true},
		{SLA{Freshness: "0s"}, false},
		{SLA{Retention: "0d"}, false},
		{SLA{Ordering: "fifo"}, false},
	} {
		if _, err := c.sla.clean(); (err == nil) != c.ok {
			t.Errorf("%+v: %v, want ok %v", c.sla, err, c.ok)
		}
	}
}
