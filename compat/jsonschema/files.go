package jsonschema

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"

	"github.com/charter-registry/charter/compat"
)

// Files says that JSON Schemas are .json files (customer.schema.json
// holds the schema customer) that refer to one another by relative path
// (compat.Filer).
func (f *Format) Files() compat.Files {
	return compat.Files{Extensions: []string{".json"}, Inner: []string{".schema"}, Aliases: []string{"JSONSCHEMA", "JSON_SCHEMA"}}
}

// FileRefs lists the documents text refers to with "$ref".
func (f *Format) FileRefs(text string) compat.FileRefs {
	return compat.FileRefs{Relative: fileRefs(text)}
}

// fileRefs lists the documents a JSON Schema text refers to with "$ref":
// the part before any fragment, for relative references only (a ref with
// a scheme, such as https://, is not a file in the repository). Text that
// is not JSON has none.
func fileRefs(text string) []string {
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
