package registry

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"sort"
)

// Identity is the MD5 digest that names a schema's content: its text, its
// references, its metadata and its rule set, in Confluent's layout. Two
// registrations with the same identity get the same id. Formatted as a UUID
// it is the schema's guid.
type Identity [16]byte

// String formats the identity as a UUID, the way Confluent prints a guid.
func (id Identity) String() string {
	var b [36]byte
	hex.Encode(b[0:8], id[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], id[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], id[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], id[8:10])
	b[23] = '-'
	hex.Encode(b[24:], id[10:])
	return string(b[:])
}

// ParseIdentity reads an identity formatted by String.
func ParseIdentity(guid string) (Identity, bool) {
	var id Identity
	if len(guid) != 36 || guid[8] != '-' || guid[13] != '-' || guid[18] != '-' || guid[23] != '-' {
		return id, false
	}
	h := guid[0:8] + guid[9:13] + guid[14:18] + guid[19:23] + guid[24:]
	if n, err := hex.Decode(id[:], []byte(h)); err != nil || n != len(id) {
		return id, false
	}
	return id, true
}

// ComputeIdentity hashes a schema text with its references, metadata and
// rule set. Nil metadata or rule set contribute nothing; empty strings count
// as absent.
func ComputeIdentity(text string, refs []Reference, md *Metadata, rs *RuleSet) Identity {
	h := md5.New()
	h.Write([]byte(text))
	var v [4]byte
	for _, r := range refs {
		h.Write([]byte(r.Name))
		h.Write([]byte(r.Subject))
		binary.BigEndian.PutUint32(v[:], uint32(r.Version))
		h.Write(v[:])
	}
	if md != nil {
		h.Write([]byte{1})
		for _, k := range sortedKeys(md.Tags) {
			h.Write([]byte(k))
			for _, t := range sortedCopy(md.Tags[k]) {
				h.Write([]byte(t))
			}
		}
		writeSortedMap(h, md.Properties)
		for _, s := range sortedCopy(md.Sensitive) {
			h.Write([]byte(s))
		}
	}
	if rs != nil {
		h.Write([]byte{1})
		for _, group := range [][]Rule{rs.MigrationRules, rs.DomainRules, rs.EncodingRules} {
			for _, r := range group {
				writeRule(h, r)
			}
		}
		if rs.EnableAt != nil {
			var t [8]byte
			binary.BigEndian.PutUint64(t[:], uint64(*rs.EnableAt))
			h.Write(t[:])
		}
	}
	var id Identity
	copy(id[:], h.Sum(nil))
	return id
}

func writeRule(h hash.Hash, r Rule) {
	for _, s := range []string{r.Name, r.Doc, r.Kind, r.Mode, r.Type} {
		h.Write([]byte(s))
	}
	for _, t := range sortedCopy(r.Tags) {
		h.Write([]byte(t))
	}
	writeSortedMap(h, r.Params)
	for _, s := range []string{r.Expr, r.OnSuccess, r.OnFailure} {
		h.Write([]byte(s))
	}
	if r.Disabled {
		h.Write([]byte{1})
	}
}

func writeSortedMap(h hash.Hash, m map[string]string) {
	for _, k := range sortedKeys(m) {
		h.Write([]byte(k))
		h.Write([]byte(m[k]))
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sortedCopy(s []string) []string {
	c := append([]string(nil), s...)
	sort.Strings(c)
	return c
}
