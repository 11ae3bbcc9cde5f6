package protobuf

import (
	"embed"
	"io/fs"
	"strings"
)

// include holds the .proto files that Confluent resolves without a
// reference but protocompile does not bundle: the common google/type
// files and Confluent's own confluent/meta.proto and
// confluent/type/decimal.proto. They were written for charter with the same
// packages, names, numbers and options as the originals, so they are wire
// compatible with them.
//
//go:embed include
var include embed.FS

// BuiltinImports lists the import paths that resolve without a dependency
// besides google/protobuf/*.
func BuiltinImports() []string {
	var out []string
	for path := range builtinSources() {
		out = append(out, path)
	}
	return sortedStrings(out)
}

// builtinSources reads the embedded files by import path.
func builtinSources() map[string]string {
	out := map[string]string{}
	_ = fs.WalkDir(include, "include", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".proto") {
			return err
		}
		b, err := include.ReadFile(path)
		if err != nil {
			return err
		}
		out[strings.TrimPrefix(path, "include/")] = string(b)
		return nil
	})
	return out
}
