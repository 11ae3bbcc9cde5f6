package avro

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"

	"github.com/charter-registry/charter/compat"
)

// Files says that Avro schemas are .avsc files that refer to one another
// by type name (compat.Filer).
func (f *Format) Files() compat.Files {
	return compat.Files{Extensions: []string{".avsc"}, ByName: true}
}

// FileRefs lists the names text defines and those it uses without
// defining.
func (f *Format) FileRefs(text string) compat.FileRefs {
	defined, used := fileNames(text)
	return compat.FileRefs{Names: used, Defines: defined}
}

// fileNames lists the full names of the named types an Avro schema text
// defines and, for each type name it uses without defining, the names it
// may resolve to (the namespace-qualified one first). Text that is not
// JSON defines and uses nothing.
func fileNames(text string) (defined []string, used [][]string) {
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
			if primitives[x] || x == "" {
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
					full, inner := typeFullName(x, ns)
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

// typeFullName applies Avro's naming rules: a dotted name is full, otherwise
// the namespace attribute or the enclosing namespace qualifies it. It
// returns the full name and the namespace for nested names.
func typeFullName(x map[string]any, ns string) (string, string) {
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
