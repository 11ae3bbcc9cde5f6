package registry

import (
	"errors"
	"fmt"
	"math"
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

func (st *State) view(subject string, vs *versionState) Schema {
	s := vs.schema
	out := Schema{Subject: subject, Version: vs.version, ID: vs.id, Deleted: vs.deleted, Timestamp: vs.timestamp}
	if s != nil {
		out.Schema = s.text
		if s.typ != compat.Avro {
			out.SchemaType = s.typ
		}
		out.References = s.refs
		out.Metadata = s.metadata
		out.RuleSet = s.ruleSet
		out.GUID = s.identity.String()
	}
	return out
}

// latestLocked returns the newest version, live or (when deleted) any.
func (ss *subjectState) latest(deleted bool) *versionState {
	for i := len(ss.sorted) - 1; i >= 0; i-- {
		vs := ss.versions[ss.sorted[i]]
		if deleted || !vs.deleted {
			return vs
		}
	}
	return nil
}

func (ss *subjectState) hasLive() bool { return ss.latest(false) != nil }

// SchemaByID returns the schema with the given id in the default context
// (subject and version are left empty: an id may be registered under many
// subjects).
func (s *Service) SchemaByID(id int) (Schema, error) {
	return s.SchemaByIDIn(DefaultContext, id)
}

// SchemaByIDIn is SchemaByID in context ctx ("." is the default): ids are
// scoped per context.
func (s *Service) SchemaByIDIn(ctx string, id int) (Schema, error) {
	st := s.state
	st.mu.RLock()
	defer st.mu.RUnlock()
	sc := st.space(ctx).ids[id]
	if sc == nil {
		return Schema{}, errSchemaNotFound(id)
	}
	out := Schema{ID: id, Schema: sc.text, References: sc.refs, Metadata: sc.metadata, RuleSet: sc.ruleSet, GUID: sc.identity.String()}
	if sc.typ != compat.Avro {
		out.SchemaType = sc.typ
	}
	return out, nil
}

// SchemaOfID returns the parsed schema with the given id in the default
// context, for format-specific renderings such as Protobuf's serialized form.
func (s *Service) SchemaOfID(id int) (compat.Schema, compat.Type, error) {
	return s.SchemaOfIDIn(DefaultContext, id)
}

// SchemaOfIDIn is SchemaOfID in context ctx.
func (s *Service) SchemaOfIDIn(ctx string, id int) (compat.Schema, compat.Type, error) {
	st := s.state
	st.mu.RLock()
	defer st.mu.RUnlock()
	sc := st.space(ctx).ids[id]
	if sc == nil {
		return nil, "", errSchemaNotFound(id)
	}
	p, err := s.parsedLocked(sc)
	if err != nil {
		var re *Error
		if !errors.As(err, &re) {
			err = &Error{Code: CodeInvalidSchema, Message: fmt.Sprintf("Invalid schema %d: %v", id, err), Err: err}
		}
	}
	return p, sc.typ, err
}

// Render returns sc with its text in the rendering that Confluent's format
// query parameter names, such as Protobuf's "serialized". An empty or
// unknown name leaves the stored text, as Confluent does; the format
// plug-in decides which names it knows (compat.Render). The guid stays that
// of the stored text. The id is looked up in the context of sc's subject
// (the default context when sc names none).
func (s *Service) Render(sc Schema, format string) (Schema, error) {
	return s.RenderIn(contextOf(sc.Subject), sc, format)
}

// RenderIn is Render with sc's id looked up in context ctx.
func (s *Service) RenderIn(ctx string, sc Schema, format string) (Schema, error) {
	if strings.TrimSpace(format) == "" {
		return sc, nil
	}
	p, _, err := s.SchemaOfIDIn(ctx, sc.ID)
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
	for i := range scs {
		r, err := s.Render(scs[i], format)
		if err != nil {
			return nil, err
		}
		scs[i] = r
	}
	return scs, nil
}

// MaxID returns the highest id ever allocated in the default context.
func (s *Service) MaxID() int { return s.MaxIDIn(DefaultContext) }

// MaxIDIn returns the highest id ever allocated in context ctx.
func (s *Service) MaxIDIn(ctx string) int {
	s.state.mu.RLock()
	defer s.state.mu.RUnlock()
	return s.state.space(ctx).maxID
}

// SubjectsOfID lists the subjects of the default context that hold the
// schema id.
func (s *Service) SubjectsOfID(id int, deleted bool) ([]string, error) {
	return s.SubjectsOfIDIn(DefaultContext, id, deleted)
}

// SubjectsOfIDIn lists the subjects of context ctx that hold the schema id.
func (s *Service) SubjectsOfIDIn(ctx string, id int, deleted bool) ([]string, error) {
	vs, err := s.VersionsOfIDIn(ctx, id, deleted)
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

// VersionsOfID lists the subject versions of the default context that hold
// the schema id.
func (s *Service) VersionsOfID(id int, deleted bool) ([]SubjectVersion, error) {
	return s.VersionsOfIDIn(DefaultContext, id, deleted)
}

// VersionsOfIDIn lists the subject versions of context ctx that hold the
// schema id.
func (s *Service) VersionsOfIDIn(ctx string, id int, deleted bool) ([]SubjectVersion, error) {
	st := s.state
	st.mu.RLock()
	defer st.mu.RUnlock()
	if st.space(ctx).ids[id] == nil {
		// Confluent's message here names no id (SchemasResource).
		return nil, Errorf(CodeSchemaNotFound, "Schema not found")
	}
	out := []SubjectVersion{}
	for _, name := range sortedKeys(st.subjects) {
		if contextOf(name) != ctx {
			continue
		}
		ss := st.subjects[name]
		for _, v := range ss.sorted {
			vs := ss.versions[v]
			if vs.id == id && (deleted || !vs.deleted) {
				out = append(out, SubjectVersion{Subject: name, Version: v})
			}
		}
	}
	return out, nil
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
func (s *Service) Schemas(f SchemaFilter) []Schema {
	st := s.state
	st.mu.RLock()
	defer st.mu.RUnlock()
	out := []Schema{}
	skip := f.Offset
	for _, name := range sortedSubjects(st.subjects) {
		if !confluent.MatchPrefix(f.SubjectPrefix, name) {
			continue
		}
		ss := st.subjects[name]
		var vs []*versionState
		if f.LatestOnly {
			if l := ss.latest(f.Deleted); l != nil {
				vs = append(vs, l)
			}
		} else {
			for _, v := range ss.sorted {
				if x := ss.versions[v]; f.Deleted || !x.deleted {
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
			out = append(out, st.view(name, x))
		}
	}
	return out
}

// Subjects lists subject names matching prefix as Confluent reads a
// subjectPrefix (confluent.MatchPrefix: ":*:" for every context, "" for
// the default one), the default context first. deleted includes subjects
// whose versions are all soft-deleted; deletedOnly lists only those.
func (s *Service) Subjects(prefix string, deleted, deletedOnly bool) []string {
	st := s.state
	st.mu.RLock()
	defer st.mu.RUnlock()
	out := []string{}
	for _, name := range sortedSubjects(st.subjects) {
		if !confluent.MatchPrefix(prefix, name) {
			continue
		}
		live := st.subjects[name].hasLive()
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
func (s *Service) Versions(subject string, deleted, deletedOnly bool) ([]int, error) {
	st := s.state
	st.mu.RLock()
	defer st.mu.RUnlock()
	ss := st.subjects[subject]
	if ss == nil {
		return nil, errSubjectNotFound(subject)
	}
	out := []int{}
	for _, v := range ss.sorted {
		d := ss.versions[v].deleted
		if (deletedOnly && d) || (!deletedOnly && (deleted || !d)) {
			out = append(out, v)
		}
	}
	if len(out) == 0 && !deleted && !deletedOnly {
		return nil, errSubjectNotFound(subject)
	}
	return out, nil
}

// Version returns one version of a subject; version may be Latest.
func (s *Service) Version(subject string, version int, deleted bool) (Schema, error) {
	st := s.state
	st.mu.RLock()
	defer st.mu.RUnlock()
	vs, err := st.findVersion(subject, version, deleted)
	if err != nil {
		return Schema{}, err
	}
	return st.view(subject, vs), nil
}

func (st *State) findVersion(subject string, version int, deleted bool) (*versionState, error) {
	ss := st.subjects[subject]
	if ss == nil || (!deleted && !ss.hasLive()) {
		return nil, errSubjectNotFound(subject)
	}
	if version == Latest {
		if vs := ss.latest(deleted); vs != nil {
			return vs, nil
		}
		return nil, errSubjectNotFound(subject)
	}
	vs := ss.versions[version]
	if vs == nil || (vs.deleted && !deleted) {
		return nil, errVersionNotFound(version)
	}
	return vs, nil
}

// ReferencedBy lists the ids of schemas that reference a subject version.
func (s *Service) ReferencedBy(subject string, version int) ([]int, error) {
	st := s.state
	st.mu.RLock()
	defer st.mu.RUnlock()
	vs, err := st.findVersion(subject, version, true)
	if err != nil {
		return nil, err
	}
	return st.referencedBy(subject, vs.version, true), nil
}

// referencedBy lists ids of schemas, held by a subject version that is live
// (or any, when includeDeleted), that reference subject/version.
func (st *State) referencedBy(subject string, version int, includeDeleted bool) []int {
	seen := map[int]bool{}
	for _, ss := range st.subjects {
		for _, vs := range ss.versions {
			if seen[vs.id] || (vs.deleted && !includeDeleted) {
				continue
			}
			sc := vs.schema
			if sc == nil {
				continue
			}
			for _, r := range sc.refs {
				if confluent.InContext(sc.ctx, r.Subject) == subject && r.Version == version {
					seen[vs.id] = true
					break
				}
			}
		}
	}
	out := make([]int, 0, len(seen))
	for id := range seen {
		out = append(out, id)
	}
	sort.Ints(out)
	return out
}

// SchemaByGUID returns the schema of the default context whose identity
// formats as guid.
func (s *Service) SchemaByGUID(guid string) (Schema, error) {
	return s.SchemaByGUIDIn(DefaultContext, guid)
}

// SchemaByGUIDIn returns the schema of context ctx whose identity formats
// as guid.
func (s *Service) SchemaByGUIDIn(ctx, guid string) (Schema, error) {
	st := s.state
	st.mu.RLock()
	var id int
	if ident, ok := ParseIdentity(guid); ok && ident.String() == guid {
		id = st.space(ctx).byIdentity[ident]
	}
	st.mu.RUnlock()
	if id == 0 {
		return Schema{}, Errorf(CodeSchemaNotFound, "Schema %s not found", guid)
	}
	return s.SchemaByIDIn(ctx, id)
}

// LatestWithMetadata returns the newest live version of subject whose
// metadata properties include every key/value pair in props.
func (s *Service) LatestWithMetadata(subject string, props map[string]string, deleted bool) (Schema, error) {
	st := s.state
	st.mu.RLock()
	defer st.mu.RUnlock()
	ss := st.subjects[subject]
	if ss == nil || (!deleted && !ss.hasLive()) {
		return Schema{}, errSubjectNotFound(subject)
	}
	for i := len(ss.sorted) - 1; i >= 0; i-- {
		vs := ss.versions[ss.sorted[i]]
		sc := vs.schema
		if sc == nil || (vs.deleted && !deleted) {
			continue
		}
		match := true
		for k, v := range props {
			if sc.metadata == nil || sc.metadata.Properties[k] != v {
				match = false
				break
			}
		}
		if match {
			return st.view(subject, vs), nil
		}
	}
	// Confluent's getLatestWithMetadata: a subject without a match is 40403.
	return Schema{}, Errorf(CodeSchemaNotFound, "Schema not found")
}
