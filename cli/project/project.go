package project

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/charter-registry/charter/compat"
)

// File is one schema file: either mapped to a subject by charter.yaml or
// reached as a dependency of one that is.
type File struct {
	// Path is relative to charter.yaml, with forward slashes.
	Path string
	// Subject is empty for a dependency that no entry maps.
	Subject string
	Topic   string
	Type    compat.Type
	// Level is the entry's offline compatibility level.
	Level compat.Level
	Text  string
	// Entry is the index of the charter.yaml entry that maps the file;
	// -1 for a dependency no entry maps.
	Entry int
	// Refs are the files this one imports or refers to directly, in the
	// order they appear.
	Refs []Ref
}

// Ref is one reference from a schema file to another: the name the schema
// uses for it (a Protobuf import path, an Avro full type name, a JSON
// Schema $ref relative to the referring file) and the file it resolves to.
type Ref struct {
	Name string
	Path string
	// relative marks a name relative to the referring file, which a
	// dependency of a dependency is renamed relative to the file parsed.
	relative bool
}

// Project is the set of schema files a Config selects from a Source.
type Project struct {
	Config *Config
	// Files are the mapped files, sorted by path.
	Files []*File
	// Unmatched lists the indexes of entries that matched no file. At a
	// git revision that is normal (the files are new); in the working tree
	// it is usually a mistyped path.
	Unmatched []int

	src       Source
	files     map[string]*File                  // every file read, mapped or not
	resolved  map[string]bool                   // files whose Refs are filled
	missing   map[string]bool                   // paths known not to exist
	nameIndex map[compat.Type]map[string]string // full type name -> file, by format
}

// Load applies cfg to src: it finds every file the entries select, reads
// it, and resolves its references to other files in src. A file that does
// not parse is still loaded (its references are simply unknown); the
// format's parser reports the problem later, with a position.
func Load(ctx context.Context, cfg *Config, src Source) (*Project, error) {
	if v, ok := src.(Verifier); ok {
		if err := v.Verify(ctx); err != nil {
			return nil, err
		}
	}
	p := &Project{Config: cfg, src: src, files: map[string]*File{}, resolved: map[string]bool{}, missing: map[string]bool{}}
	listed := map[string][]string{}
	list := func(dir string) ([]string, error) {
		if l, ok := listed[dir]; ok {
			return l, nil
		}
		l, err := src.List(ctx, dir)
		listed[dir] = l
		return l, err
	}
	claimed := map[string]int{} // file -> the entry that maps it
	bySubject := map[string]string{}
	for i, e := range cfg.Schemas {
		var names []string
		if !hasMeta(e.Path) {
			names = []string{path.Clean(e.Path)}
		} else {
			all, err := list(staticPrefix(e.Path))
			if err != nil {
				return nil, fmt.Errorf("list %s in %s: %w", staticPrefix(e.Path), src.Describe(), err)
			}
			for _, n := range all {
				if Match(e.Path, n) {
					names = append(names, n)
				}
			}
		}
		matched := 0
		for _, n := range names {
			if by, ok := claimed[n]; ok {
				if !hasMeta(e.Path) {
					// A glob leaves to earlier entries the files they map;
					// an entry naming the file itself would be ignored.
					return nil, fmt.Errorf("schemas[%d] (path %s): the file is already mapped by schemas[%d] (subject %q); a file maps to one subject, so remove one of the two entries", i, e.Path, by, p.files[n].Subject)
				}
				continue // an earlier entry maps it
			}
			text, ok, err := p.read(ctx, n)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			typ := compat.Type(e.Format)
			if typ == "" {
				t, ok := TypeOf(n)
				if !ok {
					return nil, fmt.Errorf("schemas[%d]: cannot tell the format of %s from its extension; set format: %s", i, n, TypeNames())
				}
				typ = t
			}
			subject := SubjectFor(e, n)
			if prev, dup := bySubject[subject]; dup {
				return nil, fmt.Errorf("schemas[%d]: %s and %s both map to subject %q in %s; a subject holds one schema, so give each file its own subject (for example \"{name}-value\")", i, prev, n, subject, src.Describe())
			}
			bySubject[subject] = n
			claimed[n] = i
			matched++
			f := &File{Path: n, Subject: subject, Topic: e.Topic, Type: typ, Level: cfg.Level(e), Text: text, Entry: i}
			p.files[n] = f
			p.Files = append(p.Files, f)
		}
		if matched == 0 {
			p.Unmatched = append(p.Unmatched, i)
		}
	}
	sort.Slice(p.Files, func(i, j int) bool { return p.Files[i].Path < p.Files[j].Path })
	if err := p.indexNames(ctx, list); err != nil {
		return nil, err
	}
	for _, f := range p.Files {
		if err := p.resolve(ctx, f); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// Source returns where the project was read from.
func (p *Project) Source() Source { return p.src }

// BySubject returns the mapped file for a subject, or nil.
func (p *Project) BySubject(subject string) *File {
	for _, f := range p.Files {
		if f.Subject == subject {
			return f
		}
	}
	return nil
}

// File returns any loaded file, mapped or a dependency, or nil.
func (p *Project) File(name string) *File { return p.files[path.Clean(name)] }

// read returns a file's text, caching it; ok is false when the file does
// not exist.
func (p *Project) read(ctx context.Context, name string) (string, bool, error) {
	if f, ok := p.files[name]; ok {
		return f.Text, true, nil
	}
	if p.missing[name] {
		return "", false, nil
	}
	b, err := p.src.Read(ctx, name)
	if errors.Is(err, fs.ErrNotExist) {
		p.missing[name] = true
		return "", false, nil
	}
	if err != nil {
		// A directory or an unreadable path is no schema file either.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			p.missing[name] = true
			return "", false, nil
		}
		return "", false, fmt.Errorf("read %s from %s: %w", name, p.src.Describe(), err)
	}
	return string(b), true, nil
}

// dependency loads a file reached through a reference.
func (p *Project) dependency(ctx context.Context, name string, typ compat.Type) (*File, error) {
	if f, ok := p.files[name]; ok {
		return f, nil
	}
	text, ok, err := p.read(ctx, name)
	if err != nil || !ok {
		return nil, err
	}
	f := &File{Path: name, Type: typ, Text: text, Entry: -1}
	p.files[name] = f
	return f, nil
}

// resolve fills f.Refs and loads the files they point to, recursively.
func (p *Project) resolve(ctx context.Context, f *File) error {
	if p.resolved[f.Path] {
		return nil
	}
	p.resolved[f.Path] = true
	refs, err := p.refs(ctx, f)
	if err != nil {
		return err
	}
	f.Refs = refs
	for _, r := range refs {
		dep, err := p.dependency(ctx, r.Path, f.Type)
		if err != nil {
			return err
		}
		if dep == nil {
			continue
		}
		if err := p.resolve(ctx, dep); err != nil {
			return err
		}
	}
	return nil
}

// Dependencies returns every file f depends on, directly or not, with
// dependencies before their dependents, named the way the format's parser
// expects: Protobuf by import path, Avro by type name, JSON Schema by path
// relative to f.
func (p *Project) Dependencies(f *File) []compat.Dependency {
	var out []compat.Dependency
	done := map[string]bool{f.Path: true}
	onStack := map[string]bool{f.Path: true}
	var walk func(g *File)
	walk = func(g *File) {
		for _, r := range g.Refs {
			dep := p.files[r.Path]
			if dep == nil || done[r.Path] || onStack[r.Path] {
				continue
			}
			onStack[r.Path] = true
			walk(dep)
			onStack[r.Path] = false
			done[r.Path] = true
			name := r.Name
			if r.relative {
				name = relSlash(path.Dir(f.Path), r.Path)
			}
			out = append(out, compat.Dependency{Name: name, Schema: dep.Text})
		}
	}
	walk(f)
	return out
}

// Closure returns the files f depends on, directly or not, dependencies
// first, without f.
func (p *Project) Closure(f *File) []*File {
	var out []*File
	done := map[string]bool{f.Path: true}
	var walk func(g *File)
	walk = func(g *File) {
		for _, r := range g.Refs {
			dep := p.files[r.Path]
			if dep == nil || done[r.Path] {
				continue
			}
			done[r.Path] = true
			walk(dep)
			out = append(out, dep)
		}
	}
	walk(f)
	return out
}

// Ordered returns the mapped files with every file after the mapped files
// it depends on, for registration; files are otherwise in path order.
func (p *Project) Ordered() []*File {
	var out []*File
	done := map[string]bool{}
	var visit func(f *File)
	visit = func(f *File) {
		if done[f.Path] {
			return
		}
		done[f.Path] = true
		for _, d := range p.Closure(f) {
			if d.Subject != "" {
				visit(d)
			}
		}
		out = append(out, f)
	}
	for _, f := range p.Files {
		visit(f)
	}
	return out
}

// relSlash is path.Rel for slash paths that are both relative to one root.
func relSlash(base, target string) string {
	b := strings.Split(path.Clean(base), "/")
	t := strings.Split(path.Clean(target), "/")
	if len(b) == 1 && b[0] == "." {
		b = nil
	}
	i := 0
	for i < len(b) && i < len(t)-1 && b[i] == t[i] {
		i++
	}
	var out []string
	for range b[i:] {
		out = append(out, "..")
	}
	out = append(out, t[i:]...)
	return strings.Join(out, "/")
}

// searchRoots are the directories Protobuf imports and Avro type files are
// looked up in: the import paths, then the root.
func (p *Project) searchRoots() []string {
	roots := slices.Clone(p.Config.ImportPaths)
	for i, r := range roots {
		roots[i] = path.Clean(r)
	}
	if !slices.Contains(roots, ".") {
		roots = append(roots, ".")
	}
	return roots
}
