package registry

import (
	"encoding/binary"
	"hash/maphash"
	"slices"
	"sort"
	"strings"
	"unique"

	"github.com/charter-registry/charter/compat"
	"github.com/charter-registry/charter/confluent"
)

// Snapshot is the registry's state after some prefix of the log: every
// subject, version, schema id, config and mode. It never changes once
// published, so a read that asks it several questions (a schema by id,
// its rendering and the highest id) gets answers that belong together, and
// readers take no lock. State publishes a new Snapshot per applied batch;
// the two share every subject, schema and map node the batch left alone
// (see pmap), so a write costs what it changes, not the size of the
// registry.
type Snapshot struct {
	seed     maphash.Seed
	position int64
	skipped  int64
	// subjects holds every subject of every context by its full name
	// (":.ctx:name" for a subject of context ".ctx").
	subjects pmap[string, *subjectState]
	// spaces holds each context's schema ids; "." (the default context)
	// is always there. Few contexts exist, so the map is copied when one
	// is added.
	spaces     map[string]*idSpace
	global     Config
	configs    pmap[string, Config]
	globalMode Mode
	modes      pmap[string, Mode]
	// contexts holds the contexts CONTEXT records created (never ".");
	// see contexts.go. Copied when it changes, which is rare.
	contexts map[string]bool
}

// idSpace is one context's schema ids, as in Confluent Schema Registry:
// ids, the identity to id map, retired identities and the highest id are
// scoped per context, so the same schema registered in two contexts gets
// its id in each independently, and an id is looked up within a context.
type idSpace struct {
	gen        uint64
	ids        pmap[int, idEntry]
	byIdentity pmap[Identity, int]
	// retired maps the identity of each schema that no version holds any
	// more (hard-deleted) to its id, which registering the same schema again
	// gives back.
	retired pmap[Identity, int]
	maxID   int
}

// idEntry is a schema id's content, how many subject versions hold it and
// which subjects those are (soft-deleted versions included).
type idEntry struct {
	sc   *storedSchema
	uses int
	// holders indexes the subjects holding the id, so that a read asking
	// who holds it (the visibility check of a read by id, the listings of
	// /schemas/ids/{id}/subjects and /versions, a read by id in a context)
	// costs the holders, not a walk of every subject.
	holders holderSet
}

// holderSet is the set of subjects holding one schema id, each with the
// number of its versions that do. Most ids have one holder, kept inline
// (its count is the entry's uses); a second holder moves them all into a
// persistent map, so an id held by thousands of subjects (a shared key
// schema) costs a path per change, never a copy of the set. Like every
// part of a Snapshot it is replaced, never changed, once published.
type holderSet struct {
	// one is the only holder while many is nil.
	one  string
	many *pmap[string, int]
}

// each calls fn for every holder, in no particular order, until fn
// returns false.
func (h holderSet) each(fn func(subject string) bool) {
	if h.many == nil {
		if h.one != "" {
			fn(h.one)
		}
		return
	}
	h.many.each(func(subject string, _ int) bool { return fn(subject) })
}

// len returns the number of holders.
func (h holderSet) len() int {
	if h.many != nil {
		return h.many.Len()
	}
	if h.one != "" {
		return 1
	}
	return 0
}

// subjectState is one subject's versions, oldest first. It is replaced,
// never changed, once published.
type subjectState struct {
	gen      uint64
	versions []versionState
}

// versionState is one version of a subject. Its schema id is its
// schema's (id): a registry holds one per version, so it is kept to 32
// bytes.
type versionState struct {
	version   int
	timestamp int64
	// schema is the content the version's id names in the subject's
	// context; never nil.
	schema  *storedSchema
	deleted bool
}

// id returns the version's schema id.
func (vs *versionState) id() int {
	if vs.schema == nil {
		return 0
	}
	return vs.schema.id()
}

// storedSchema is one schema id's content, shared by every subject version
// that holds the schema. Parsing happens on first use, and the parsed form
// lives in the Service's bounded parseCache, not here: replay only decodes
// records, so a restart does not pay for parsing every schema, and memory
// does not grow with every schema a compatibility check ever parsed.
//
// A registry holds one per schema id, so it is kept to 48 bytes: what few
// schemas have (references, metadata, a rule set, a context other than
// the default, an interned text, a type other than the three built-in
// ones, an id beyond 32 bits) is behind one optional pointer, and the
// accessors below read it.
type storedSchema struct {
	// body is the text, or when packed is set the text packed
	// (packtext.go).
	body     string
	identity Identity
	more     *schemaMore
	id32     int32
	// kind is the schema type: one of kinds, or 0 for more.typ.
	kind   uint8
	packed bool
}

// schemaMore is the part of a storedSchema that most schemas lack.
type schemaMore struct {
	refs     []Reference
	metadata *Metadata
	ruleSet  *RuleSet
	// interned keeps a large text's one copy alive: every stored schema
	// with the same text of internBytes or more, in any subject, context
	// or id (other metadata, say), shares it (unique.Make), so subjects
	// holding one large schema under different ids hold its text once.
	interned unique.Handle[string]
	// ctx is the context of the id space holding the schema when it is
	// not the default one: its references resolve there
	// (confluent.InContext).
	ctx string
	typ compat.Type
	id  int
}

// kinds are the schema types a storedSchema names without schemaMore
// (index 0 is unused).
var kinds = [...]compat.Type{"", compat.Avro, compat.Protobuf, compat.JSON}

// newStoredSchema returns the stored form of a schema's content; ctx is
// the context of the id space holding it, packed the text packed when
// it is (packText; "" otherwise).
func newStoredSchema(id int, typ compat.Type, text, packed string, refs []Reference, md *Metadata, rs *RuleSet, identity Identity, ctx string) *storedSchema {
	sc := &storedSchema{body: text, identity: identity}
	if packed != "" {
		sc.body, sc.packed = packed, true
	}
	var more schemaMore
	need := false
	if int(int32(id)) == id {
		sc.id32 = int32(id)
	} else {
		more.id, need = id, true
	}
	for k := 1; k < len(kinds); k++ {
		if kinds[k] == typ {
			sc.kind = uint8(k)
		}
	}
	if sc.kind == 0 {
		more.typ, need = typ, true
	}
	if len(refs) > 0 || md != nil || rs != nil {
		more.refs, more.metadata, more.ruleSet, need = refs, md, rs, true
	}
	if ctx != DefaultContext {
		more.ctx, need = ctx, true
	}
	if len(text) >= internBytes && packed == "" {
		more.interned, need = unique.Make(text), true
		sc.body = more.interned.Value()
	}
	if need {
		// A copy: more itself stays on the stack for the schemas (most)
		// that need none.
		sc.more = new(schemaMore)
		*sc.more = more
	}
	return sc
}

// id returns the schema's id.
func (sc *storedSchema) id() int {
	if sc.more != nil && sc.more.id != 0 {
		return sc.more.id
	}
	return int(sc.id32)
}

// typ returns the schema's type.
func (sc *storedSchema) typ() compat.Type {
	if sc.kind == 0 {
		if sc.more == nil {
			return ""
		}
		return sc.more.typ
	}
	return kinds[sc.kind]
}

// text returns the schema's text; a packed one is unpacked, into a new
// string each time.
func (sc *storedSchema) text() string {
	if sc.packed {
		return unpackText(sc.body)
	}
	return sc.body
}

// textIs reports whether the schema's text is s, unpacking it only when
// the lengths agree.
func (sc *storedSchema) textIs(s string) bool {
	if !sc.packed {
		return sc.body == s
	}
	return packedLen(sc.body) == len(s) && unpackText(sc.body) == s
}

// refs returns the schema's references (shared: not to be changed).
func (sc *storedSchema) refs() []Reference {
	if sc.more == nil {
		return nil
	}
	return sc.more.refs
}

// metadata returns the schema's metadata, nil when it has none (shared:
// not to be changed).
func (sc *storedSchema) metadata() *Metadata {
	if sc.more == nil {
		return nil
	}
	return sc.more.metadata
}

// ruleSet returns the schema's rule set, nil when it has none (shared:
// not to be changed).
func (sc *storedSchema) ruleSet() *RuleSet {
	if sc.more == nil {
		return nil
	}
	return sc.more.ruleSet
}

// ctx returns the context of the id space holding the schema.
func (sc *storedSchema) ctx() string {
	if sc.more == nil || sc.more.ctx == "" {
		return DefaultContext
	}
	return sc.more.ctx
}

// DefaultContext is the context of every subject that names none.
const DefaultContext = confluent.DefaultContext

// contextOf returns the context a subject belongs to, as Confluent's
// QualifiedSubject reads it: ":.ctx:name" (and ":.ctx" alone) is in
// ".ctx", ":.:name" and every unqualified name in the default context.
func contextOf(subject string) string { return confluent.ContextOf(subject) }

// emptySpace answers lookups in a context that holds nothing.
var emptySpace = &idSpace{}

func newSnapshot() *Snapshot {
	return &Snapshot{seed: maphash.MakeSeed(), spaces: map[string]*idSpace{DefaultContext: {}}}
}

func (sn *Snapshot) strHash(s string) uint64 { return maphash.String(sn.seed, s) }

// idHash orders an id's bits for the trie, which takes 5 bits per level
// from the low end: bits 15-19 first, then 10-14, 5-9 and 0-4, then the
// rest. Ids are handed out in sequence, so consecutive ids share a leaf:
// a replay or a run of registrations keeps changing the same few nodes
// (hot in cache, and edited in place within a generation) instead of a
// different path per id. Distinct 32-bit ids keep distinct hashes.
func idHash(id int) uint64 {
	u := uint64(uint32(id))
	return u>>15&pmapMask | (u>>10&pmapMask)<<5 | (u>>5&pmapMask)<<10 | (u&pmapMask)<<15 | u>>20<<20
}

func identHash(ident Identity) uint64 { return binary.LittleEndian.Uint64(ident[:8]) }

// Position returns the offset after the last record the snapshot holds.
func (sn *Snapshot) Position() int64 { return sn.position }

func (sn *Snapshot) subject(name string) *subjectState {
	ss, _ := sn.subjects.get(sn.strHash(name), name)
	return ss
}

// subjectNames returns every subject's name, sorted.
func (sn *Snapshot) subjectNames() []string {
	out := make([]string, 0, sn.subjects.Len())
	sn.subjects.each(func(name string, _ *subjectState) bool {
		out = append(out, name)
		return true
	})
	sort.Strings(out)
	return out
}

// eachSubject calls fn for every subject, in no particular order.
func (sn *Snapshot) eachSubject(fn func(name string, ss *subjectState) bool) {
	sn.subjects.each(fn)
}

func (sn *Snapshot) config(subject string) (Config, bool) {
	return sn.configs.get(sn.strHash(subject), subject)
}

func (sn *Snapshot) mode(subject string) (Mode, bool) {
	return sn.modes.get(sn.strHash(subject), subject)
}

// space returns the id space of context ctx, empty when the context holds
// nothing yet.
func (sn *Snapshot) space(ctx string) *idSpace {
	if sp := sn.spaces[ctx]; sp != nil {
		return sp
	}
	return emptySpace
}

// schema returns the content of id in the space.
func (sp *idSpace) schema(id int) *storedSchema {
	e, _ := sp.ids.get(idHash(id), id)
	return e.sc
}

func (sp *idSpace) idOf(ident Identity) (int, bool) {
	return sp.byIdentity.get(identHash(ident), ident)
}

func (sp *idSpace) retiredID(ident Identity) (int, bool) {
	return sp.retired.get(identHash(ident), ident)
}

// uses returns how many subject versions hold id.
func (sp *idSpace) uses(id int) int {
	e, _ := sp.ids.get(idHash(id), id)
	return e.uses
}

// eachHolder calls fn for every subject holding id (soft-deleted versions
// included), in no particular order, until fn returns false.
func (sp *idSpace) eachHolder(id int, fn func(subject string) bool) {
	e, _ := sp.ids.get(idHash(id), id)
	e.holders.each(fn)
}

// version returns version v, or nil.
func (ss *subjectState) version(v int) *versionState {
	i, ok := slices.BinarySearchFunc(ss.versions, v, func(x versionState, v int) int { return x.version - v })
	if !ok {
		return nil
	}
	return &ss.versions[i]
}

// latest returns the newest version, live or (when deleted) any.
func (ss *subjectState) latest(deleted bool) *versionState {
	for i := len(ss.versions) - 1; i >= 0; i-- {
		if vs := &ss.versions[i]; deleted || !vs.deleted {
			return vs
		}
	}
	return nil
}

func (ss *subjectState) hasLive() bool { return ss.latest(false) != nil }

// newest returns the highest version number, 0 when there is none.
func (ss *subjectState) newest() int {
	if ss == nil || len(ss.versions) == 0 {
		return 0
	}
	return ss.versions[len(ss.versions)-1].version
}

func hasContextPrefix(s string) bool { return strings.HasPrefix(s, ":.") }
