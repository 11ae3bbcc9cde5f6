package protobuf

import (
	"cmp"
	"slices"

	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
)

// normalizedText rebuilds fd in normalized order, without source info, and
// prints it.
func normalizedText(fd protoreflect.FileDescriptor) (string, error) {
	fdp := fileProto(fd)
	fdp.SourceCodeInfo = nil
	normalizeFile(fdp)
	nfd, err := relink(fd, fdp)
	if err != nil {
		return "", err
	}
	return printFile(nfd, false)
}

// relink builds a file descriptor from fdp, an edited copy of fd's
// descriptor proto, against fd's own imports.
func relink(fd protoreflect.FileDescriptor, fdp *descriptorpb.FileDescriptorProto) (protoreflect.FileDescriptor, error) {
	reg := new(protoregistry.Files)
	seen := map[string]bool{}
	var register func(protoreflect.FileDescriptor) error
	register = func(f protoreflect.FileDescriptor) error {
		if seen[f.Path()] {
			return nil
		}
		seen[f.Path()] = true
		imps := f.Imports()
		for i := 0; i < imps.Len(); i++ {
			if err := register(imps.Get(i).FileDescriptor); err != nil {
				return err
			}
		}
		return reg.RegisterFile(f)
	}
	imps := fd.Imports()
	for i := 0; i < imps.Len(); i++ {
		if err := register(imps.Get(i).FileDescriptor); err != nil {
			return nil, err
		}
	}
	return protodesc.NewFile(fdp, reg)
}

// normalizeFile sorts what can be sorted without changing meaning or
// message indexes.
func normalizeFile(fdp *descriptorpb.FileDescriptorProto) {
	sortImports(fdp)
	for _, m := range fdp.MessageType {
		normalizeMessage(m)
	}
	sortEnums(fdp.EnumType)
	sortFields(fdp.Extension, true)
	for _, svc := range fdp.Service {
		slices.SortStableFunc(svc.Method, func(a, b *descriptorpb.MethodDescriptorProto) int {
			return cmp.Compare(a.GetName(), b.GetName())
		})
	}
	slices.SortStableFunc(fdp.Service, func(a, b *descriptorpb.ServiceDescriptorProto) int {
		return cmp.Compare(a.GetName(), b.GetName())
	})
}

func normalizeMessage(m *descriptorpb.DescriptorProto) {
	sortFields(m.Field, false)
	sortFields(m.Extension, true)
	for _, n := range m.NestedType {
		normalizeMessage(n)
	}
	sortEnums(m.EnumType)
	slices.SortStableFunc(m.ReservedRange, func(a, b *descriptorpb.DescriptorProto_ReservedRange) int {
		return cmp.Compare(a.GetStart(), b.GetStart())
	})
	slices.SortStableFunc(m.ExtensionRange, func(a, b *descriptorpb.DescriptorProto_ExtensionRange) int {
		return cmp.Compare(a.GetStart(), b.GetStart())
	})
	slices.Sort(m.ReservedName)
}

func sortFields(fields []*descriptorpb.FieldDescriptorProto, extensions bool) {
	slices.SortStableFunc(fields, func(a, b *descriptorpb.FieldDescriptorProto) int {
		if extensions {
			if c := cmp.Compare(a.GetExtendee(), b.GetExtendee()); c != 0 {
				return c
			}
		}
		return cmp.Compare(a.GetNumber(), b.GetNumber())
	})
}

func sortEnums(enums []*descriptorpb.EnumDescriptorProto) {
	for _, e := range enums {
		slices.SortStableFunc(e.Value, func(a, b *descriptorpb.EnumValueDescriptorProto) int {
			if c := cmp.Compare(a.GetNumber(), b.GetNumber()); c != 0 {
				// An open enum's first value must be zero; zero sorts first
				// among non-negative numbers but negative ones come earlier.
				if a.GetNumber() == 0 {
					return -1
				}
				if b.GetNumber() == 0 {
					return 1
				}
				return c
			}
			return cmp.Compare(a.GetName(), b.GetName())
		})
		slices.SortStableFunc(e.ReservedRange, func(a, b *descriptorpb.EnumDescriptorProto_EnumReservedRange) int {
			return cmp.Compare(a.GetStart(), b.GetStart())
		})
		slices.Sort(e.ReservedName)
	}
	slices.SortStableFunc(enums, func(a, b *descriptorpb.EnumDescriptorProto) int {
		return cmp.Compare(a.GetName(), b.GetName())
	})
}

// sortImports sorts and de-duplicates the imports, keeping the public and
// weak markers with the import they belong to.
func sortImports(fdp *descriptorpb.FileDescriptorProto) {
	public := map[string]bool{}
	weak := map[string]bool{}
	for _, i := range fdp.PublicDependency {
		if int(i) < len(fdp.Dependency) {
			public[fdp.Dependency[i]] = true
		}
	}
	for _, i := range fdp.WeakDependency {
		if int(i) < len(fdp.Dependency) {
			weak[fdp.Dependency[i]] = true
		}
	}
	deps := slices.Clone(fdp.Dependency)
	slices.Sort(deps)
	deps = slices.Compact(deps)
	fdp.Dependency = deps
	fdp.PublicDependency, fdp.WeakDependency = nil, nil
	for i, d := range deps {
		if public[d] {
			fdp.PublicDependency = append(fdp.PublicDependency, int32(i))
		}
		if weak[d] {
			fdp.WeakDependency = append(fdp.WeakDependency, int32(i))
		}
	}
}
