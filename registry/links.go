package registry

import "regexp"

// Links (a team contact's url, a topic doc's url, the X-Charter-Change-Link
// of a write) follow one grammar: a strict subset of RFC 3986 that every
// URL parser reads the same way, so the catalogue can render them as links
// safely and openapi.yaml can state the very same regular expressions. A
// character outside letters, digits and -._~!$&'()*+,;=:@/? is written as a
// %XX escape; hosts are names or IPv4 addresses, without credentials.
const (
	linkChar      = `(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})`
	httpLinkExpr  = `^[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9.\-]+(?::[0-9]+)?(?:[/?]` + linkChar + `*)?(?:#` + linkChar + `*)?$`
	mailtoLinkExp = `^[Mm][Aa][Ii][Ll][Tt][Oo]:` + linkChar + `+(?:#` + linkChar + `*)?$`
)

// Read-only after package initialisation.
var (
	httpLink   = regexp.MustCompile(httpLinkExpr)
	mailtoLink = regexp.MustCompile(mailtoLinkExp)
)

// linkHint is what a refusal of a link says to fix.
const linkHint = "letters, digits and -._~!$&'()*+,;=:@/? as they are, any other character as a %XX escape"

// IsHTTPLink reports whether raw is an absolute http or https URL in the
// link grammar.
func IsHTTPLink(raw string) bool { return httpLink.MatchString(raw) }

// IsMailtoLink reports whether raw is a mailto URL in the link grammar.
func IsMailtoLink(raw string) bool { return mailtoLink.MatchString(raw) }

// LinkHint is what a refusal of a link says to fix.
const LinkHint = linkHint
