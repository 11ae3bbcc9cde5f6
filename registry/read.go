package registry

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/confluent"
)

// Latest is the version number that stands for "latest" (-1 in Confluent's API).
const Latest = -1

// ParseVersion accepts "latest", -1 or a version between 1 and 2^31-1.
func ParseVersion(s string) (int, error) {
	if s == "latest" {
		return Latest, nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v == 0 || v < -1 || v > math.MaxInt32 {
		return 0, Errorf(CodeInvalidVersion, "The specified version '%s' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"", s)
	}
	return int(v), nil
}

// Snapshot returns the registry's state as of now. A read that asks
// several questions asks them of one snapshot, so its answers belong to
// one state; the Service's read methods each take the current one.
func (s *Service) Snapshot() *Snapshot { return s.state.Snapshot() }

// view is what a read of subject's version vs returns. Its references,
// metadata and rule set are copies (as idView's are): the snapshot's are
// shared by every later snapshot, so a caller editing what it was given
// must not change them.
func view(subject string, vs *versionState) Schema {
	s := vs.schema
	out := Schema{Subject: subject, Version: vs.version, ID: vs.id(), Deleted: vs.deleted, Timestamp: vs.timestamp}
	if s != nil {
		out.Schema = s.text()
		out.SchemaType = confluent.WireType(s.typ())
		out.References = slices.Clone(s.refs())
		out.Metadata = s.metadata().Clone()
		out.RuleSet = s.ruleSet().Clone()
		out.GUID = s.identity.String()
	}
	return out
}

func idView(sc *storedSchema) Schema {
	return Schema{ID: sc.id(), SchemaType: confluent.WireType(sc.typ()), Schema: sc.text(), References: slices.Clone(sc.refs()),
		Metadata: sc.metadata().Clone(), RuleSet: sc.ruleSet().Clone(), GUID: sc.identity.String()}
}

// SchemaByID returns the schema with the given id in context ctx ("." is
// the default; ids are scoped per context). Subject and version are left
// empty: an id may be registered under many subjects.
func (sn *Snapshot) SchemaByID(ctx string, id int) (Schema, error) {
	sc := sn.space(ctx).schema(id)
	if sc == nil {
		return Schema{}, errSchemaNotFound(id)
	}
	return idView(sc), nil
}

// Mode returns the mode in force for subject: its own, else its
// context's, else the global one (GetMode with defaultToGlobal).
func (sn *Snapshot) Mode(subject string) Mode { return sn.effectiveMode(subject) }

// MaxID returns the highest id ever allocated in context ctx.
func (sn *Snapshot) MaxID(ctx string) int { return sn.space(ctx).maxID }

// VersionsOfID lists the subject versions of context ctx that hold the
// schema id.
func (sn *Snapshot) VersionsOfID(ctx string, id int, deleted bool) ([]SubjectVersion, error) {
	if sn.space(ctx).schema(id) == nil {
		// Confluent's message here names no id (SchemasResource).
		return nil, Errorf(CodeSchemaNotFound, "Schema not found")
	}
	out := []SubjectVersion{}
	for _, name := range sn.holdersOf(ctx, id) {
		for _, vs := range sn.subject(name).versions {
			if vs.id() == id && (deleted || !vs.deleted) {
				out = append(out, SubjectVersion{Subject: name, Version: vs.version})
			}
		}
	}
	return out, nil
}

// holdersOf returns the subjects of context ctx holding id (soft-deleted
// versions included), sorted.
func (sn *Snapshot) holdersOf(ctx string, id int) []string {
	sp := sn.space(ctx)
	e, _ := sp.ids.get(idHash(id), id)
	out := make([]string, 0, e.holders.len())
	e.holders.each(func(name string) bool {
		out = append(out, name)
		return true
	})
	sort.Strings(out)
	return out
}

// EachSubjectOfID calls fn for every subject of context ctx holding the
// schema id, soft-deleted versions included, in no particular order,
// until fn returns false. It costs the holders, not the registry: the
// snapshot indexes them per id.
func (sn *Snapshot) EachSubjectOfID(ctx string, id int, fn func(subject string) bool) {
	sn.space(ctx).eachHolder(id, fn)
}

// SubjectsOfID lists the subjects of context ctx that hold the schema id.
func (sn *Snapshot) SubjectsOfID(ctx string, id int, deleted bool) ([]string, error) {
	vs, err := sn.VersionsOfID(ctx, id, deleted)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, v := range vs {
		if len(out) == 0 || out[len(out)-1] != v.Subject {
			out = append(out, v.Subject)
		}
	}
	return out, nil
}

// SchemaByGUID returns the schema of context ctx whose identity formats
// as guid.
func (sn *Snapshot) SchemaByGUID(ctx, guid string) (Schema, error) {
	if ident, ok := ParseIdentity(guid); ok && ident.String() == guid {
		if id, ok := sn.space(ctx).idOf(ident); ok {
			return sn.SchemaByID(ctx, id)
		}
	}
	return Schema{}, Errorf(CodeSchemaNotFound, "Schema %s not found", guid)
}

// SchemaFilter selects schemas for Schemas.
type SchemaFilter struct {
	// SubjectPrefix selects subjects as confluent.MatchPrefix does: ""
	// is the default context, ":*:" every context.
	SubjectPrefix string
	Deleted       bool
	LatestOnly    bool
	Offset        int
	Limit         int
}

// Schemas lists subject versions in subject then version order.
func (sn *Snapshot) Schemas(f SchemaFilter) []Schema {
	out := []Schema{}
	skip := f.Offset
	for _, name := range sn.sortedSubjects() {
		if !confluent.MatchPrefix(f.SubjectPrefix, name) {
			continue
		}
		ss := sn.subject(name)
		var vs []*versionState
		if f.LatestOnly {
			if l := ss.latest(f.Deleted); l != nil {
				vs = append(vs, l)
			}
		} else {
			for i := range ss.versions {
				if x := &ss.versions[i]; f.Deleted || !x.deleted {
					vs = append(vs, x)
				}
			}
		}
		for _, x := range vs {
			if skip > 0 {
				skip--
				continue
			}
			if f.Limit > 0 && len(out) >= f.Limit {
				return out
			}
			out = append(out, view(name, x))
		}
	}
	return out
}

// Subjects lists subject names matching prefix as Confluent reads a
// subjectPrefix (confluent.MatchPrefix: ":*:" for every context, "" for
// the default one), the default context first. deleted includes subjects
// whose versions are all soft-deleted; deletedOnly lists only those.
func (sn *Snapshot) Subjects(prefix string, deleted, deletedOnly bool) []string {
	out := []string{}
	for _, name := range sn.sortedSubjects() {
		if !confluent.MatchPrefix(prefix, name) {
			continue
		}
		live := sn.subject(name).hasLive()
		switch {
		case deletedOnly:
			if !live {
				out = append(out, name)
			}
		case deleted || live:
			out = append(out, name)
		}
	}
	return out
}

// Versions lists a subject's version numbers.
func (sn *Snapshot) Versions(subject string, deleted, deletedOnly bool) ([]int, error) {
	ss := sn.subject(subject)
	if ss == nil {
		return nil, errSubjectNotFound(subject)
	}
	out := []int{}
	for _, vs := range ss.versions {
		d := vs.deleted
		if (deletedOnly && d) || (!deletedOnly && (deleted || !d)) {
			out = append(out, vs.version)
		}
	}
	if len(out) == 0 && !deleted && !deletedOnly {
		return nil, errSubjectNotFound(subject)
	}
	return out, nil
}

// Version returns one version of a subject; version may be Latest.
func (sn *Snapshot) Version(subject string, version int, deleted bool) (Schema, error) {
	vs, err := sn.findVersion(subject, version, deleted)
	if err != nil {
		return Schema{}, err
	}
	return view(subject, vs), nil
}

func (sn *Snapshot) findVersion(subject string, version int, deleted bool) (*versionState, error) {
	ss := sn.subject(subject)
	if ss == nil || (!deleted && !ss.hasLive()) {
		return nil, errSubjectNotFound(subject)
	}
	if version == Latest {
		if vs := ss.latest(deleted); vs != nil {
			return vs, nil
		}
		return nil, errSubjectNotFound(subject)
	}
	vs := ss.version(version)
	if vs == nil || (vs.deleted && !deleted) {
		return nil, errVersionNotFound(version)
	}
	return vs, nil
}

// VersionsAsNegative lists all of a subject's version numbers, a
// soft-deleted one as its negative (Confluent's deletedAsNegative). The
// subject must have a live version unless deleted is set.
func (sn *Snapshot) VersionsAsNegative(subject string, deleted bool) ([]int, error) {
	ss := sn.subject(subject)
	if ss == nil || (!deleted && !ss.hasLive()) {
		return nil, errSubjectNotFound(subject)
	}
	out := make([]int, 0, len(ss.versions))
	for _, vs := range ss.versions {
		if vs.deleted {
			out = append(out, -vs.version)
		} else {
			out = append(out, vs.version)
		}
	}
	return out, nil
}

// ReferencedBy lists the ids of schemas that reference a subject version,
// held by live versions or, with deleted, by any.
func (sn *Snapshot) ReferencedBy(subject string, version int, deleted bool) ([]int, error) {
	vs, err := sn.findVersion(subject, version, true)
	if err != nil {
		return nil, err
	}
	return sn.referencedBy(subject, vs.version, deleted), nil
}

// referencedBy lists ids of schemas, held by a subject version that is live
// (or any, when includeDeleted), that reference subject/version.
func (sn *Snapshot) referencedBy(subject string, version int, includeDeleted bool) []int {
	seen := map[int]bool{}
	sn.eachSubject(func(_ string, ss *subjectState) bool {
		for _, vs := range ss.versions {
			if seen[vs.id()] || (vs.deleted && !includeDeleted) || vs.schema == nil {
				continue
			}
			for _, r := range vs.schema.refs() {
				if confluent.InContext(vs.schema.ctx(), r.Subject) == subject && r.Version == version {
					seen[vs.id()] = true
					break
				}
			}
		}
		return true
	})
	out := make([]int, 0, len(seen))
	for id := range seen {
		out = append(out, id)
	}
	sort.Ints(out)
	return out
}

// LatestWithMetadata returns the newest live version of subject whose
// metadata properties include every key/value pair in props.
func (sn *Snapshot) LatestWithMetadata(subject string, props map[string]string, deleted bool) (Schema, error) {
	ss := sn.subject(subject)
	if ss == nil || (!deleted && !ss.hasLive()) {
		return Schema{}, errSubjectNotFound(subject)
	}
	for i := len(ss.versions) - 1; i >= 0; i-- {
		vs := &ss.versions[i]
		sc := vs.schema
		if sc == nil || (vs.deleted && !deleted) {
			continue
		}
		match := true
		for k, v := range props {
			if sc.metadata() == nil || sc.metadata().Properties[k] != v {
				match = false
				break
			}
		}
		if match {
			return view(subject, vs), nil
		}
	}
	// Confluent's getLatestWithMetadata: a subject without a match is 40403.
	return Schema{}, Errorf(CodeSchemaNotFound, "Schema not found")
}

// The Service's reads, each on the snapshot current when it is called.

// SchemaByID returns the schema with the given id in the default context
// (subject and version are left empty: an id may be registered under many
// subjects).
func (s *Service) SchemaByID(id int) (Schema, error) {
	return s.Snapshot().SchemaByID(DefaultContext, id)
}

// SchemaByIDIn is SchemaByID in context ctx ("." is the default): ids are
// scoped per context.
func (s *Service) SchemaByIDIn(ctx string, id int) (Schema, error) {
	return s.Snapshot().SchemaByID(ctx, id)
}

// SchemaOfID returns the parsed schema with the given id in the default
// context, for format-specific renderings such as Protobuf's serialized form.
func (s *Service) SchemaOfID(id int) (compat.Schema, compat.Type, error) {
	return s.SchemaOfIDFrom(s.Snapshot(), DefaultContext, id)
}

// SchemaOfIDIn is SchemaOfID in context ctx.
func (s *Service) SchemaOfIDIn(ctx string, id int) (compat.Schema, compat.Type, error) {
	return s.SchemaOfIDFrom(s.Snapshot(), ctx, id)
}

// SchemaOfIDFrom is SchemaOfID in context ctx of snapshot sn.
func (s *Service) SchemaOfIDFrom(sn *Snapshot, ctx string, id int) (compat.Schema, compat.Type, error) {
	sc := sn.space(ctx).schema(id)
	if sc == nil {
		return nil, "", errSchemaNotFound(id)
	}
	p, err := s.parsedOn(sn, sc)
	if err != nil {
		var re *Error
		if !errors.As(err, &re) {
			err = &Error{Code: CodeInvalidSchema, Message: fmt.Sprintf("Invalid schema %d: %v", id, err), Err: err}
		}
	}
	return p, sc.typ(), err
}

// Render returns sc with its text in the rendering that Confluent's format
// query parameter names, such as Protobuf's "serialized". An empty or
// unknown name leaves the stored text, as Confluent does; the format
// plug-in decides which names it knows (compat.Render). The guid stays that
// of the stored text. The id is looked up in the context of sc's subject
// (the default context when sc names none).
func (s *Service) Render(sc Schema, format string) (Schema, error) {
	return s.RenderFrom(s.Snapshot(), contextOf(sc.Subject), sc, format)
}

// RenderIn is Render with sc's id looked up in context ctx.
func (s *Service) RenderIn(ctx string, sc Schema, format string) (Schema, error) {
	return s.RenderFrom(s.Snapshot(), ctx, sc, format)
}

// RenderFrom is Render with sc's id looked up in context ctx of snapshot
// sn, for a read that answers from one snapshot.
func (s *Service) RenderFrom(sn *Snapshot, ctx string, sc Schema, format string) (Schema, error) {
	if strings.TrimSpace(format) == "" {
		return sc, nil
	}
	p, _, err := s.SchemaOfIDFrom(sn, ctx, sc.ID)
	if err != nil {
		return Schema{}, err
	}
	text, ok, err := compat.Render(p, format)
	if err != nil {
		return Schema{}, Errorf(CodeInvalidSchema, "Invalid schema %d: cannot render it as %q: %v", sc.ID, format, err)
	}
	if ok {
		sc.Schema = text
	}
	return sc, nil
}

// RenderAll applies Render to each schema of a listing.
func (s *Service) RenderAll(scs []Schema, format string) ([]Schema, error) {
	if strings.TrimSpace(format) == "" {
		return scs, nil
	}
	sn := s.Snapshot()
	for i := range scs {
		r, err := s.RenderFrom(sn, contextOf(scs[i].Subject), scs[i], format)
		if err != nil {
			return nil, err
		}
		scs[i] = r
	}
	return scs, nil
}

// MaxID returns the highest id ever allocated in the default context.
func (s *Service) MaxID() int { return s.Snapshot().MaxID(DefaultContext) }

// MaxIDIn returns the highest id ever allocated in context ctx.
func (s *Service) MaxIDIn(ctx string) int { return s.Snapshot().MaxID(ctx) }

// SubjectsOfID lists the subjects of the default context that hold the
// schema id.
func (s *Service) SubjectsOfID(id int, deleted bool) ([]string, error) {
	return s.Snapshot().SubjectsOfID(DefaultContext, id, deleted)
}

// SubjectsOfIDIn lists the subjects of context ctx that hold the schema id.
func (s *Service) SubjectsOfIDIn(ctx string, id int, deleted bool) ([]string, error) {
	return s.Snapshot().SubjectsOfID(ctx, id, deleted)
}

// VersionsOfID lists the subject versions of the default context that hold
// the schema id.
func (s *Service) VersionsOfID(id int, deleted bool) ([]SubjectVersion, error) {
	return s.Snapshot().VersionsOfID(DefaultContext, id, deleted)
}

// VersionsOfIDIn lists the subject versions of context ctx that hold the
// schema id.
func (s *Service) VersionsOfIDIn(ctx string, id int, deleted bool) ([]SubjectVersion, error) {
	return s.Snapshot().VersionsOfID(ctx, id, deleted)
}

// Schemas lists subject versions in subject then version order.
func (s *Service) Schemas(f SchemaFilter) []Schema { return s.Snapshot().Schemas(f) }

// Subjects lists subject names matching prefix as Confluent reads a
// subjectPrefix (confluent.MatchPrefix: ":*:" for every context, "" for
// the default one), the default context first. deleted includes subjects
// whose versions are all soft-deleted; deletedOnly lists only those.
func (s *Service) Subjects(prefix string, deleted, deletedOnly bool) []string {
	return s.Snapshot().Subjects(prefix, deleted, deletedOnly)
}

// Versions lists a subject's version numbers.
func (s *Service) Versions(subject string, deleted, deletedOnly bool) ([]int, error) {
	return s.Snapshot().Versions(subject, deleted, deletedOnly)
}

// Version returns one version of a subject; version may be Latest.
func (s *Service) Version(subject string, version int, deleted bool) (Schema, error) {
	return s.Snapshot().Version(subject, version, deleted)
}

// VersionsAsNegative lists all of a subject's version numbers, a
// soft-deleted one as its negative.
func (s *Service) VersionsAsNegative(subject string, deleted bool) ([]int, error) {
	return s.Snapshot().VersionsAsNegative(subject, deleted)
}

// ReferencedBy lists the ids of schemas that reference a subject version,
// held by live versions or, with deleted, by any.
func (s *Service) ReferencedBy(subject string, version int, deleted bool) ([]int, error) {
	return s.Snapshot().ReferencedBy(subject, version, deleted)
}

// SchemaByGUID returns the schema of the default context whose identity
// formats as guid.
func (s *Service) SchemaByGUID(guid string) (Schema, error) {
	return s.Snapshot().SchemaByGUID(DefaultContext, guid)
}

// SchemaByGUIDIn returns the schema of context ctx whose identity formats
// as guid.
func (s *Service) SchemaByGUIDIn(ctx, guid string) (Schema, error) {
	return s.Snapshot().SchemaByGUID(ctx, guid)
}

// LatestWithMetadata returns the newest live version of subject whose
// metadata properties include every key/value pair in props.
func (s *Service) LatestWithMetadata(subject string, props map[string]string, deleted bool) (Schema, error) {
	return s.Snapshot().LatestWithMetadata(subject, props, deleted)
}
