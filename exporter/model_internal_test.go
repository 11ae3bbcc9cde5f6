package exporter

import "testing"

func TestTargetMapsNamesAndContexts(t *testing.T) {
	cases := []struct {
		ctype   ContextType
		context string
		rename  string
		source  string
		want    string
	}{
		{ContextNone, "", "${subject}", "orders-value", "orders-value"},
		{ContextNone, "", "dc_${subject}", "orders-value", "dc_orders-value"},
		{ContextNone, "", "${subject}", ":.staging:orders-value", ":.staging:orders-value"},
		{ContextCustom, ".east", "${subject}", "orders-value", ":.east:orders-value"},
		{ContextCustom, ".east", "${subject}-copy", ":.staging:orders-value", ":.east:orders-value-copy"},
		{ContextAuto, "", "${subject}", "orders-value", ":.charter:orders-value"},
		{ContextAuto, "", "${subject}", ":.staging:orders-value", ":.charter.staging:orders-value"},
	}
	for _, c := range cases {
		e := Exporter{ContextType: c.ctype, Context: c.context, SubjectRenameFormat: c.rename}
		if got := e.target(".charter", c.source); got != c.want {
			t.Errorf("%s %q %q: target(%q) = %q, want %q", c.ctype, c.context, c.rename, c.source, got, c.want)
		}
	}
}

func TestSubjectPatterns(t *testing.T) {
	cases := []struct {
		pattern, subject string
		want             bool
	}{
		{"*", "anything", true},
		{"orders-value", "orders-value", true},
		{"orders-value", "orders-value2", false},
		{"orders-*", "orders-value", true},
		{"orders-*", "payments-value", false},
		{"*-value", "orders-value", true},
		{"*-value", "orders-key", false},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxcyyb", false},
		{":.staging:*", ":.staging:orders", true},
		{":.staging:*", "orders", false},
	}
	for _, c := range cases {
		if got := glob(c.pattern, c.subject); got != c.want {
			t.Errorf("glob(%q, %q) = %v, want %v", c.pattern, c.subject, got, c.want)
		}
	}
}

func TestSecretsAreHiddenAndKept(t *testing.T) {
	cfg := map[string]string{KeyURL: "http://u:pw@a:8081,http://b:8081", KeyBasicSource: "URL"}
	m := masked(cfg)
	if m[KeyURL] != "http://u:[hidden]@a:8081,http://b:8081" {
		t.Errorf("masked URL = %q", m[KeyURL])
	}
	if back := unmask(m, cfg); back[KeyURL] != cfg[KeyURL] {
		t.Errorf("the masked URL sent back = %q, want the original", back[KeyURL])
	}
	cfg = map[string]string{KeyURL: "http://a", KeyBasicUserInfo: "u:pw", KeyBearerToken: ""}
	m = masked(cfg)
	if m[KeyBasicUserInfo] != "[hidden]" || m[KeyURL] != "http://a" {
		t.Errorf("masked = %v", m)
	}
	if back := unmask(map[string]string{KeyBasicUserInfo: "[hidden]"}, cfg); back[KeyBasicUserInfo] != "u:pw" {
		t.Errorf("unmasked = %v", back)
	}
}
