package project

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
)

// Source is a tree of files named by slash paths relative to the directory
// of charter.yaml.
type Source interface {
	// List returns the regular files under dir ("." for all), recursively.
	List(ctx context.Context, dir string) ([]string, error)
	// Read returns a file's content; the error wraps fs.ErrNotExist when
	// the file is not there.
	Read(ctx context.Context, name string) ([]byte, error)
	// Describe names the source for messages: a directory or git:REF.
	Describe() string
}

// Dir is the working tree under root.
func Dir(root string) Source { return dirSource{root: root} }

type dirSource struct{ root string }

func (d dirSource) Describe() string { return d.root }

// skipDirs are directories no schema lives in and that can be huge.
func skipDir(name string) bool {
	return name == ".git" || name == "node_modules"
}

func (d dirSource) List(ctx context.Context, dir string) ([]string, error) {
	var out []string
	start := filepath.Join(d.root, filepath.FromSlash(dir))
	err := filepath.WalkDir(start, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == start {
				return fs.SkipAll
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if e.IsDir() {
			if p != start && skipDir(e.Name()) {
				return fs.SkipDir
			}
			return nil
		}
		if !e.Type().IsRegular() {
			if e.Type()&fs.ModeSymlink == 0 {
				return nil
			}
			if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() {
				return nil
			}
		}
		rel, err := filepath.Rel(d.root, p)
		if err != nil {
			return err
		}
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	return out, err
}

func (d dirSource) Read(_ context.Context, name string) ([]byte, error) {
	return os.ReadFile(filepath.Join(d.root, filepath.FromSlash(name)))
}

// Git is the tree at a git revision of the repository that holds root,
// read with the git command: paths stay relative to root even when root
// is a subdirectory of the repository.
func Git(root, rev string) Source { return gitSource{root: root, rev: rev} }

type gitSource struct{ root, rev string }

func (g gitSource) Describe() string { return "git:" + g.rev }

func (g gitSource) git(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", g.root}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, &GitError{Args: args, Message: msg, Err: err}
	}
	return out, nil
}

// GitError is a git command that failed, with what git printed.
type GitError struct {
	Args    []string
	Message string
	Err     error
}

// Error says which git command failed and what git printed.
func (e *GitError) Error() string {
	return fmt.Sprintf("git %s: %s", strings.Join(e.Args, " "), e.Message)
}

// Unwrap returns the exec error.
func (e *GitError) Unwrap() error { return e.Err }

// Verify checks that the revision names a commit, so that a mistyped ref
// is one clear error rather than every file missing.
func (g gitSource) Verify(ctx context.Context) error {
	_, err := g.git(ctx, "rev-parse", "--verify", "--quiet", g.rev+"^{commit}")
	if err != nil {
		return fmt.Errorf("git revision %q not found in %s (in CI, fetch it first, e.g. git fetch origin main, or check out with fetch-depth: 0): %w", g.rev, g.root, err)
	}
	return nil
}

func (g gitSource) List(ctx context.Context, dir string) ([]string, error) {
	args := []string{"ls-tree", "-r", "-z", "--name-only", g.rev}
	if dir != "." && dir != "" {
		args = append(args, "--", dir)
	}
	out, err := g.git(ctx, args...)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, n := range strings.Split(string(out), "\x00") {
		if n != "" {
			names = append(names, n)
		}
	}
	return names, nil
}

func (g gitSource) Read(ctx context.Context, name string) ([]byte, error) {
	// The object must exist as a blob: ls-tree tells a missing file from a
	// failing git, which show alone does not.
	ls, err := g.git(ctx, "ls-tree", "-z", g.rev, "--", name)
	if err != nil {
		return nil, err
	}
	if !bytes.Contains(ls, []byte(" blob ")) {
		return nil, fmt.Errorf("%s at %s: %w", name, g.Describe(), fs.ErrNotExist)
	}
	return g.git(ctx, "show", g.rev+":./"+path.Clean(name))
}

// Verifier is a Source that can check itself before use, such as a git
// revision that may not exist.
type Verifier interface {
	Verify(ctx context.Context) error
}
