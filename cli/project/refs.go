package project

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
)

// protoImport matches an import statement at the start of a line. A
// commented-out import that happens to name a real file only adds an
// unused dependency, which the compiler ignores.
var protoImport = regexp.MustCompile(`(?m)^[ \t]*import[ \t]+(?:(?:public|weak)[ \t]+)?"([^"\n]+)"[ \t]*;`)

// ProtoImports lists the import paths a .proto text names, in order,
// without duplicates.
func ProtoImports(text string) []string {
	var out []string
	for _, m := range protoImport.FindAllStringSubmatch(text, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

// protoRefs resolves imports against the import paths, the root and the
// importing file's directory, in that order. Imports found nowhere (the
// well-known google/protobuf files, which the compiler carries) are left
// out.
func (p *Project) protoRefs(ctx context.Context, f *File) ([]Ref, error) {
	var out []Ref
	roots := append(p.searchRoots(), path.Dir(f.Path))
	for _, imp := range ProtoImports(f.Text) {
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

// JSONRefs lists the documents a JSON Schema text refers to with "$ref":
// the part before any fragment, for relative references only (a ref with
// a scheme, such as https://, is not a file in the repository). Text that
// is not JSON has none.
func JSONRefs(text string) []string {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil
	}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if s, ok := x["$ref"].(string); ok {
				if u, err := url.Parse(s); err == nil && u.Scheme == "" && u.Host == "" && u.Path != "" {
					ref := u.Path
					if !slices.Contains(out, ref) {
						out = append(out, ref)
					}
				}
			}
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				walk(x[k])
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(doc)
	return out
}

func (p *Project) jsonRefs(ctx context.Context, f *File) ([]Ref, error) {
	var out []Ref
	dir := path.Dir(f.Path)
	for _, ref := range JSONRefs(f.Text) {
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
			out = append(out, Ref{Name: relSlash(dir, cand), Path: cand})
		}
	}
	return out, nil
}

var avroPrimitives = map[string]bool{
	"null": true, "boolean": true, "int": true, "long": true,
	"float": true, "double": true, "bytes": true, "string": true,
}

// AvroNames lists the full names of the named types an Avro schema text
// defines and, for each type name it uses without defining, the names it
// may resolve to (the namespace-qualified one first). Text that is not
// JSON defines and uses nothing.
func AvroNames(text string) (defined []string, used [][]string) {
	dec := json.NewDecoder(bytes.NewReader([]byte(text)))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, nil
	}
	def := map[string]bool{}
	var uses [][]string
	var walk func(v any, ns string, depth int)
	walk = func(v any, ns string, depth int) {
		if depth > 256 {
			return
		}
		switch x := v.(type) {
		case string:
			if avroPrimitives[x] || x == "" {
				return
			}
			if strings.Contains(x, ".") || ns == "" {
				uses = append(uses, []string{x})
			} else {
				uses = append(uses, []string{ns + "." + x, x})
			}
		case []any:
			for _, e := range x {
				walk(e, ns, depth+1)
			}
		case map[string]any:
			switch t := x["type"].(type) {
			case string:
				switch t {
				case "record", "error", "enum", "fixed":
					full, inner := fullName(x, ns)
					if full != "" {
						def[full] = true
					}
					if t == "record" || t == "error" {
						fields, _ := x["fields"].([]any)
						for _, fv := range fields {
							if fm, ok := fv.(map[string]any); ok {
								walk(fm["type"], inner, depth+1)
							}
						}
					}
				case "array":
					walk(x["items"], ns, depth+1)
				case "map":
					walk(x["values"], ns, depth+1)
				default:
					walk(t, ns, depth+1)
				}
			default:
				walk(t, ns, depth+1)
			}
		}
	}
	walk(doc, "", 0)
	for n := range def {
		defined = append(defined, n)
	}
	slices.Sort(defined)
	for _, u := range uses {
		if def[u[0]] || (len(u) > 1 && def[u[1]]) {
			continue
		}
		if !slices.ContainsFunc(used, func(x []string) bool { return slices.Equal(x, u) }) {
			used = append(used, u)
		}
	}
	return defined, used
}

// fullName applies Avro's naming rules: a dotted name is full, otherwise
// the namespace attribute or the enclosing namespace qualifies it. It
// returns the full name and the namespace for nested names.
func fullName(x map[string]any, ns string) (string, string) {
	name, _ := x["name"].(string)
	if name == "" {
		return "", ns
	}
	if i := strings.LastIndex(name, "."); i >= 0 {
		return name, name[:i]
	}
	if n, ok := x["namespace"].(string); ok {
		ns = n
	}
	if ns == "" {
		return name, ""
	}
	return ns + "." + name, ns
}

// indexAvro records which file defines each Avro type name: the mapped
// Avro files first, then the other .avsc files in their directories, then
// .avsc files under the import paths.
func (p *Project) indexAvro(ctx context.Context, list func(string) ([]string, error)) error {
	p.avroIndex = map[string]string{}
	add := func(f *File) {
		defined, _ := AvroNames(f.Text)
		for _, n := range defined {
			if _, ok := p.avroIndex[n]; !ok {
				p.avroIndex[n] = f.Path
			}
		}
	}
	roots := slices.Clone(p.Config.ImportPaths)
	for _, f := range p.Files {
		if f.Type == "AVRO" {
			add(f)
		}
	}
	// Then the .avsc files beside the mapped ones, where a type shared by
	// a few schemas usually lives.
	for _, f := range p.Files {
		if f.Type != "AVRO" {
			continue
		}
		dir := path.Dir(f.Path)
		names, err := list(dir)
		if err != nil {
			return fmt.Errorf("list %s in %s: %w", dir, p.src.Describe(), err)
		}
		for _, n := range names {
			if path.Dir(n) != dir || !strings.EqualFold(path.Ext(n), ".avsc") {
				continue
			}
			g, err := p.dependency(ctx, n, "AVRO")
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
			if !strings.EqualFold(path.Ext(n), ".avsc") {
				continue
			}
			f, err := p.dependency(ctx, n, "AVRO")
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

func (p *Project) avroRefs(f *File) []Ref {
	_, used := AvroNames(f.Text)
	var out []Ref
	for _, cands := range used {
		for _, n := range cands {
			if file, ok := p.avroIndex[n]; ok && file != f.Path {
				if !slices.ContainsFunc(out, func(r Ref) bool { return r.Path == file }) {
					out = append(out, Ref{Name: n, Path: file})
				}
				break
			}
		}
	}
	return out
}
