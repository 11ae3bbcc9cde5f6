package lint

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
)

// Config selects rules and says where they do not apply, as buf's lint
// configuration does. It is read from charter.yaml's lint section and from
// a subject's registry config.
type Config struct {
	// Use lists rule ids and categories to apply; empty means DEFAULT
	// (every rule).
	Use []string `yaml:"use" json:"use,omitempty"`
	// Except lists rule ids and categories to leave out of Use.
	Except []string `yaml:"except" json:"except,omitempty"`
	// Ignore lists files (paths or globs, a directory covers what is
	// under it) and subjects that no rule checks.
	Ignore []string `yaml:"ignore" json:"ignore,omitempty"`
	// IgnoreOnly maps a rule id or category to files and subjects it
	// does not check.
	IgnoreOnly map[string][]string `yaml:"ignore_only" json:"ignore_only,omitempty"`
}

// known reports whether s is a rule id or a category.
func known(s string) bool {
	if slices.Contains(Categories(), Category(s)) {
		return true
	}
	_, ok := Lookup(s)
	return ok
}

// Validate reports unknown rule ids and categories and malformed globs.
func (c Config) Validate() error {
	var errs []error
	names := func(field string, list []string) {
		for _, s := range list {
			if !known(s) {
				errs = append(errs, fmt.Errorf("%s: %q is neither a lint rule nor a category (charter lint --list-rules lists them)", field, s))
			}
		}
	}
	names("use", c.Use)
	names("except", c.Except)
	globs := func(field string, list []string) {
		for _, p := range list {
			if _, err := path.Match(p, ""); err != nil {
				errs = append(errs, fmt.Errorf("%s: %q: %w", field, p, err))
			}
		}
	}
	globs("ignore", c.Ignore)
	for k, v := range c.IgnoreOnly {
		names("ignore_only", []string{k})
		globs("ignore_only."+k, v)
	}
	return errors.Join(errs...)
}

func selects(r Rule, list []string) bool {
	for _, s := range list {
		if s == r.ID || r.InCategory(Category(s)) {
			return true
		}
	}
	return false
}

// Rules returns the rules Use and Except select.
func (c Config) Rules() []Rule {
	use := c.Use
	if len(use) == 0 {
		use = []string{string(CategoryDefault)}
	}
	var out []Rule
	for _, r := range Rules() {
		if selects(r, use) && !selects(r, c.Except) {
			out = append(out, r)
		}
	}
	return out
}

// For returns the rules that apply to a file or subject: Rules without
// those Ignore or IgnoreOnly exclude for any of names (a file's path and
// its subject).
func (c Config) For(names ...string) []Rule {
	for _, n := range names {
		if matchAny(c.Ignore, n) {
			return nil
		}
	}
	var out []Rule
	for _, r := range c.Rules() {
		skip := false
		for key, pats := range c.IgnoreOnly {
			if key != r.ID && !r.InCategory(Category(key)) {
				continue
			}
			for _, n := range names {
				if matchAny(pats, n) {
					skip = true
				}
			}
		}
		if !skip {
			out = append(out, r)
		}
	}
	return out
}

// matchAny reports whether name is one of pats, lies under one of them
// as a directory, or matches one as a glob.
func matchAny(pats []string, name string) bool {
	if name == "" {
		return false
	}
	for _, p := range pats {
		p = strings.TrimSuffix(p, "/")
		if p == name || strings.HasPrefix(name, p+"/") {
			return true
		}
		if ok, _ := path.Match(p, name); ok {
			return true
		}
	}
	return false
}
