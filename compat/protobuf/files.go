package protobuf

import (
	"regexp"
	"slices"

	"github.com/charter-registry/charter/compat"
)

// Files says that Protobuf schemas are .proto files that import one
// another by path (compat.Filer).
func (f *Format) Files() compat.Files {
	return compat.Files{Extensions: []string{".proto"}, Aliases: []string{"PROTO"}}
}

// FileRefs lists the files text imports.
func (f *Format) FileRefs(text string) compat.FileRefs {
	return compat.FileRefs{Imports: imports(text)}
}

// protoImport matches an import statement at the start of a line. A
// commented-out import that happens to name a real file only adds an
// unused dependency, which the compiler ignores.
var protoImport = regexp.MustCompile(`(?m)^[ \t]*import[ \t]+(?:(?:public|weak)[ \t]+)?"([^"\n]+)"[ \t]*;`)

// imports lists the import paths a .proto text names, in order,
// without duplicates.
func imports(text string) []string {
	var out []string
	for _, m := range protoImport.FindAllStringSubmatch(text, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}
