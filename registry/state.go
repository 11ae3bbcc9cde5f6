package registry

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/confluent"
	"github.com/charter-registry/charter/storage"
)

// State is the registry's in-memory state, derived only from the records of
// the log. Apply is the one way it changes; replaying the same records
// always gives the same State. It is safe for concurrent use: Apply takes a
// write lock, every reader a read lock.
type State struct {
	mu sync.RWMutex
	// subjects holds every subject of every context by its full name
	// (":.ctx:name" for a subject of context ".ctx").
	subjects map[string]*subjectState
	// spaces holds each context's schema ids; "." (the default context)
	// is always there.
	spaces     map[string]*idSpace
	global     Config
	configs    map[string]Config
	globalMode Mode
	modes      map[string]Mode
	// contexts holds the contexts CONTEXT records created (never ".");
	// see contexts.go.
	contexts map[string]bool
	// position is the offset after the last record applied.
	position int64
	// skipped counts records that could not be decoded.
	skipped int64
	ext     map[KeyType]Extension
}

// Extension applies records of keytypes that are not the registry's own
// (governance, audit). It runs under State's write lock.
type Extension interface {
	Apply(k Key, value []byte, offset int64) error
	// Digest feeds the extension's state into a digest, in a deterministic order.
	Digest(w func([]byte))
}

// idSpace is one context's schema ids, as in Confluent Schema Registry:
// ids, the identity to id map, retired identities and the highest id are
// scoped per context, so the same schema registered in two contexts gets
// its id in each independently, and an id is looked up within a context.
type idSpace struct {
	ids        map[int]*storedSchema
	byIdentity map[Identity]int
	// retired maps the identity of each schema that no version holds any
	// more (hard-deleted) to its id, which registering the same schema again
	// gives back.
	retired map[Identity]int
	maxID   int
}

func newIDSpace() *idSpace {
	return &idSpace{ids: map[int]*storedSchema{}, byIdentity: map[Identity]int{}, retired: map[Identity]int{}}
}

// emptySpace answers lookups in a context that holds nothing; it is never
// written to.
var emptySpace = newIDSpace()

// DefaultContext is the context of every subject that names none.
const DefaultContext = "."

// contextOf returns the context a subject belongs to, as Confluent's
// QualifiedSubject reads it: ":.ctx:name" (and ":.ctx" alone) is in
// ".ctx", ":.:name" and every unqualified name in the default context.
func contextOf(subject string) string {
	if !strings.HasPrefix(subject, ":.") {
		return DefaultContext
	}
	rest := subject[2:]
	if i := strings.IndexByte(rest, ':'); i >= 0 {
		return subject[1 : 2+i]
	}
	return subject[1:]
}

// space returns the id space of context ctx, empty when the context holds
// nothing yet. Call it under the lock, and never write to what it returns
// for a context that does not exist; writers use spaceOf.
func (st *State) space(ctx string) *idSpace {
	if sp := st.spaces[ctx]; sp != nil {
		return sp
	}
	return emptySpace
}

// spaceOf returns the id space of ctx, creating it.
func (st *State) spaceOf(ctx string) *idSpace {
	sp := st.spaces[ctx]
	if sp == nil {
		sp = newIDSpace()
		st.spaces[ctx] = sp
	}
	return sp
}

type subjectState struct {
	versions map[int]*versionState
	sorted   []int
}

type versionState struct {
	version   int
	id        int
	deleted   bool
	timestamp int64
	// schema is the content id names in the subject's context.
	schema *storedSchema
}

// storedSchema is one schema id's content, shared by every subject version
// that holds the schema. Parsing happens on first use, and the parsed form
// lives in the Service's bounded parseCache, not here: replay only decodes
// records, so a restart does not pay for parsing every schema, and memory
// does not grow with every schema a compatibility check ever parsed.
type storedSchema struct {
	id       int
	typ      compat.Type
	text     string
	refs     []Reference
	metadata *Metadata
	ruleSet  *RuleSet
	identity Identity
	uses     int
	// ctx is the context of the id space holding the schema: its
	// references resolve there (confluent.InContext).
	ctx string
}

// NewState returns an empty state.
func NewState() *State {
	return &State{
		subjects: map[string]*subjectState{},
		spaces:   map[string]*idSpace{DefaultContext: newIDSpace()},
		configs:  map[string]Config{},
		modes:    map[string]Mode{},
		contexts: map[string]bool{},
		ext:      map[KeyType]Extension{},
	}
}

// Register adds an extension for keytype kt. Call it before the first Apply.
func (st *State) Register(kt KeyType, e Extension) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.ext[kt] = e
}

// Position returns the offset after the last applied record.
func (st *State) Position() int64 {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return st.position
}

// Apply applies one record. A record that cannot be decoded is skipped and
// counted, never fatal: one bad record must not stop a registry from
// serving everything else. Apply returns the decode error for logging.
func (st *State) Apply(r storage.Record) error {
	d := Decode(r)
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.applyDecoded(&d)
}

// Decoded is a record whose key, and for SCHEMA records value and content
// identity, have been decoded. Decoding needs no lock and no state, so a
// replay decodes records in parallel and applies them in order.
type Decoded struct {
	rec      storage.Record
	key      Key
	err      error
	schema   *schemaValue
	identity Identity
}

// Decode decodes r without touching any state.
func Decode(r storage.Record) Decoded {
	d := Decoded{rec: r}
	if r.Control {
		return d
	}
	d.key, d.err = DecodeKey(r.Key)
	if d.err != nil || d.key.Type != KeySchema || r.Value == nil {
		return d
	}
	var v schemaValue
	if err := json.Unmarshal(r.Value, &v); err != nil {
		d.err = fmt.Errorf("decode SCHEMA value: %w", err)
		return d
	}
	d.schema = &v
	d.identity = ComputeIdentity(v.Schema, v.References, v.Metadata, v.RuleSet)
	return d
}

// ApplyBatch applies decoded records in order under one lock and returns
// the errors of the records it skipped.
func (st *State) ApplyBatch(ds []Decoded) []error {
	st.mu.Lock()
	defer st.mu.Unlock()
	var errs []error
	for i := range ds {
		if err := st.applyDecoded(&ds[i]); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

func (st *State) applyDecoded(d *Decoded) error {
	r := d.rec
	if r.Offset+1 > st.position {
		st.position = r.Offset + 1
	}
	if r.Control {
		return nil
	}
	err := d.err
	if err == nil && d.schema != nil {
		err = st.applySchema(d.key, *d.schema, d.identity)
	} else if err == nil {
		err = st.apply(d.key, r.Value, r.Offset)
	}
	if err != nil {
		st.skipped++
		return fmt.Errorf("record at offset %d: %w", r.Offset, err)
	}
	return nil
}

func (st *State) apply(k Key, value []byte, offset int64) error {
	switch k.Type {
	case KeySchema:
		if value == nil {
			st.removeVersion(k.Subject, k.Version)
			return nil
		}
		d := Decode(storage.Record{Offset: offset, Key: k.Encode(), Value: value})
		if d.err != nil {
			return d.err
		}
		return st.applySchema(k, *d.schema, d.identity)
	case KeyConfig:
		if value == nil {
			if k.Global {
				st.global = Config{}
			} else {
				delete(st.configs, k.Subject)
			}
			return nil
		}
		var c Config
		if err := json.Unmarshal(value, &c); err != nil {
			return fmt.Errorf("decode CONFIG value: %w", err)
		}
		if k.Global {
			st.global = c
		} else {
			st.configs[k.Subject] = c
		}
	case KeyMode:
		if value == nil {
			if k.Global {
				st.globalMode = ""
			} else {
				delete(st.modes, k.Subject)
			}
			return nil
		}
		var m modeValue
		if err := json.Unmarshal(value, &m); err != nil {
			return fmt.Errorf("decode MODE value: %w", err)
		}
		if k.Global {
			st.globalMode = m.Mode
		} else {
			st.modes[k.Subject] = m.Mode
		}
	case KeyDeleteSubject:
		if value == nil {
			return nil
		}
		var d deleteSubjectValue
		if err := json.Unmarshal(value, &d); err != nil {
			return fmt.Errorf("decode DELETE_SUBJECT value: %w", err)
		}
		if ss := st.subjects[k.Subject]; ss != nil {
			for _, vs := range ss.versions {
				if vs.version <= d.Version {
					vs.deleted = true
				}
			}
		}
	case KeyClearSubject:
		if value == nil {
			return nil
		}
		if ss := st.subjects[k.Subject]; ss != nil {
			for _, v := range append([]int(nil), ss.sorted...) {
				if ss.versions[v].deleted {
					st.removeVersion(k.Subject, v)
				}
			}
		}
	case KeyIDFloor:
		if value == nil {
			return nil
		}
		var f idFloorValue
		if err := json.Unmarshal(value, &f); err != nil {
			return fmt.Errorf("decode ID_FLOOR value: %w", err)
		}
		sp := st.spaceOf(DefaultContext)
		if !k.Global && k.Subject != "" {
			sp = st.spaceOf(k.Subject)
		}
		sp.maxID = max(sp.maxID, f.MaxID)
	case KeySchemaID:
		if value == nil {
			return nil
		}
		var v schemaIDValue
		if err := json.Unmarshal(value, &v); err != nil {
			return fmt.Errorf("decode SCHEMA_ID value: %w", err)
		}
		ctx, guid := splitSchemaIDSubject(k.Subject)
		ident, ok := ParseIdentity(guid)
		if !ok || v.ID <= 0 {
			return fmt.Errorf("SCHEMA_ID record for %q with id %d: not a guid and a positive id", k.Subject, v.ID)
		}
		sp := st.spaceOf(ctx)
		if _, live := sp.byIdentity[ident]; !live && sp.ids[v.ID] == nil {
			sp.retired[ident] = v.ID
		}
		sp.maxID = max(sp.maxID, v.ID)
	case KeyContext:
		st.applyContext(k, value)
	case KeyNoop:
	default:
		if e, ok := st.ext[k.Type]; ok {
			return e.Apply(k, value, offset)
		}
		// Unknown keytypes (a newer Confluent's CONTEXT, say) are ignored so
		// that a topic written by another registry still replays.
	}
	return nil
}

// applySchema applies a decoded SCHEMA record.
func (st *State) applySchema(k Key, v schemaValue, identity Identity) error {
	if v.Subject == "" {
		v.Subject = k.Subject
	}
	if v.Version == 0 {
		v.Version = k.Version
	}
	if v.Subject != k.Subject || v.Version != k.Version {
		return fmt.Errorf("SCHEMA key names %s/%d but value names %s/%d", k.Subject, k.Version, v.Subject, v.Version)
	}
	if v.ID <= 0 {
		return fmt.Errorf("SCHEMA value for %s/%d has no id", v.Subject, v.Version)
	}
	st.putVersion(v, identity)
	return nil
}

func (st *State) putVersion(v schemaValue, identity Identity) {
	sp := st.spaceOf(contextOf(v.Subject))
	ss := st.subjects[v.Subject]
	if ss == nil {
		ss = &subjectState{versions: map[int]*versionState{}}
		st.subjects[v.Subject] = ss
	}
	if old := ss.versions[v.Version]; old != nil {
		if old.id != v.ID {
			sp.release(old.id, false)
			old.schema = sp.retain(v, identity)
		}
		old.id, old.deleted = v.ID, v.Deleted
		if v.Timestamp != 0 {
			old.timestamp = v.Timestamp
		}
		return
	}
	sc := sp.retain(v, identity)
	ss.versions[v.Version] = &versionState{version: v.Version, id: v.ID, deleted: v.Deleted, timestamp: v.Timestamp, schema: sc}
	i := sort.SearchInts(ss.sorted, v.Version)
	ss.sorted = append(ss.sorted, 0)
	copy(ss.sorted[i+1:], ss.sorted[i:])
	ss.sorted[i] = v.Version
}

func (sp *idSpace) retain(v schemaValue, identity Identity) *storedSchema {
	s := sp.ids[v.ID]
	if s == nil {
		typ := confluent.TypeOrAvro(v.SchemaType)
		s = &storedSchema{id: v.ID, typ: typ, text: v.Schema, refs: v.References, metadata: v.Metadata, ruleSet: v.RuleSet, ctx: contextOf(v.Subject)}
		s.identity = identity
		sp.ids[v.ID] = s
		if _, taken := sp.byIdentity[s.identity]; !taken {
			sp.byIdentity[s.identity] = v.ID
		}
		delete(sp.retired, s.identity)
	}
	s.uses++
	sp.maxID = max(sp.maxID, v.ID)
	return s
}

// release drops one use of id. When a hard delete (retire) drops the last,
// the schema's identity keeps the id for a later registration of the same
// schema; the delete's SCHEMA_ID record says the same for after compaction.
func (sp *idSpace) release(id int, retire bool) {
	s := sp.ids[id]
	if s == nil {
		return
	}
	s.uses--
	if s.uses > 0 {
		return
	}
	delete(sp.ids, id)
	if sp.byIdentity[s.identity] == id {
		delete(sp.byIdentity, s.identity)
		if retire {
			sp.retired[s.identity] = id
		}
	}
}

func (st *State) removeVersion(subject string, version int) {
	ss := st.subjects[subject]
	if ss == nil {
		return
	}
	vs := ss.versions[version]
	if vs == nil {
		return
	}
	delete(ss.versions, version)
	i := sort.SearchInts(ss.sorted, version)
	ss.sorted = append(ss.sorted[:i], ss.sorted[i+1:]...)
	st.spaceOf(contextOf(subject)).release(vs.id, true)
	if len(ss.versions) == 0 {
		delete(st.subjects, subject)
	}
}

// splitSchemaIDSubject reads a SCHEMA_ID key's subject: a bare guid in the
// default context, ":.ctx:guid" in another.
func splitSchemaIDSubject(s string) (ctx, guid string) {
	ctx = contextOf(s)
	if ctx == DefaultContext && !strings.HasPrefix(s, ":.:") {
		return ctx, s
	}
	return ctx, s[len(ctx)+2:]
}

// schemaIDSubject is the subject of the SCHEMA_ID key for ident in ctx.
func schemaIDSubject(ctx string, ident Identity) string {
	if ctx == DefaultContext {
		return ident.String()
	}
	return ":" + ctx + ":" + ident.String()
}

// Digest returns a SHA-256 over the whole state in a canonical order:
// subjects, versions, ids, deleted flags, schema content, configs, modes,
// and every extension's state (teams, topics and the audit trail). Two
// instances that applied the same records report the same digest.
func (st *State) Digest() string {
	st.mu.RLock()
	defer st.mu.RUnlock()
	h := sha256.New()
	w := func(b []byte) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	ws := func(s string) { w([]byte(s)) }
	wi := func(i int) { ws(fmt.Sprint(i)) }
	for _, name := range sortedKeys(st.subjects) {
		ss := st.subjects[name]
		ws(name)
		for _, v := range ss.sorted {
			vs := ss.versions[v]
			wi(v)
			wi(vs.id)
			ws(fmt.Sprint(vs.deleted))
		}
	}
	st.spaces[DefaultContext].digest(w)
	// Other contexts only when there are any: digests of states with the
	// default context alone stay what they were before ids were scoped.
	for _, name := range sortedKeys(st.spaces) {
		if name == DefaultContext {
			continue
		}
		ws("context")
		ws(name)
		st.spaces[name].digest(w)
	}
	gc, _ := json.Marshal(st.global)
	w(gc)
	for _, k := range sortedKeys(st.configs) {
		c, _ := json.Marshal(st.configs[k])
		ws(k)
		w(c)
	}
	ws(string(st.globalMode))
	for _, k := range sortedKeys(st.modes) {
		ws(k)
		ws(string(st.modes[k]))
	}
	st.digestContexts(ws)
	for _, kt := range sortedKeys(extByName(st.ext)) {
		ws(kt)
		st.ext[KeyType(kt)].Digest(w)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

func (sp *idSpace) digest(w func([]byte)) {
	ws := func(s string) { w([]byte(s)) }
	wi := func(i int) { ws(fmt.Sprint(i)) }
	ids := make([]int, 0, len(sp.ids))
	for id := range sp.ids {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	for _, id := range ids {
		s := sp.ids[id]
		wi(id)
		ws(string(s.typ))
		w(s.identity[:])
	}
	wi(sp.maxID)
	if len(sp.retired) > 0 {
		// Only when there is something: digests of states without
		// hard-deleted schemas stay what they were before ids were kept.
		ws("retired")
		idents := make([]Identity, 0, len(sp.retired))
		for ident := range sp.retired {
			idents = append(idents, ident)
		}
		slices.SortFunc(idents, func(a, b Identity) int { return bytes.Compare(a[:], b[:]) })
		for _, ident := range idents {
			w(ident[:])
			wi(sp.retired[ident])
		}
	}
}

func extByName(m map[KeyType]Extension) map[string]Extension {
	out := make(map[string]Extension, len(m))
	for k, v := range m {
		out[string(k)] = v
	}
	return out
}

// Counts reports the number of live subjects, schema ids and subject
// versions (soft-deleted ones included), for metrics.
func (st *State) Counts() (subjects, schemas, versions int) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	for _, ss := range st.subjects {
		versions += len(ss.versions)
		live := false
		for _, vs := range ss.versions {
			if !vs.deleted {
				live = true
				break
			}
		}
		if live {
			subjects++
		}
	}
	for _, sp := range st.spaces {
		schemas += len(sp.ids)
	}
	return subjects, schemas, versions
}

// Skipped returns how many records could not be decoded.
func (st *State) Skipped() int64 {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return st.skipped
}

func hasContextPrefix(s string) bool { return strings.HasPrefix(s, ":.") }
