package charter_test

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/charter-registry/charter"

// layerRules are the arrows docs/architecture.md allows: for each package
// pattern, the patterns it may import from this module, and the packages
// it may never depend on, directly or through others.
type layerRules struct {
	allow  map[string][]string // package pattern -> import patterns
	banned map[string][]string // package pattern -> dependency patterns
	order  []string            // allow's patterns in document order
}

// readLayers parses the ```layers block of docs/architecture.md.
func readLayers(t *testing.T) layerRules {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join("docs", "architecture.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := bytes.Cut(doc, []byte("```layers\n"))
	if !ok {
		t.Fatal("docs/architecture.md has no ```layers block")
	}
	block, _, _ = bytes.Cut(block, []byte("```"))
	r := layerRules{allow: map[string][]string{}, banned: map[string][]string{}}
	sc := bufio.NewScanner(bytes.NewReader(block))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if from, to, ok := strings.Cut(line, " -> "); ok {
			r.allow[from] = strings.Fields(to)
			r.order = append(r.order, from)
		} else if from, to, ok := strings.Cut(line, " ! "); ok {
			r.banned[from] = strings.Fields(to)
		} else if from, ok := strings.CutSuffix(line, " ->"); ok {
			r.allow[from] = nil
			r.order = append(r.order, from)
		} else {
			t.Fatalf("docs/architecture.md layers: cannot read %q", line)
		}
	}
	return r
}

// match reports whether pkg (module-relative, "charter" for the root)
// matches pattern.
func match(pattern, pkg string) bool {
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return pkg == base || strings.HasPrefix(pkg, base+"/")
	}
	return pkg == pattern
}

// rel names a package of this module relative to it; ok is false for
// packages of other modules and the standard library.
func rel(path string) (string, bool) {
	if path == module {
		return "charter", true
	}
	r, ok := strings.CutPrefix(path, module+"/")
	return r, ok
}

// goList runs go list over the module with a template and returns one
// line per package.
func goList(t *testing.T, args ...string) []string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %v: %v\n%s", args, err, stderr.Bytes())
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

// TestLayers holds every package to its line of the layers block. The
// pattern ./... skips directories named testdata, so internal/testdata is
// listed by name.
func TestLayers(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not on PATH")
	}
	rules := readLayers(t)
	// An exact name wins over a /... pattern, and a longer pattern over a
	// shorter one.
	ruleFor := func(pkg string) (string, bool) {
		best := ""
		for _, p := range rules.order {
			if !match(p, pkg) {
				continue
			}
			if p == pkg {
				return p, true
			}
			if len(p) > len(best) {
				best = p
			}
		}
		return best, best != ""
	}
	used := map[string]bool{}
	for _, line := range goList(t, "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "./...", "./internal/testdata") {
		fields := strings.Fields(line)
		pkg, _ := rel(fields[0])
		rule, ok := ruleFor(pkg)
		used[rule] = true
		if !ok {
			t.Errorf("package %s has no line in docs/architecture.md's layers block", pkg)
			continue
		}
		for _, imp := range fields[1:] {
			to, ours := rel(imp)
			if !ours {
				continue
			}
			allowed := false
			for _, p := range rules.allow[rule] {
				allowed = allowed || match(p, to)
			}
			if !allowed {
				t.Errorf("%s imports %s, which docs/architecture.md does not allow (%s -> %s)", pkg, to, rule, strings.Join(rules.allow[rule], " "))
			}
		}
	}
	// A line that governs no package is stale: the package it named is
	// gone or was renamed, and its arrows no longer say anything.
	for _, p := range rules.order {
		if !used[p] {
			t.Errorf("docs/architecture.md's layers block has a line for %s, which governs no package", p)
		}
	}
	for _, line := range goList(t, "-f", "{{.ImportPath}} {{join .Deps \" \"}}", "./...", "./internal/testdata") {
		fields := strings.Fields(line)
		pkg, _ := rel(fields[0])
		for from, bans := range rules.banned {
			if !match(from, pkg) {
				continue
			}
			for _, dep := range fields[1:] {
				for _, ban := range bans {
					if match(ban, dep) {
						t.Errorf("%s depends on %s, which docs/architecture.md forbids (%s ! %s)", pkg, dep, from, ban)
					}
				}
			}
		}
	}
}
