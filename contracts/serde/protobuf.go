package serde

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jhump/protoreflect/v2/protoprint"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/compat/protobuf"
	"github.com/charter-registry/charter/contracts/client"
)

// builtinProto reports whether the registry resolves an import itself, so
// it needs no reference.
func builtinProto(path string) bool {
	return strings.HasPrefix(path, "google/protobuf/") || slices.Contains(protobuf.BuiltinImports(), path)
}

// registerProtoDeps builds the schema of file fd as .proto text with one
// reference per import, each registered (or, without register, looked up)
// under a subject named after its path, as Confluent's serializers do.
func registerProtoDeps(ctx context.Context, cl *client.Client, fd protoreflect.FileDescriptor, normalize, register bool) (*client.Schema, error) {
	return protoSchemaOf(ctx, cl, fd, normalize, register, 0)
}

func protoSchemaOf(ctx context.Context, cl *client.Client, fd protoreflect.FileDescriptor, normalize, register bool, depth int) (*client.Schema, error) {
	if depth > 64 {
		return nil, fmt.Errorf("imports of %s nest too deep", fd.Path())
	}
	text, err := (&protoprint.Printer{}).PrintProtoToString(fd)
	if err != nil {
		return nil, fmt.Errorf("print %s: %w", fd.Path(), err)
	}
	s := &client.Schema{SchemaType: compat.Protobuf, Schema: text}
	imps := fd.Imports()
	for i := range imps.Len() {
		imp := imps.Get(i).FileDescriptor
		if builtinProto(imp.Path()) {
			continue
		}
		dep, err := protoSchemaOf(ctx, cl, imp, normalize, register, depth+1)
		if err != nil {
			return nil, err
		}
		var got *client.Schema
		if register {
			got, err = cl.Register(ctx, imp.Path(), *dep, normalize)
			if err == nil && got.Version == 0 {
				got, err = cl.Lookup(ctx, imp.Path(), *dep, normalize)
			}
		} else {
			got, err = cl.Lookup(ctx, imp.Path(), *dep, normalize)
		}
		if err != nil {
			return nil, fmt.Errorf("import %s: %w", imp.Path(), err)
		}
		s.References = append(s.References, client.Reference{Name: imp.Path(), Subject: imp.Path(), Version: got.Version})
	}
	return s, nil
}
