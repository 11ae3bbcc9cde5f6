package project

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/charter-registry/charter"
	"github.com/charter-registry/charter/compat"
)

// formats are the schema formats a project's files may be in, in the
// order messages list them; what each knows of its files is its
// compat.Filer.
var formats = charter.Formats()

// filesOf returns what format typ says of its files; nothing for a format
// that keeps none.
func filesOf(typ compat.Type) compat.Files {
	for _, f := range formats {
		if fl, ok := f.(compat.Filer); ok && f.Type() == typ {
			return fl.Files()
		}
	}
	return compat.Files{}
}

// fileRefs returns what text, a schema of format typ, refers to.
func fileRefs(typ compat.Type, text string) compat.FileRefs {
	for _, f := range formats {
		if fl, ok := f.(compat.Filer); ok && f.Type() == typ {
			return fl.FileRefs(text)
		}
	}
	return compat.FileRefs{}
}

// TypeNames lists the formats' names for a message: "AVRO, PROTOBUF or
// JSON".
func TypeNames() string {
	var names []string
	for _, f := range formats {
		names = append(names, string(f.Type()))
	}
	return orList(names)
}

// Extensions lists the formats' file extensions for a message: ".avsc,
// .proto, .json".
func Extensions() string {
	var exts []string
	for _, f := range formats {
		exts = append(exts, filesOf(f.Type()).Extensions...)
	}
	return strings.Join(exts, ", ")
}

func orList(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// ParseType accepts a schema format name as charter.yaml or a flag gives
// it: a format's type (AVRO, PROTOBUF or JSON) or one of its aliases
// (PROTO, JSONSCHEMA and JSON_SCHEMA), any case.
func ParseType(s string) (compat.Type, error) {
	u := strings.ToUpper(strings.TrimSpace(s))
	for _, f := range formats {
		if u == string(f.Type()) || slices.Contains(filesOf(f.Type()).Aliases, u) {
			return f.Type(), nil
		}
	}
	return "", fmt.Errorf("unknown schema format %q: use %s", s, TypeNames())
}

// TypeOf returns the format a file name implies by its extension: .avsc is
// Avro, .proto is Protobuf, .json (and so .schema.json) is JSON Schema.
func TypeOf(name string) (compat.Type, bool) {
	ext := strings.ToLower(path.Ext(name))
	for _, f := range formats {
		if slices.Contains(filesOf(f.Type()).Extensions, ext) {
			return f.Type(), true
		}
	}
	return "", false
}

// BaseName is {name} in a subject template: the file name without its
// extension, and without what the format adds before it (.schema for
// .schema.json files).
func BaseName(name string) string {
	base := path.Base(name)
	lower := strings.ToLower(base)
	ext := path.Ext(lower)
	if typ, ok := TypeOf(base); ok {
		for _, in := range filesOf(typ).Inner {
			if strings.HasSuffix(lower, in+ext) {
				return base[:len(base)-len(in+ext)]
			}
		}
	}
	return strings.TrimSuffix(base, path.Ext(base))
}
