package protobuf

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/charter-registry/charter/compat"
)

// Diff lists the changes from original to update with Confluent's
// Protobuf SchemaDiff rules. The walk matches Confluent's: top-level and
// nested messages and enums by name, fields by number across the whole
// message whatever oneof holds them, and message-typed fields compared by
// the name local to their package. A message type that comes from a
// dependency whose text differs between the two schemas is compared
// member by member, at the path of its local name, and the field that
// uses it also reports FIELD_NAMED_TYPE_CHANGED when that comparison found
// an incompatible change.
func (f *Format) Diff(original, update compat.Schema, opts compat.Options) []compat.Change {
	o, ok1 := original.(*Schema)
	u, ok2 := update.(*Schema)
	if !ok1 || !ok2 || o == nil || u == nil {
		return []compat.Change{{
			Kind:    schemaMismatch,
			Rule:    ruleSchemaTypeChanged,
			Path:    "#/",
			Message: "Both schemas must be Protobuf schemas parsed by this format.",
		}}
	}
	d := &differ{orig: o, upd: u, visiting: map[string]bool{}, incompatibleOnly: opts.IncompatibleOnly}
	d.file(o.file, u.file)
	return d.out
}

// differ walks two schemas in step. path is Confluent's full path of the
// element being compared; visiting holds the original messages being
// compared further up, which stops recursion through cyclic types.
type differ struct {
	orig, upd *Schema
	path      []string
	visiting  map[string]bool
	out       []compat.Change
	// incompatibleOnly drops compatible changes unrecorded (see
	// compat.Options.IncompatibleOnly): nothing in the walk reads them,
	// and their messages, paths and positions were most of a check.
	incompatibleOnly bool
}

func (d *differ) at(elem string, fn func()) {
	d.path = append(d.path, elem)
	fn()
	d.path = d.path[:len(d.path)-1]
}

// add records a change. site is the element of the update the change is
// reported at; for something removed it is the container that lost it.
func (d *differ) add(kind string, site protoreflect.Descriptor, format string, args ...any) {
	info := kinds[kind]
	if info.compatible && d.incompatibleOnly {
		return
	}
	c := compat.Change{
		Kind:       kind,
		Rule:       info.rule,
		Path:       "#/" + strings.Join(d.path, "/"),
		Message:    fmt.Sprintf(format, args...),
		Compatible: info.compatible,
	}
	c.Line, c.Column = d.position(site)
	d.out = append(d.out, c)
}

// position finds site in the update's source, when site belongs to the
// update's own text and the text was compiled from source.
func (d *differ) position(site protoreflect.Descriptor) (int, int) {
	if site == nil {
		return 0, 0
	}
	file := site.ParentFile()
	if file == nil || file.Path() != d.upd.file.Path() {
		return 0, 0
	}
	var loc protoreflect.SourceLocation
	if _, isFile := site.(protoreflect.FileDescriptor); isFile {
		loc = file.SourceLocations().ByPath(protoreflect.SourcePath{2})
		if loc.Path == nil {
			loc = file.SourceLocations().ByPath(protoreflect.SourcePath{12})
		}
	} else {
		loc = file.SourceLocations().ByDescriptor(site)
	}
	if loc.Path == nil {
		return 0, 0
	}
	return loc.StartLine + 1, loc.StartColumn + 1
}

func (d *differ) file(o, u protoreflect.FileDescriptor) {
	if o.Package() != u.Package() {
		d.add(PackageChanged, u, "Package changed from %q to %q.", o.Package(), u.Package())
	}
	d.types(o, u)
}

// declared lists the messages and enums declared directly in a file or
// message as Confluent's parser sees them: synthetic map entries and group
// bodies are not types of their own.
type declared struct {
	msgs     map[string]protoreflect.MessageDescriptor
	msgIndex map[string]int
	msgOrder []string
	enums    map[string]protoreflect.EnumDescriptor
	enumOrd  []string
}

type container interface {
	protoreflect.Descriptor
	Messages() protoreflect.MessageDescriptors
	Enums() protoreflect.EnumDescriptors
}

func declaredIn(c container) declared {
	// The maps stay nil (and read as empty) for a container that declares
	// nothing, as most messages do: a check builds these for every message
	// of every version.
	var out declared
	var groups map[protoreflect.FullName]bool
	msgs := c.Messages()
	if md, ok := c.(protoreflect.MessageDescriptor); ok && msgs.Len() > 0 {
		fields := md.Fields()
		for i := 0; i < fields.Len(); i++ {
			if isGroup(fields.Get(i)) {
				if groups == nil {
					groups = map[protoreflect.FullName]bool{}
				}
				groups[fields.Get(i).Message().FullName()] = true
			}
		}
	}
	if msgs.Len() > 0 {
		out.msgs = make(map[string]protoreflect.MessageDescriptor, msgs.Len())
		out.msgIndex = make(map[string]int, msgs.Len())
	}
	for i := 0; i < msgs.Len(); i++ {
		m := msgs.Get(i)
		if m.IsMapEntry() || groups[m.FullName()] {
			continue
		}
		name := string(m.Name())
		out.msgIndex[name] = len(out.msgOrder)
		out.msgOrder = append(out.msgOrder, name)
		out.msgs[name] = m
	}
	enums := c.Enums()
	if enums.Len() > 0 {
		out.enums = make(map[string]protoreflect.EnumDescriptor, enums.Len())
	}
	for i := 0; i < enums.Len(); i++ {
		e := enums.Get(i)
		out.enums[string(e.Name())] = e
		out.enumOrd = append(out.enumOrd, string(e.Name()))
	}
	return out
}

// isGroup reports a proto2 group field, which Confluent's parser keeps
// apart from fields and does not compare.
func isGroup(f protoreflect.FieldDescriptor) bool {
	return f.Kind() == protoreflect.GroupKind && f.ParentFile().Syntax() == protoreflect.Proto2
}

// union lists a's names then b's names that a lacks.
func union(a, b []string, inA func(string) bool) []string {
	out := slices.Clone(a)
	for _, n := range b {
		if !inA(n) {
			out = append(out, n)
		}
	}
	return out
}

func (d *differ) types(oc, uc container) {
	o, u := declaredIn(oc), declaredIn(uc)
	where := "file"
	if md, ok := uc.(protoreflect.MessageDescriptor); ok {
		where = fmt.Sprintf("message %q", localName(md))
	}
	for _, name := range union(o.msgOrder, u.msgOrder, func(n string) bool { return o.msgs[n] != nil }) {
		d.at(name, func() {
			om, um := o.msgs[name], u.msgs[name]
			switch {
			case um == nil:
				d.add(MessageRemoved, uc, "Previously present message %q was deleted from %s.", localName(om), where)
			case om == nil:
				d.add(MessageAdded, um, "Message %q was added to %s.", localName(um), where)
			default:
				d.message(om, um)
				if oi, ui := o.msgIndex[name], u.msgIndex[name]; oi != ui {
					d.add(MessageMoved, um, "Message %q moved from index %d to index %d in %s; records keep the indexes of the schema they were written with.", localName(um), oi, ui, where)
				}
			}
		})
	}
	for _, name := range union(o.enumOrd, u.enumOrd, func(n string) bool { return o.enums[n] != nil }) {
		d.at(name, func() {
			oe, ue := o.enums[name], u.enums[name]
			switch {
			case ue == nil:
				d.add(EnumRemoved, uc, "Previously present enum %q was deleted from %s.", localName(oe), where)
			case oe == nil:
				d.add(EnumAdded, ue, "Enum %q was added to %s.", localName(ue), where)
			default:
				d.enum(oe, ue)
			}
		})
	}
}

func (d *differ) enum(o, u protoreflect.EnumDescriptor) {
	byNumber := func(e protoreflect.EnumDescriptor) map[protoreflect.EnumNumber]protoreflect.EnumValueDescriptor {
		out := map[protoreflect.EnumNumber]protoreflect.EnumValueDescriptor{}
		vals := e.Values()
		for i := 0; i < vals.Len(); i++ {
			out[vals.Get(i).Number()] = vals.Get(i)
		}
		return out
	}
	ov, uv := byNumber(o), byNumber(u)
	name := localName(u)
	for _, n := range sortedKeys(ov, uv) {
		d.at(strconv.Itoa(int(n)), func() {
			a, b := ov[n], uv[n]
			switch {
			case b == nil:
				d.add(EnumConstRemoved, u, "Previously present enum value \"%d\" with name %q on enum %q was deleted.", n, a.Name(), name)
			case a == nil:
				d.add(EnumConstAdded, b, "Enum value \"%d\" with name %q was added to enum %q.", n, b.Name(), name)
			case a.Name() != b.Name():
				d.add(EnumConstChanged, b, "Enum value \"%d\" on enum %q changed name from %q to %q.", n, name, a.Name(), b.Name())
			}
		})
	}
}

func sortedKeys[K ~int32, V any](a, b map[K]V) []K {
	out := make([]K, 0, len(a)+len(b))
	for k := range a {
		out = append(out, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func (d *differ) message(o, u protoreflect.MessageDescriptor) {
	key := o.ParentFile().Path() + "\x00" + string(o.FullName())
	fresh := !d.visiting[key]
	if fresh {
		d.visiting[key] = true
		d.fields(o, u)
	}
	d.types(o, u)
	if fresh {
		delete(d.visiting, key)
	}
}

// fieldSet indexes a message's fields by number, whether they sit at the
// top level or in a oneof.
type fieldSet struct {
	// byNumber holds the fields in ascending order of number, and info
	// their labels and types, which every check of the message compares.
	byNumber []protoreflect.FieldDescriptor
	info     []fieldInfo
	// oneofOf and oneofs are nil for a message without real oneofs.
	oneofOf map[protoreflect.FieldNumber]string
	oneofs  map[string]protoreflect.OneofDescriptor
	order   []protoreflect.OneofDescriptor
}

// fieldInfo is what a check compares of a field besides its name.
type fieldInfo struct {
	label label
	typ   fieldType
}

// fieldSetOf returns md's fieldSet, built once per parsed schema: the
// earlier versions of a subject stay parsed (the registry caches them),
// and a transitive check compares each of their messages again for every
// new schema. md is a message of s or of one of its dependencies.
func (s *Schema) fieldSetOf(md protoreflect.MessageDescriptor) *fieldSet {
	if fs, ok := s.fieldSets.Load(md); ok {
		return fs.(*fieldSet)
	}
	fs, _ := s.fieldSets.LoadOrStore(md, fieldsOf(md))
	return fs.(*fieldSet)
}

func fieldsOf(md protoreflect.MessageDescriptor) *fieldSet {
	fields := md.Fields()
	s := &fieldSet{byNumber: make([]protoreflect.FieldDescriptor, 0, fields.Len())}
	for i := 0; i < fields.Len(); i++ {
		f := fields.Get(i)
		if isGroup(f) {
			continue
		}
		s.byNumber = append(s.byNumber, f)
		if oo := realOneof(f); oo != nil {
			if s.oneofOf == nil {
				s.oneofOf = map[protoreflect.FieldNumber]string{}
			}
			s.oneofOf[f.Number()] = string(oo.Name())
		}
	}
	// Declaration order is usually number order already, which the sort
	// then only confirms.
	slices.SortFunc(s.byNumber, func(a, b protoreflect.FieldDescriptor) int { return int(a.Number()) - int(b.Number()) })
	s.info = make([]fieldInfo, len(s.byNumber))
	for i, f := range s.byNumber {
		s.info[i] = fieldInfo{label: wireLabel(f), typ: typeOf(f)}
	}
	oneofs := md.Oneofs()
	for i := 0; i < oneofs.Len(); i++ {
		if oo := oneofs.Get(i); !oo.IsSynthetic() {
			if s.oneofs == nil {
				s.oneofs = map[string]protoreflect.OneofDescriptor{}
			}
			s.oneofs[string(oo.Name())] = oo
			s.order = append(s.order, oo)
		}
	}
	return s
}

// has reports whether the message has a field numbered n.
func (s *fieldSet) has(n protoreflect.FieldNumber) bool {
	_, found := slices.BinarySearchFunc(s.byNumber, n, func(f protoreflect.FieldDescriptor, n protoreflect.FieldNumber) int { return int(f.Number()) - int(n) })
	return found
}

// pairs calls fn with the indexes in a and b of the fields with each
// number, ascending: both when both have the number, else one and -1.
func pairs(a, b []protoreflect.FieldDescriptor, fn func(n protoreflect.FieldNumber, i, j int)) {
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || i < len(a) && a[i].Number() < b[j].Number():
			fn(a[i].Number(), i, -1)
			i++
		case i == len(a) || b[j].Number() < a[i].Number():
			fn(b[j].Number(), -1, j)
			j++
		default:
			fn(a[i].Number(), i, j)
			i++
			j++
		}
	}
}

// smallFieldNumbers spells the field numbers most messages use, once for
// the process: a check names every field of every version it walks, and
// formatting each number again was a tenth of its allocations. Read-only.
var smallFieldNumbers = func() (t [1024]string) {
	for i := range t {
		t[i] = strconv.Itoa(i)
	}
	return t
}()

// fieldNumberText is strconv.Itoa of a field number.
func fieldNumberText(n protoreflect.FieldNumber) string {
	if n >= 0 && int(n) < len(smallFieldNumbers) {
		return smallFieldNumbers[n]
	}
	return strconv.Itoa(int(n))
}

func realOneof(f protoreflect.FieldDescriptor) protoreflect.OneofDescriptor {
	if oo := f.ContainingOneof(); oo != nil && !oo.IsSynthetic() {
		return oo
	}
	return nil
}

func (d *differ) fields(om, um protoreflect.MessageDescriptor) {
	o, u := d.orig.fieldSetOf(om), d.upd.fieldSetOf(um)
	msgName := localName(um)

	// A oneof deleted together with all of its members is a plain
	// deletion; members of a deleted oneof that live on elsewhere make the
	// others count as removed one by one.
	var gone map[string]bool
	for name, oo := range o.oneofs {
		if _, kept := u.oneofs[name]; kept {
			continue
		}
		survives := false
		members := oo.Fields()
		for i := 0; i < members.Len(); i++ {
			if u.has(members.Get(i).Number()) {
				survives = true
			}
		}
		if !survives {
			if gone == nil {
				gone = map[string]bool{}
			}
			gone[name] = true
		}
	}

	// Fields that were independent before and now share a oneof lose data
	// when old records set more than one of them.
	for _, oo := range u.order {
		d.at(string(oo.Name()), func() {
			origins := map[string]bool{}
			movedIn := 0
			members := oo.Fields()
			for i := 0; i < members.Len(); i++ {
				n := members.Get(i).Number()
				if name, ok := o.oneofOf[n]; ok {
					origins["oneof:"+name] = true
				} else if o.has(n) {
					origins["field:"+strconv.Itoa(int(n))] = true
					movedIn++
				}
			}
			if len(origins) > 1 {
				if movedIn > 1 {
					d.add(MultipleFieldsMovedToOneof, oo, "Oneof %q on message %q now holds %d fields that were outside a oneof before.", oo.Name(), msgName, movedIn)
				} else {
					d.add(FieldMovedToExistingOneof, oo, "Oneof %q on message %q now holds fields that were not mutually exclusive before.", oo.Name(), msgName)
				}
			}
		})
	}

	names := make([]string, 0, len(o.oneofs)+len(u.oneofs))
	for n := range o.oneofs {
		names = append(names, n)
	}
	for n := range u.oneofs {
		if o.oneofs[n] == nil {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		d.at(name, func() {
			switch {
			case u.oneofs[name] == nil:
				d.add(OneofRemoved, um, "Previously present oneof %q on message %q was deleted.", name, msgName)
			case o.oneofs[name] == nil:
				d.add(OneofAdded, u.oneofs[name], "Oneof %q was added to message %q.", name, msgName)
			}
		})
	}

	pairs(o.byNumber, u.byNumber, func(n protoreflect.FieldNumber, i, j int) {
		var of, uf protoreflect.FieldDescriptor
		if i >= 0 {
			of = o.byNumber[i]
		}
		if j >= 0 {
			uf = u.byNumber[j]
		}
		oOneof, inOld := o.oneofOf[n]
		uOneof, inNew := u.oneofOf[n]
		num := fieldNumberText(n)
		switch {
		case uf == nil && inOld:
			if !gone[oOneof] {
				d.at(oOneof, func() {
					d.at(num, func() {
						d.add(OneofFieldRemoved, um, "Previously present field %q with name %q in oneof %q on message %q was deleted.", num, of.Name(), oOneof, msgName)
					})
				})
			}
		case uf == nil:
			d.at(num, func() {
				if wireLabel(of) == labelRequired {
					d.add(RequiredFieldRemoved, um, "Previously present required field %q with name %q on message %q was deleted.", num, of.Name(), msgName)
				} else {
					d.add(FieldRemoved, um, "Previously present field %q with name %q on message %q was deleted.", num, of.Name(), msgName)
				}
			})
		case of == nil && inNew:
			d.at(uOneof, func() {
				d.at(num, func() {
					d.add(OneofFieldAdded, uf, "Field %q with name %q was added to oneof %q on message %q.", num, uf.Name(), uOneof, msgName)
				})
			})
		case of == nil:
			d.at(num, func() {
				if wireLabel(uf) == labelRequired {
					d.add(RequiredFieldAdded, uf, "Required field %q with name %q was added to message %q; records written before it lack it.", num, uf.Name(), msgName)
				} else {
					d.add(FieldAdded, uf, "Field %q with name %q was added to message %q.", num, uf.Name(), msgName)
				}
			})
		default:
			if inOld && !inNew {
				d.at(num, func() {
					d.add(OneofFieldMovedToTopLevel, uf, "Field %q with name %q on message %q moved out of oneof %q.", num, uf.Name(), msgName, oOneof)
				})
			}
			compare := func() { d.field(of, uf, o.info[i], u.info[j], msgName) }
			if inNew {
				d.at(uOneof, func() { d.at(num, compare) })
			} else {
				d.at(num, compare)
			}
		}
	})
}
