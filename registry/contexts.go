package registry

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/confluent"
	"github.com/charter-registry/charter/storage"
)

// Schema contexts, as Confluent keeps them. A context comes into being with
// the first registration of a subject in it, which writes a CONTEXT record
// in the same batch, and stays (listed by GET /contexts, searched by the
// unqualified lookups that fall back to other contexts) until DELETE
// /contexts/{context} tombstones that record, which is allowed only once
// no subject of the context holds a version, soft-deleted ones included.
// The default context "." has no record and always exists.

// OpContextDeleted is the audit operation of DELETE /contexts/{context};
// the entry's subject is the context's prefix (":.staging:").
const OpContextDeleted Operation = "context.deleted"

// contextKey is the key of context ctx's CONTEXT record.
func contextKey(ctx string) Key { return Key{Type: KeyContext, Subject: ctx} }

// contextValue is the value of a CONTEXT record, in Confluent's layout.
type contextValue struct {
	Tenant  string `json:"tenant"`
	Context string `json:"context"`
}

// applyContext applies a CONTEXT record.
func (b *builder) applyContext(k Key, value []byte) {
	if k.Subject == "" || k.Subject == DefaultContext {
		return
	}
	if b.sn.contexts[k.Subject] == (value != nil) {
		return
	}
	next := make(map[string]bool, len(b.sn.contexts)+1)
	for c := range b.sn.contexts {
		next[c] = true
	}
	if value == nil {
		delete(next, k.Subject)
	} else {
		next[k.Subject] = true
	}
	b.sn.contexts = next
}

// digestContexts feeds the contexts into the state digest; a state without
// any (every state before contexts were recorded) digests as before.
func (sn *Snapshot) digestContexts(ws func(string)) {
	if len(sn.contexts) == 0 {
		return
	}
	ws("contexts")
	for _, c := range sortedKeys(sn.contexts) {
		ws(c)
	}
}

// Contexts lists the contexts in Confluent's order, the default context
// first: those with a CONTEXT record, and those of subjects that hold
// versions (a log written before charter recorded contexts has subjects
// but no records).
func (sn *Snapshot) Contexts() []string {
	set := map[string]bool{}
	for c := range sn.contexts {
		set[c] = true
	}
	// A context's id space holds an id exactly while some version of
	// its subjects (soft-deleted ones included) holds it, so this is the
	// contexts of subjects with versions, without a walk over subjects.
	for c, sp := range sn.spaces {
		if c != DefaultContext && sp.ids.Len() > 0 {
			set[c] = true
		}
	}
	out := make([]string, 0, len(set)+1)
	for c := range set {
		out = append(out, c)
	}
	sort.Strings(out)
	return append([]string{DefaultContext}, out...)
}

// Contexts lists the schema contexts; "." (the default) comes first.
func (s *Service) Contexts() []string { return s.Snapshot().Contexts() }

// contextRecord returns the CONTEXT record a registration under subject
// must write with its schema, or nothing when subject is in the default
// context or its context already exists.
func (sn *Snapshot) contextRecord(subject string) []storage.Record {
	c := confluent.ContextOf(subject)
	if c == DefaultContext || sn.contexts[c] {
		return nil
	}
	r, err := record(contextKey(c), contextValue{Tenant: "default", Context: c})
	if err != nil {
		return nil
	}
	return []storage.Record{r}
}

// DeleteContext removes context ctx (".staging"), as Confluent's DELETE
// /contexts/{context} does: only an admin may, and only while no subject
// of the context holds a version, soft-deleted ones included (42211
// otherwise). Deleting a context that does not exist succeeds and writes
// nothing. The default context cannot be deleted.
func (s *Service) DeleteContext(ctx context.Context, name string) error {
	var prefix string
	check := func() (err error) {
		name, err = confluent.ParseContext(name)
		if err != nil {
			return Errorf(CodeInvalidRequest, "%s", err.Error())
		}
		prefix = confluent.ContextPrefix(name)
		if name == DefaultContext {
			return Errorf(CodeOperationNotPermitted, "The default context '.' cannot be deleted")
		}
		return nil
	}
	err := s.mutate(ctx, check, func(m *Mutation) error {
		sn := m.Snapshot()
		if err := s.authorizeAdminLocked(m.Principal(), "delete contexts"); err != nil {
			return err
		}
		busy := false
		sn.eachSubject(func(subject string, ss *subjectState) bool {
			busy = len(ss.versions) > 0 && confluent.ContextOf(subject) == name
			return !busy
		})
		if busy {
			return Errorf(CodeContextNotEmpty, "The specified context '%s' is not empty.", prefix)
		}
		if !sn.contexts[name] {
			return nil
		}
		m.Append(tombstone(contextKey(name)))
		return m.Audit(AuditEntry{Operation: OpContextDeleted, Subject: prefix})
	})
	if err != nil {
		return writeError(err, "delete context", fmt.Sprintf("delete context %q", name))
	}
	return nil
}

// idHolder finds the subject version that id stands for when a
// reader names subject, as Confluent's lookup by id with a subject does
// (getSchemaKeyUsingContexts):
//   - a qualified subject (":.ctx:name") or a context alone (":.ctx:",
//     and "" for the default one) is looked up in that context only: the
//     subject's version holding id, or for a context any subject holding
//     it;
//   - an unqualified name is tried in the default context, then as
//     ":.ctx:name" in every other context, then any subject of the default
//     context holding id.
//
// Soft-deleted versions count, as there. Of several candidates it takes
// the newest version, and for a context the first subject by name.
func (sn *Snapshot) idHolder(id int, subject string) (string, *versionState) {
	q := confluent.ParseSubject(subject)
	if q.Name == "" || !q.IsDefault() {
		return sn.holderIn(id, q)
	}
	if name, vs := sn.holderIn(id, q); vs != nil {
		return name, vs
	}
	for _, c := range sn.Contexts()[1:] {
		if name, vs := sn.holderIn(id, confluent.Subject{Context: c, Name: q.Name}); vs != nil {
			return name, vs
		}
	}
	return sn.holderIn(id, confluent.Subject{Context: DefaultContext})
}

// holderIn finds a version holding id in q's context: of q's subject, or
// of any subject when q names only the context.
func (sn *Snapshot) holderIn(id int, q confluent.Subject) (string, *versionState) {
	if sn.space(q.Context).schema(id) == nil {
		return "", nil
	}
	if !q.IsContext() {
		name := q.String()
		return name, sn.subject(name).newestWith(id)
	}
	var best string
	var bestVS *versionState
	sn.space(q.Context).eachHolder(id, func(name string) bool {
		if bestVS != nil && name >= best {
			return true
		}
		if vs := sn.subject(name).newestWith(id); vs != nil {
			best, bestVS = name, vs
		}
		return true
	})
	return best, bestVS
}

// newestWith returns the newest version of ss holding id, nil if none.
func (ss *subjectState) newestWith(id int) *versionState {
	if ss == nil {
		return nil
	}
	for i := len(ss.versions) - 1; i >= 0; i-- {
		if vs := &ss.versions[i]; vs.id() == id {
			return vs
		}
	}
	return nil
}

// SchemaByIDFor returns the schema id stands for when the reader names
// subject (GET /schemas/ids/{id}?subject=): found as idHolder
// describes, with the subject and version that hold it, 40403 when none
// does.
func (s *Service) SchemaByIDFor(id int, subject string) (Schema, error) {
	return s.Snapshot().SchemaByIDFor(id, subject)
}

// SchemaByIDFor is Service.SchemaByIDFor on snapshot sn.
func (sn *Snapshot) SchemaByIDFor(id int, subject string) (Schema, error) {
	name, vs := sn.idHolder(id, subject)
	if vs == nil {
		return Schema{}, errSchemaNotFound(id)
	}
	return view(name, vs), nil
}

// IDContext returns the context in which the reader of id who names
// subject finds it (the default context when nothing holds it), for the
// listings of /schemas/ids/{id}/subjects and /versions.
func (s *Service) IDContext(id int, subject string) string {
	return s.Snapshot().IDContext(id, subject)
}

// IDContext is Service.IDContext on snapshot sn.
func (sn *Snapshot) IDContext(id int, subject string) string {
	name, vs := sn.idHolder(id, subject)
	if vs == nil {
		return confluent.ContextOf(subject)
	}
	return confluent.ContextOf(name)
}

// sortedSubjects returns the subject names in Confluent's listing order:
// Confluent sorts the qualified names as strings (extractUniqueSubjects,
// Schema.compareTo), so ":.ctx:orders" comes before "orders" and "Zeta"
// before ":.ctx:a" only where the bytes say so.
func (sn *Snapshot) sortedSubjects() []string { return sn.subjectNames() }

// GlobalContext is the context whose config and mode (":.__GLOBAL:") apply
// to every context that has none of its own, the default one included.
const GlobalContext = confluent.GlobalContext

// globalScope is the subject the ".__GLOBAL" config and mode are kept under.
var globalScope = confluent.ContextPrefix(GlobalContext)

// errInvalidSubjectName refuses a subject name Confluent reserves
// ("__GLOBAL", "__EMPTY") or one in the ".__GLOBAL" context, which holds
// only a config and a mode, in Confluent's words (its typo included).
func errInvalidSubjectName(subject string) *Error {
	return Errorf(CodeInvalidSubject, "The specified subject '%s' is not a valid.", subject)
}

func withDefaultLevel(c Config, def compat.Level) Config {
	if c.Compatibility == nil {
		l := def
		c.Compatibility = &l
	}
	return c
}

// configInScope is the config that applies to subject, looked up as
// Confluent does (InMemoryCache.config, getConfigInScope):
//   - the subject's own config, laid over the top-level one;
//   - else, for a subject of a non-default context, that context's config
//     (":.ctx:"); for one of the default context (and for "", the top
//     level), the top-level config;
//   - else the ".__GLOBAL" config;
//   - else the defaults.
//
// A subject of a non-default context therefore does not inherit the
// top-level config (PUT /config): set ":.__GLOBAL:" for every context.
// The compatibility level, when none of these sets it, is def.
func (sn *Snapshot) configInScope(subject string, def compat.Level) Config {
	if subject != "" {
		if sc, ok := sn.config(subject); ok {
			return withDefaultLevel(Config{}.merge(sn.global).merge(sc), def)
		}
	}
	if ctx := confluent.ContextOf(subject); subject != "" && ctx != DefaultContext {
		if cc, ok := sn.config(confluent.ContextPrefix(ctx)); ok {
			return withDefaultLevel(cc, def)
		}
	} else if !reflect.DeepEqual(sn.global, Config{}) {
		return withDefaultLevel(sn.global, def)
	}
	if gc, ok := sn.config(globalScope); ok {
		return withDefaultLevel(gc, def)
	}
	return withDefaultLevel(Config{}, def)
}

// modeInScope is the mode that applies to subject, looked up as
// configInScope looks up configs: the subject's, its context's (or the
// top level's for the default context), ".__GLOBAL"'s, READWRITE.
func (sn *Snapshot) modeInScope(subject string) Mode {
	if subject != "" {
		if m, ok := sn.mode(subject); ok {
			return m
		}
	}
	if ctx := confluent.ContextOf(subject); subject != "" && ctx != DefaultContext {
		if m, ok := sn.mode(confluent.ContextPrefix(ctx)); ok {
			return m
		}
	} else if sn.globalMode != "" {
		return sn.globalMode
	}
	if m, ok := sn.mode(globalScope); ok {
		return m
	}
	return ReadWrite
}

// hasLiveSubjects reports whether a live subject falls under scope, as
// Confluent matches subjects to a config or mode scope before IMPORT:
// every subject for the top level ("") and for ".__GLOBAL", the context's
// subjects for a context (":.ctx:"), the subject itself otherwise.
func (sn *Snapshot) hasLiveSubjects(scope string) bool {
	q := confluent.ParseSubject(scope)
	if !q.IsContext() {
		ss := sn.subject(scope)
		return ss != nil && ss.hasLive()
	}
	busy := false
	sn.eachSubject(func(name string, ss *subjectState) bool {
		busy = (scope == "" || q.IsGlobal() || confluent.ContextOf(name) == q.Context) && ss.hasLive()
		return !busy
	})
	return busy
}

// UsingContexts runs read for subject and, when an unqualified subject is
// not found in the default context, for the same name in every other
// context in turn (":.ctx:name"), answering with the first that finds it,
// as Confluent's getUsingContexts and lookUpSchemaUnderSubjectUsingContexts
// do for GET /subjects/{subject}/versions/{version} and POST
// /subjects/{subject}: a client that knows only "orders-value" reads the
// schema a context holds under it. When no context has it, read's error for
// subject itself is returned.
func (s *Service) UsingContexts(subject string, read func(subject string) (Schema, error)) (Schema, error) {
	out, err := read(subject)
	if err == nil || !notFound(err) {
		return out, err
	}
	q := confluent.ParseSubject(subject)
	if !q.IsDefault() || q.IsContext() {
		return out, err
	}
	for _, c := range s.Contexts()[1:] {
		if found, e := read(confluent.Subject{Context: c, Name: q.Name}.String()); e == nil {
			return found, nil
		}
	}
	return out, err
}

func notFound(err error) bool {
	return errors.Is(err, &Error{Code: CodeSubjectNotFound}) || errors.Is(err, &Error{Code: CodeVersionNotFound}) ||
		errors.Is(err, &Error{Code: CodeSchemaNotFound})
}

// SchemaByGUIDAnyContext returns the schema whose identity formats as
// guid, and the context it was found in: the default context first, then
// every other in order, as Confluent's getByGuid does.
func (s *Service) SchemaByGUIDAnyContext(guid string) (Schema, string, error) {
	out, err := s.SchemaByGUIDIn(DefaultContext, guid)
	if err == nil || !notFound(err) {
		return out, DefaultContext, err
	}
	for _, c := range s.Contexts()[1:] {
		if found, e := s.SchemaByGUIDIn(c, guid); e == nil {
			return found, c, nil
		}
	}
	return out, DefaultContext, err
}
