package registry

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/charter-registry/charter/confluent"
	"github.com/charter-registry/charter/storage"
)

// builder makes the next Snapshot from one: it applies records to a
// shallow copy whose maps share their nodes with the old snapshot, and
// changes in place only what it created itself (everything of its
// generation), so the old snapshot stays as it was.
type builder struct {
	gen uint64
	sn  *Snapshot
	// ownSpaces is set once sn.spaces is a copy of this builder's.
	ownSpaces bool
	// applied counts the records applied; from ownAfter on, own indexes
	// the subjects of this generation, so that a long builder (a replay)
	// finds a subject it already holds with one map lookup instead of a
	// walk down the subjects' trie.
	applied int
	own     map[string]*subjectState
	// idents holds, for an id space whose identity trie was empty when
	// this bulk builder first registered an identity there (a replay from
	// the start), the identity to id map in a Go map instead: one lookup
	// per record rather than a walk down a trie of random (MD5) hashes.
	// flush builds the trie from it in one pass. While a space is here its
	// byIdentity is empty and only the identity helpers below touch it.
	idents map[*idSpace]map[Identity]int
	// bulk allows idents: set by a replay's held batches, whose snapshot
	// nobody reads before snapshot() (a write group's speculation reads
	// its builder's snapshot as it goes, so it never sets it).
	bulk bool
}

// ownAfter is how many records a builder applies before it indexes its
// subjects: a write's builder applies a few and is gone.
const ownAfter = 256

func newBuilder(from *Snapshot, gen uint64) *builder {
	next := *from
	return &builder{gen: gen, sn: &next}
}

// snapshot returns what the builder made. The builder must not be used
// afterwards.
func (b *builder) snapshot() *Snapshot {
	b.flush()
	return b.sn
}

// flush builds the identity tries of the spaces in idents.
func (b *builder) flush() {
	for sp, m := range b.idents {
		es := make([]pslot[Identity, int], 0, len(m))
		for ident, id := range m {
			es = append(es, pslot[Identity, int]{hash: identHash(ident), key: ident, val: id})
		}
		sp.byIdentity = buildPmap(b.gen, es)
	}
	b.idents = nil
}

// identOf returns the id registered for ident in sp.
func (b *builder) identOf(sp *idSpace, ident Identity) (int, bool) {
	if m, ok := b.idents[sp]; ok {
		id, ok := m[ident]
		return id, ok
	}
	return sp.idOf(ident)
}

// claimIdent registers id for ident in sp unless ident has an id there
// already (the first id registered for a schema stays its id).
func (b *builder) claimIdent(sp *idSpace, ident Identity, id int) {
	m, ok := b.idents[sp]
	if !ok && b.bulk && sp.byIdentity.Len() == 0 {
		if b.idents == nil {
			b.idents = map[*idSpace]map[Identity]int{}
		}
		m, ok = map[Identity]int{}, true
		b.idents[sp] = m
	}
	if ok {
		if _, taken := m[ident]; !taken {
			m[ident] = id
		}
		return
	}
	var p *int
	var taken bool
	if sp.byIdentity, p, taken = sp.byIdentity.edit(b.gen, identHash(ident), ident); !taken {
		*p = id
	}
}

// dropIdent removes ident from sp.
func (b *builder) dropIdent(sp *idSpace, ident Identity) {
	if m, ok := b.idents[sp]; ok {
		delete(m, ident)
		return
	}
	sp.byIdentity = sp.byIdentity.del(b.gen, identHash(ident), ident)
}

// spaceOf returns the id space of ctx for writing: created, or copied
// when an earlier snapshot holds it.
func (b *builder) spaceOf(ctx string) *idSpace {
	sp := b.sn.spaces[ctx]
	if sp != nil && sp.gen == b.gen {
		return sp
	}
	if !b.ownSpaces {
		b.sn.spaces = maps.Clone(b.sn.spaces)
		b.ownSpaces = true
	}
	next := &idSpace{gen: b.gen}
	if sp != nil {
		*next = *sp
		next.gen = b.gen
	}
	b.sn.spaces[ctx] = next
	return next
}

// subjectOf returns subject's state for writing (nil when absent and not
// create): a copy when an earlier snapshot holds it.
func (b *builder) subjectOf(subject string, create bool) *subjectState {
	if ss := b.own[subject]; ss != nil {
		return ss
	}
	if b.own == nil && b.applied >= ownAfter {
		b.own = make(map[string]*subjectState)
	}
	h := b.sn.strHash(subject)
	if !create {
		ss, _ := b.sn.subjects.get(h, subject)
		if ss == nil {
			return nil
		}
		if ss.gen == b.gen {
			b.owned(subject, ss)
			return ss
		}
	}
	var p **subjectState
	b.sn.subjects, p, _ = b.sn.subjects.edit(b.gen, h, subject)
	ss := *p
	if ss != nil && ss.gen == b.gen {
		b.owned(subject, ss)
		return ss
	}
	next := &subjectState{gen: b.gen}
	if ss != nil {
		next.versions = make([]versionState, len(ss.versions), len(ss.versions)+1)
		copy(next.versions, ss.versions)
	}
	*p = next
	b.owned(subject, next)
	return next
}

// owned notes a subject of this generation in own, when it is kept.
func (b *builder) owned(subject string, ss *subjectState) {
	if b.own != nil {
		b.own[subject] = ss
	}
}

func (b *builder) dropSubject(subject string) {
	delete(b.own, subject)
	b.sn.subjects = b.sn.subjects.del(b.gen, b.sn.strHash(subject), subject)
}

// apply applies one decoded record; ext applies the records of keytypes
// that are not the registry's own (nil while speculating, see
// Service.write). A record that cannot be applied is counted as skipped
// and its error returned.
func (b *builder) apply(d *Decoded, ext func(Key, []byte, int64) error) error {
	r := d.rec
	b.applied++
	if r.Offset+1 > b.sn.position {
		b.sn.position = r.Offset + 1
	}
	if r.Control {
		return nil
	}
	err := d.err
	if err == nil && d.hasSchema {
		err = b.applySchema(d.key, d.schema, d.identity)
	} else if err == nil {
		err = b.applyOther(d.key, r.Value, r.Offset, ext)
	}
	if err != nil {
		b.sn.skipped++
		return fmt.Errorf("record at offset %d: %w", r.Offset, err)
	}
	return nil
}

func (b *builder) applyOther(k Key, value []byte, offset int64, ext func(Key, []byte, int64) error) error {
	sn := b.sn
	switch k.Type {
	case KeySchema:
		if value == nil {
			b.removeVersion(k.Subject, k.Version)
			return nil
		}
		d := Decode(storage.Record{Offset: offset, Key: k.Encode(), Value: value})
		if d.err != nil {
			return d.err
		}
		return b.applySchema(k, d.schema, d.identity)
	case KeyConfig:
		if value == nil {
			if k.Global {
				sn.global = Config{}
			} else {
				sn.configs = sn.configs.del(b.gen, sn.strHash(k.Subject), k.Subject)
			}
			return nil
		}
		var c Config
		if err := json.Unmarshal(value, &c); err != nil {
			return fmt.Errorf("decode CONFIG value: %w", err)
		}
		if k.Global {
			sn.global = c
		} else {
			sn.configs = sn.configs.set(b.gen, sn.strHash(k.Subject), k.Subject, c)
		}
	case KeyMode:
		if value == nil {
			if k.Global {
				sn.globalMode = ""
			} else {
				sn.modes = sn.modes.del(b.gen, sn.strHash(k.Subject), k.Subject)
			}
			return nil
		}
		var m modeValue
		if err := json.Unmarshal(value, &m); err != nil {
			return fmt.Errorf("decode MODE value: %w", err)
		}
		if k.Global {
			sn.globalMode = m.Mode
		} else {
			sn.modes = sn.modes.set(b.gen, sn.strHash(k.Subject), k.Subject, m.Mode)
		}
	case KeyDeleteSubject:
		if value == nil {
			return nil
		}
		var d deleteSubjectValue
		if err := json.Unmarshal(value, &d); err != nil {
			return fmt.Errorf("decode DELETE_SUBJECT value: %w", err)
		}
		if ss := b.subjectOf(k.Subject, false); ss != nil {
			for i := range ss.versions {
				if ss.versions[i].version <= d.Version {
					ss.versions[i].deleted = true
				}
			}
		}
	case KeyClearSubject:
		if value == nil {
			return nil
		}
		if ss := sn.subject(k.Subject); ss != nil {
			var gone []int
			for _, vs := range ss.versions {
				if vs.deleted {
					gone = append(gone, vs.version)
				}
			}
			for _, v := range gone {
				b.removeVersion(k.Subject, v)
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
		ctx := DefaultContext
		if !k.Global && k.Subject != "" {
			ctx = k.Subject
		}
		sp := b.spaceOf(ctx)
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
		sp := b.spaceOf(ctx)
		if _, live := b.identOf(sp, ident); !live && sp.schema(v.ID) == nil {
			sp.retired = sp.retired.set(b.gen, identHash(ident), ident, v.ID)
		}
		sp.maxID = max(sp.maxID, v.ID)
	case KeyContext:
		b.applyContext(k, value)
	case KeyNoop:
	default:
		if ext != nil {
			return ext(k, value, offset)
		}
		// Unknown keytypes (a newer Confluent's CONTEXT, say) are ignored so
		// that a topic written by another registry still replays.
	}
	return nil
}

// applySchema applies a decoded SCHEMA record.
func (b *builder) applySchema(k Key, v schemaValue, identity Identity) error {
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
	b.putVersion(v, identity)
	return nil
}

func (b *builder) putVersion(v schemaValue, identity Identity) {
	sp := b.spaceOf(contextOf(v.Subject))
	ss := b.subjectOf(v.Subject, true)
	if old := ss.version(v.Version); old != nil {
		if old.id() != v.ID {
			b.release(sp, old.id(), v.Subject, false)
			old.schema = b.retain(sp, v, identity)
		}
		old.deleted = v.Deleted
		if v.Timestamp != 0 {
			old.timestamp = v.Timestamp
		}
		return
	}
	vs := versionState{version: v.Version, deleted: v.Deleted, timestamp: v.Timestamp, schema: b.retain(sp, v, identity)}
	i, _ := slices.BinarySearchFunc(ss.versions, v.Version, func(x versionState, v int) int { return x.version - v })
	ss.versions = slices.Insert(ss.versions, i, vs)
}

// internBytes is the size from which schema texts are interned: a large
// text held under several ids (other metadata, other contexts) is worth
// one copy; for small ones the interning map costs more than it saves.
const internBytes = 4 << 10

func (b *builder) retain(sp *idSpace, v schemaValue, identity Identity) *storedSchema {
	var e *idEntry
	var found bool
	sp.ids, e, found = sp.ids.edit(b.gen, idHash(v.ID), v.ID)
	if !found {
		packed := v.packed
		if packed == "" {
			learnText(v.Schema)
			packed, _ = packText(v.Schema)
		}
		e.sc = newStoredSchema(v.ID, confluent.TypeOrAvro(v.SchemaType), v.Schema, packed, v.References, v.Metadata, v.RuleSet, identity, contextOf(v.Subject))
		b.claimIdent(sp, identity, v.ID)
		if sp.retired.Len() > 0 {
			sp.retired = sp.retired.del(b.gen, identHash(identity), identity)
		}
	}
	e.holders = b.addHolder(e.holders, e.uses, v.Subject)
	e.uses++
	sp.maxID = max(sp.maxID, v.ID)
	return e.sc
}

// release drops one use of id by a version of subject. When a hard delete
// (retire) drops the last, the schema's identity keeps the id for a later
// registration of the same schema; the delete's SCHEMA_ID record says the
// same for after compaction.
func (b *builder) release(sp *idSpace, id int, subject string, retire bool) {
	h := idHash(id)
	e, ok := sp.ids.get(h, id)
	if !ok {
		return
	}
	e.uses--
	if e.uses > 0 {
		e.holders = b.dropHolder(e.holders, subject)
		sp.ids = sp.ids.set(b.gen, h, id, e)
		return
	}
	sp.ids = sp.ids.del(b.gen, h, id)
	ident := e.sc.identity
	if cur, ok := b.identOf(sp, ident); ok && cur == id {
		b.dropIdent(sp, ident)
		if retire {
			sp.retired = sp.retired.set(b.gen, identHash(ident), ident, id)
		}
	}
}

func (b *builder) removeVersion(subject string, version int) {
	ss := b.subjectOf(subject, false)
	if ss == nil {
		return
	}
	i, ok := slices.BinarySearchFunc(ss.versions, version, func(x versionState, v int) int { return x.version - v })
	if !ok {
		return
	}
	id := ss.versions[i].id()
	ss.versions = slices.Delete(ss.versions, i, i+1)
	b.release(b.spaceOf(contextOf(subject)), id, subject, true)
	if len(ss.versions) == 0 {
		b.dropSubject(subject)
	}
}

// addHolder returns hs with one more version of subject holding the id;
// uses is the number of versions holding it before.
func (b *builder) addHolder(hs holderSet, uses int, subject string) holderSet {
	if hs.many == nil {
		switch hs.one {
		case "":
			return holderSet{one: subject}
		case subject:
			return hs
		}
		m := pmap[string, int]{}.set(b.gen, b.sn.strHash(hs.one), hs.one, uses)
		m = m.set(b.gen, b.sn.strHash(subject), subject, 1)
		return holderSet{many: &m}
	}
	h := b.sn.strHash(subject)
	n, _ := hs.many.get(h, subject)
	m := hs.many.set(b.gen, h, subject, n+1)
	return holderSet{many: &m}
}

// dropHolder returns hs with one version of subject fewer holding the id,
// which some other version still holds.
func (b *builder) dropHolder(hs holderSet, subject string) holderSet {
	if hs.many == nil {
		return hs
	}
	h := b.sn.strHash(subject)
	n, ok := hs.many.get(h, subject)
	if !ok {
		return hs
	}
	m := *hs.many
	if n > 1 {
		m = m.set(b.gen, h, subject, n-1)
		return holderSet{many: &m}
	}
	m = m.del(b.gen, h, subject)
	if m.Len() == 1 {
		// One holder left: it holds every use, inline again.
		var one string
		m.each(func(s string, _ int) bool { one = s; return false })
		return holderSet{one: one}
	}
	return holderSet{many: &m}
}

// splitSchemaIDSubject reads a SCHEMA_ID key's subject: a bare guid in the
// default context, ":.ctx:guid" in another.
func splitSchemaIDSubject(s string) (ctx, guid string) {
	q := confluent.ParseSubject(s)
	if q.Context == "*" {
		return DefaultContext, s
	}
	return q.Context, q.Name
}

// schemaIDSubject is the subject of the SCHEMA_ID key for ident in ctx.
func schemaIDSubject(ctx string, ident Identity) string {
	if ctx == DefaultContext {
		return ident.String()
	}
	return ":" + ctx + ":" + ident.String()
}
