package registry

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/charter-registry/charter/storage"
)

// State is the registry's in-memory state, derived only from the records of
// the log. Apply is the one way it changes; replaying the same records
// always gives the same State. It is safe for concurrent use.
//
// The registry's own data is an immutable Snapshot behind an atomic
// pointer: Snapshot returns the current one, and every read works on the
// one it got, without a lock. Apply and ApplyBatch build the next snapshot
// and publish it under mu, which Extensions (governance, the DEK
// registry) apply under too; a reader of an extension's data takes mu's
// read lock, and while it holds it the published snapshot does not change
// either.
type State struct {
	mu  sync.RWMutex
	cur atomic.Pointer[Snapshot]
	// gen numbers the builders: every applied batch and every speculative
	// one gets its own, so none changes another's nodes.
	gen atomic.Uint64
	ext map[KeyType]Extension
	// held is a replay's snapshot not yet published (applyBatch).
	held *builder
	// applied is the position after the last applied record, published
	// or held (Applied).
	applied atomic.Int64
}

// Extension applies records of keytypes that are not the registry's own
// (governance, audit). It runs under State's write lock.
type Extension interface {
	Apply(k Key, value []byte, offset int64) error
	// Digest feeds the extension's state into a digest, in a deterministic order.
	Digest(w func([]byte))
}

// NewState returns an empty state.
func NewState() *State {
	st := &State{ext: map[KeyType]Extension{}}
	st.cur.Store(newSnapshot())
	return st
}

// Register adds an extension for keytype kt. Call it before the first Apply.
func (st *State) Register(kt KeyType, e Extension) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.ext[kt] = e
}

// Snapshot returns the state as of the last applied batch.
func (st *State) Snapshot() *Snapshot { return st.cur.Load() }

// Position returns the offset after the last record of the published
// snapshot.
func (st *State) Position() int64 { return st.cur.Load().position }

// Applied returns the offset after the last applied record, including
// those of a replay's snapshot not yet published: how far a replay has
// come. Reads and waits go by Position.
func (st *State) Applied() int64 { return max(st.applied.Load(), st.Position()) }

// Apply applies one record. A record that cannot be decoded is skipped and
// counted, never fatal: one bad record must not stop a registry from
// serving everything else. Apply returns the decode error for logging.
func (st *State) Apply(r storage.Record) error {
	d := []Decoded{Decode(r)}
	if errs := st.ApplyBatch(d); len(errs) > 0 {
		return errs[0]
	}
	return nil
}

// Decoded is a record whose key, and for SCHEMA records value and content
// identity, have been decoded. Decoding needs no lock and no state, so a
// replay decodes records in parallel and applies them in order.
type Decoded struct {
	rec storage.Record
	key Key
	err error
	// hasSchema says schema holds the decoded value of a SCHEMA record
	// (held in place, not behind a pointer: one allocation less per
	// record).
	hasSchema bool
	schema    schemaValue
	identity  Identity
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
	// The text may point into r.Value or a scratch buffer: packed, it is
	// dropped, else copied below.
	scratch, _ := decodeScratch.Get().(*[]byte)
	if scratch == nil {
		scratch = new([]byte)
	}
	defer func() {
		if cap(*scratch) <= internBytes {
			decodeScratch.Put(scratch)
		}
	}()
	v, ok := decodeSchemaValue(r.Value, d.key.Subject, scratch)
	borrowed := ok
	if !ok {
		slow := new(schemaValue)
		if err := json.Unmarshal(r.Value, slow); err != nil {
			d.err = fmt.Errorf("decode SCHEMA value: %w", err)
			return d
		}
		v = *slow
	}
	d.schema, d.hasSchema = v, true
	d.identity = schemaIdentity(&d.schema)
	var packed bool
	switch d.schema.packed, packed = packText(d.schema.Schema); {
	case packed:
		// The applied record keeps only the packed text (retain).
		d.schema.Schema = ""
	case borrowed:
		d.schema.Schema = strings.Clone(d.schema.Schema)
	}
	return d
}

// decodeScratch holds Decode's buffers for unescaping schema texts.
var decodeScratch sync.Pool

// schemaIdentity is ComputeIdentity of v's content. A schema without
// references, metadata or rule set (most of them) is named by the MD5 of
// its text alone, which is summed here without copying the text.
func schemaIdentity(v *schemaValue) Identity {
	if len(v.References) == 0 && v.Metadata == nil && v.RuleSet == nil {
		return md5.Sum(unsafe.Slice(unsafe.StringData(v.Schema), len(v.Schema)))
	}
	return ComputeIdentity(v.Schema, v.References, v.Metadata, v.RuleSet)
}

// ApplyBatch applies decoded records in order, publishes the snapshot they
// make, and returns the errors of the records it skipped.
func (st *State) ApplyBatch(ds []Decoded) []error {
	errs, _ := st.applyBatch(ds, false)
	return errs
}

// applyBatch applies ds and publishes the snapshot, unless hold: then the
// snapshot stays with the State, unpublished and still writable, and the
// next batch continues it, so that a replay, which nobody reads until it
// has caught up, copies each node once per many batches rather than once
// per batch. It returns the skipped records' errors and the position the
// records reach.
func (st *State) applyBatch(ds []Decoded, hold bool) ([]error, int64) {
	st.mu.Lock()
	defer st.mu.Unlock()
	b := st.held
	if b == nil {
		b = newBuilder(st.cur.Load(), st.gen.Add(1))
	}
	ext := func(k Key, value []byte, offset int64) error {
		if e, ok := st.ext[k.Type]; ok {
			return e.Apply(k, value, offset)
		}
		return nil
	}
	b.bulk = hold
	var errs []error
	for i := range ds {
		if err := b.apply(&ds[i], ext); err != nil {
			errs = append(errs, err)
		}
	}
	st.held = nil
	if hold {
		st.held = b
	} else {
		st.cur.Store(b.snapshot())
	}
	st.applied.Store(b.sn.position)
	return errs, b.sn.position
}

// publish publishes the snapshot applyBatch held, if any.
func (st *State) publish() {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.held != nil {
		st.cur.Store(st.held.snapshot())
		st.held = nil
	}
}

// speculate applies recs to b, leaving extensions alone and publishing
// nothing, and returns what the state will be once they are applied, for
// deciding the next write of a group before they are (write.go). b is the
// group's own builder (newBuilder(base, st.gen.Add(1))), kept for the
// whole group, so each trie node the group changes is copied once per
// group instead of once per write: the snapshot it returns changes with
// the next speculate on b, and is read only by the group's next decision,
// which runs after the one before it has returned.
func (st *State) speculate(b *builder, recs []storage.Record) *Snapshot {
	for _, r := range recs {
		d := Decode(r)
		_ = b.apply(&d, nil)
	}
	return b.sn
}

// extended reports whether recs hold a record an Extension applies, other
// than audit entries: the speculation of a group does not carry those.
func (st *State) extended(recs []storage.Record) bool {
	st.mu.RLock()
	defer st.mu.RUnlock()
	for _, r := range recs {
		if k, err := DecodeKey(r.Key); err == nil && k.Type != KeyAudit {
			if _, ok := st.ext[k.Type]; ok {
				return true
			}
		}
	}
	return false
}

// Digest returns a SHA-256 over the whole state in a canonical order:
// subjects, versions, ids, deleted flags, schema content, configs, modes,
// and every extension's state (teams, topics and the audit trail). Two
// instances that applied the same records report the same digest.
func (st *State) Digest() string {
	st.mu.RLock()
	defer st.mu.RUnlock()
	sn := st.cur.Load()
	h := sha256.New()
	w := func(b []byte) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	ws := func(s string) { w([]byte(s)) }
	wi := func(i int) { ws(fmt.Sprint(i)) }
	for _, name := range sn.subjectNames() {
		ss := sn.subject(name)
		ws(name)
		for _, vs := range ss.versions {
			wi(vs.version)
			wi(vs.id())
			ws(fmt.Sprint(vs.deleted))
		}
	}
	sn.spaces[DefaultContext].digest(w)
	// Other contexts only when there are any: digests of states with the
	// default context alone stay what they were before ids were scoped.
	for _, name := range sortedKeys(sn.spaces) {
		if name == DefaultContext {
			continue
		}
		ws("context")
		ws(name)
		sn.spaces[name].digest(w)
	}
	gc, _ := json.Marshal(sn.global)
	w(gc)
	configs := map[string]Config{}
	sn.configs.each(func(k string, c Config) bool { configs[k] = c; return true })
	for _, k := range sortedKeys(configs) {
		c, _ := json.Marshal(configs[k])
		ws(k)
		w(c)
	}
	ws(string(sn.globalMode))
	modes := map[string]Mode{}
	sn.modes.each(func(k string, m Mode) bool { modes[k] = m; return true })
	for _, k := range sortedKeys(modes) {
		ws(k)
		ws(string(modes[k]))
	}
	sn.digestContexts(ws)
	for _, kt := range sortedKeys(extByName(st.ext)) {
		ws(kt)
		st.ext[KeyType(kt)].Digest(w)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

func (sp *idSpace) digest(w func([]byte)) {
	ws := func(s string) { w([]byte(s)) }
	wi := func(i int) { ws(fmt.Sprint(i)) }
	ids := make([]int, 0, sp.ids.Len())
	sp.ids.each(func(id int, _ idEntry) bool { ids = append(ids, id); return true })
	sort.Ints(ids)
	for _, id := range ids {
		s := sp.schema(id)
		wi(id)
		ws(string(s.typ()))
		w(s.identity[:])
	}
	wi(sp.maxID)
	if sp.retired.Len() > 0 {
		// Only when there is something: digests of states without
		// hard-deleted schemas stay what they were before ids were kept.
		ws("retired")
		type kept struct {
			ident Identity
			id    int
		}
		var all []kept
		sp.retired.each(func(ident Identity, id int) bool { all = append(all, kept{ident, id}); return true })
		slices.SortFunc(all, func(a, b kept) int { return bytes.Compare(a.ident[:], b.ident[:]) })
		for _, k := range all {
			w(k.ident[:])
			wi(k.id)
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
	sn := st.cur.Load()
	sn.eachSubject(func(_ string, ss *subjectState) bool {
		versions += len(ss.versions)
		if ss.hasLive() {
			subjects++
		}
		return true
	})
	for _, sp := range sn.spaces {
		schemas += sp.ids.Len()
	}
	return subjects, schemas, versions
}

// Skipped returns how many records could not be decoded.
func (st *State) Skipped() int64 { return st.cur.Load().skipped }
