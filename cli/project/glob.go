package project

import (
	"errors"
	"path"
	"strings"
)

// hasMeta reports whether a path segment is a pattern.
func hasMeta(s string) bool { return strings.ContainsAny(s, `*?[`) }

// validGlob reports a malformed pattern.
func validGlob(pattern string) error {
	for _, seg := range strings.Split(pattern, "/") {
		if seg == "**" {
			continue
		}
		if strings.Contains(seg, "**") {
			return errors.New("** must be a whole path segment, as in schemas/**/*.avsc")
		}
		if _, err := path.Match(seg, ""); err != nil {
			return errors.New("malformed pattern " + pattern)
		}
	}
	return nil
}

// staticPrefix is the directory part of a pattern before its first
// pattern segment: where a walk has to start. It is "." when the pattern
// starts with one.
func staticPrefix(pattern string) string {
	segs := strings.Split(path.Clean(pattern), "/")
	var out []string
	for _, s := range segs[:len(segs)-1] {
		if hasMeta(s) {
			break
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return "."
	}
	return strings.Join(out, "/")
}

// Match reports whether a slash-separated file name matches pattern, in
// which * and ? and [...] match within one segment (path.Match) and a **
// segment matches zero or more whole segments.
func Match(pattern, name string) bool {
	return matchSegs(strings.Split(path.Clean(pattern), "/"), strings.Split(path.Clean(name), "/"))
}

func matchSegs(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			// Collapse runs of ** so that the loop below is linear per
			// remaining star.
			for len(pat) > 1 && pat[1] == "**" {
				pat = pat[1:]
			}
			rest := pat[1:]
			if len(rest) == 0 {
				return true
			}
			for i := 0; i <= len(name); i++ {
				if matchSegs(rest, name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		ok, err := path.Match(pat[0], name[0])
		if err != nil || !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}
