package project

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/charter-registry/charter/compat"
)

// refs resolves what f refers to, in the way its format refers to files.
func (p *Project) refs(ctx context.Context, f *File) ([]Ref, error) {
	fr := fileRefs(f.Type, f.Text)
	imports, err := p.importRefs(ctx, f, fr.Imports)
	if err != nil {
		return nil, err
	}
	relative, err := p.relativeRefs(ctx, f, fr.Relative)
	if err != nil {
		return nil, err
	}
	return slices.Concat(imports, relative, p.nameRefs(f, fr.Names)), nil
}

// importRefs resolves imports against the import paths, the root and the
// importing file's directory, in that order. Imports found nowhere (the
// well-known google/protobuf files, which the compiler carries) are left
// out.
func (p *Project) importRefs(ctx context.Context, f *File, imports []string) ([]Ref, error) {
	var out []Ref
	roots := append(p.searchRoots(), path.Dir(f.Path))
	for _, imp := range imports {
		for _, r := range roots {
			cand := path.Clean(path.Join(r, imp))
			if cand == f.Path || strings.HasPrefix(cand, "../") {
				continue
			}
			_, ok, err := p.read(ctx, cand)
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, Ref{Name: imp, Path: cand})
				break
			}
		}
	}
	return out, nil
}

// relativeRefs resolves paths relative to f, or to the root when they
// begin with a slash, to the files that exist.
func (p *Project) relativeRefs(ctx context.Context, f *File, refs []string) ([]Ref, error) {
	var out []Ref
	dir := path.Dir(f.Path)
	for _, ref := range refs {
		var cand string
		if strings.HasPrefix(ref, "/") {
			cand = path.Clean(strings.TrimPrefix(ref, "/"))
		} else {
			cand = path.Clean(path.Join(dir, ref))
		}
		if cand == f.Path || cand == "." || strings.HasPrefix(cand, "../") {
			continue
		}
		_, ok, err := p.read(ctx, cand)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, Ref{Name: relSlash(dir, cand), Path: cand, relative: true})
		}
	}
	return out, nil
}

// indexNames records, for each format whose schemas refer to one another
// by type name, which file defines each name.
func (p *Project) indexNames(ctx context.Context, list func(string) ([]string, error)) error {
	p.nameIndex = map[compat.Type]map[string]string{}
	for _, f := range formats {
		if filesOf(f.Type()).ByName {
			if err := p.indexNamesOf(ctx, f.Type(), list); err != nil {
				return err
			}
		}
	}
	return nil
}

// indexNamesOf records which file defines each type name of format typ:
// the mapped files of the format first, then its other files in their
// directories, then its files under the import paths.
func (p *Project) indexNamesOf(ctx context.Context, typ compat.Type, list func(string) ([]string, error)) error {
	index := map[string]string{}
	p.nameIndex[typ] = index
	exts := filesOf(typ).Extensions
	add := func(f *File) {
		for _, n := range fileRefs(typ, f.Text).Defines {
			if _, ok := index[n]; !ok {
				index[n] = f.Path
			}
		}
	}
	roots := slices.Clone(p.Config.ImportPaths)
	for _, f := range p.Files {
		if f.Type == typ {
			add(f)
		}
	}
	// Then the format's files beside the mapped ones, where a type shared
	// by a few schemas usually lives.
	for _, f := range p.Files {
		if f.Type != typ {
			continue
		}
		dir := path.Dir(f.Path)
		names, err := list(dir)
		if err != nil {
			return fmt.Errorf("list %s in %s: %w", dir, p.src.Describe(), err)
		}
		for _, n := range names {
			if path.Dir(n) != dir || !slices.Contains(exts, strings.ToLower(path.Ext(n))) {
				continue
			}
			g, err := p.dependency(ctx, n, typ)
			if err != nil {
				return err
			}
			if g != nil {
				add(g)
			}
		}
	}
	for _, root := range roots {
		names, err := list(path.Clean(root))
		if err != nil {
			return fmt.Errorf("list %s in %s: %w", root, p.src.Describe(), err)
		}
		for _, n := range names {
			if !slices.Contains(exts, strings.ToLower(path.Ext(n))) {
				continue
			}
			f, err := p.dependency(ctx, n, typ)
			if err != nil {
				return err
			}
			if f != nil {
				add(f)
			}
		}
	}
	return nil
}

// nameRefs resolves the type names f uses, each to the first of its
// candidate full names that a file of f's format defines.
func (p *Project) nameRefs(f *File, used [][]string) []Ref {
	var out []Ref
	for _, cands := range used {
		for _, n := range cands {
			if file, ok := p.nameIndex[f.Type][n]; ok && file != f.Path {
				if !slices.ContainsFunc(out, func(r Ref) bool { return r.Path == file }) {
					out = append(out, Ref{Name: n, Path: file})
				}
				break
			}
		}
	}
	return out
}
