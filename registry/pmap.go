package registry

import (
	"math/bits"
	"slices"
)

// pmap is a persistent hash map (a hash array mapped trie): setting or
// deleting a key returns a new map that shares every node off the changed
// path with the old one, which stays as it was. That is what lets State
// publish a new Snapshot per applied batch without copying the registry:
// a change costs a path of at most 13 small nodes, never a copy of the map.
//
// Nodes carry the generation of the batch that created them. Within one
// batch (one gen) a node created by that batch is changed in place, since
// no published snapshot can reach it yet; a replay therefore copies each
// node at most once per batch, not once per record.
//
// The caller supplies the key's 64-bit hash. Keys whose hashes are equal
// in all 64 bits share a collision node and are compared by key.
type pmap[K comparable, V any] struct {
	root *pnode[K, V]
	n    int
}

type pnode[K comparable, V any] struct {
	gen uint64
	// datamap has bit i set when hash chunk i holds an entry here, nodemap
	// when it holds a sub-trie; entries and nodes hold them in chunk
	// order. Keeping sub-tries as bare pointers makes an inner node (most
	// of a path, and what every change copies) 8 bytes a slot instead of
	// an entry's size. A collision node (below the last chunk) has no maps
	// and lists its entries.
	datamap, nodemap uint32
	entries          []pslot[K, V]
	nodes            []*pnode[K, V]
}

// pslot is an entry: a key, its hash and its value.
type pslot[K comparable, V any] struct {
	hash uint64
	key  K
	val  V
}

const (
	pmapBits = 5
	pmapMask = 1<<pmapBits - 1
)

// Len returns the number of entries.
func (m pmap[K, V]) Len() int { return m.n }

func (m pmap[K, V]) get(h uint64, k K) (V, bool) {
	n := m.root
	for shift := uint(0); n != nil; shift += pmapBits {
		if shift >= 64 {
			for i := range n.entries {
				if n.entries[i].key == k {
					return n.entries[i].val, true
				}
			}
			break
		}
		bit := uint32(1) << ((h >> shift) & pmapMask)
		if n.nodemap&bit != 0 {
			n = n.nodes[bits.OnesCount32(n.nodemap&(bit-1))]
			continue
		}
		if n.datamap&bit != 0 {
			if e := &n.entries[bits.OnesCount32(n.datamap&(bit-1))]; e.hash == h && e.key == k {
				return e.val, true
			}
		}
		break
	}
	var zero V
	return zero, false
}

// set returns m with k set to v; nodes of generation gen are changed in
// place.
func (m pmap[K, V]) set(gen, h uint64, k K, v V) pmap[K, V] {
	root, added := m.root.set(gen, 0, h, k, v)
	m.root = root
	if added {
		m.n++
	}
	return m
}

// edit returns m with k present and a pointer to k's value in a node of
// generation gen, which the caller may write through until m next
// changes; found reports whether k was there before (else the value is
// V's zero value). It is a get and a set in one walk down the trie.
func (m pmap[K, V]) edit(gen, h uint64, k K) (pmap[K, V], *V, bool) {
	root, p, found := m.root.edit(gen, 0, h, k)
	m.root = root
	if !found {
		m.n++
	}
	return m, p, found
}

// del returns m without k.
func (m pmap[K, V]) del(gen, h uint64, k K) pmap[K, V] {
	root, removed := m.root.del(gen, 0, h, k)
	if removed {
		m.root = root
		m.n--
	}
	return m
}

// each calls fn for every entry, in no particular order, until fn returns
// false.
func (m pmap[K, V]) each(fn func(K, V) bool) {
	m.root.each(fn)
}

func (n *pnode[K, V]) each(fn func(K, V) bool) bool {
	if n == nil {
		return true
	}
	for i := range n.entries {
		if !fn(n.entries[i].key, n.entries[i].val) {
			return false
		}
	}
	for _, c := range n.nodes {
		if !c.each(fn) {
			return false
		}
	}
	return true
}

// editable returns n itself when gen created it, else a copy of gen with
// room for one more entry and one more sub-trie.
func (n *pnode[K, V]) editable(gen uint64) *pnode[K, V] {
	if n.gen == gen {
		return n
	}
	c := &pnode[K, V]{gen: gen, datamap: n.datamap, nodemap: n.nodemap}
	if len(n.entries) > 0 {
		c.entries = make([]pslot[K, V], len(n.entries), len(n.entries)+1)
		copy(c.entries, n.entries)
	}
	if len(n.nodes) > 0 {
		c.nodes = make([]*pnode[K, V], len(n.nodes), len(n.nodes)+1)
		copy(c.nodes, n.nodes)
	}
	return c
}

// addEntry inserts e for chunk bit into an editable n.
func (n *pnode[K, V]) addEntry(bit uint32, e pslot[K, V]) int {
	i := bits.OnesCount32(n.datamap & (bit - 1))
	n.entries = slices.Insert(n.entries, i, e)
	n.datamap |= bit
	return i
}

// pushDown replaces, in an editable n, the entry of chunk bit by the
// sub-trie child.
func (n *pnode[K, V]) pushDown(bit uint32, child *pnode[K, V]) {
	i := bits.OnesCount32(n.datamap & (bit - 1))
	n.entries = slices.Delete(n.entries, i, i+1)
	n.datamap &^= bit
	j := bits.OnesCount32(n.nodemap & (bit - 1))
	n.nodes = slices.Insert(n.nodes, j, child)
	n.nodemap |= bit
}

func (n *pnode[K, V]) set(gen uint64, shift uint, h uint64, k K, v V) (*pnode[K, V], bool) {
	if n == nil {
		n = &pnode[K, V]{gen: gen}
	}
	if shift >= 64 {
		for i := range n.entries {
			if n.entries[i].key == k {
				n = n.editable(gen)
				n.entries[i].val = v
				return n, false
			}
		}
		n = n.editable(gen)
		n.entries = append(n.entries, pslot[K, V]{hash: h, key: k, val: v})
		return n, true
	}
	bit := uint32(1) << ((h >> shift) & pmapMask)
	if n.nodemap&bit != 0 {
		j := bits.OnesCount32(n.nodemap & (bit - 1))
		child, added := n.nodes[j].set(gen, shift+pmapBits, h, k, v)
		if child != n.nodes[j] {
			n = n.editable(gen)
			n.nodes[j] = child
		}
		return n, added
	}
	if n.datamap&bit == 0 {
		n = n.editable(gen)
		n.addEntry(bit, pslot[K, V]{hash: h, key: k, val: v})
		return n, true
	}
	i := bits.OnesCount32(n.datamap & (bit - 1))
	e := n.entries[i]
	if e.hash == h && e.key == k {
		n = n.editable(gen)
		n.entries[i].val = v
		return n, false
	}
	// Two entries share this chunk: push both one level down.
	child, _ := (*pnode[K, V])(nil).set(gen, shift+pmapBits, e.hash, e.key, e.val)
	child, _ = child.set(gen, shift+pmapBits, h, k, v)
	n = n.editable(gen)
	n.pushDown(bit, child)
	return n, true
}

func (n *pnode[K, V]) edit(gen uint64, shift uint, h uint64, k K) (*pnode[K, V], *V, bool) {
	if n == nil {
		n = &pnode[K, V]{gen: gen}
	}
	if shift >= 64 {
		n = n.editable(gen)
		for i := range n.entries {
			if n.entries[i].key == k {
				return n, &n.entries[i].val, true
			}
		}
		n.entries = append(n.entries, pslot[K, V]{hash: h, key: k})
		return n, &n.entries[len(n.entries)-1].val, false
	}
	bit := uint32(1) << ((h >> shift) & pmapMask)
	if n.nodemap&bit != 0 {
		j := bits.OnesCount32(n.nodemap & (bit - 1))
		child, p, found := n.nodes[j].edit(gen, shift+pmapBits, h, k)
		if child != n.nodes[j] {
			n = n.editable(gen)
			n.nodes[j] = child
		}
		return n, p, found
	}
	if n.datamap&bit == 0 {
		n = n.editable(gen)
		i := n.addEntry(bit, pslot[K, V]{hash: h, key: k})
		return n, &n.entries[i].val, false
	}
	i := bits.OnesCount32(n.datamap & (bit - 1))
	e := n.entries[i]
	if e.hash == h && e.key == k {
		n = n.editable(gen)
		return n, &n.entries[i].val, true
	}
	// Two entries share this chunk: push both one level down.
	child, _ := (*pnode[K, V])(nil).set(gen, shift+pmapBits, e.hash, e.key, e.val)
	child, p, _ := child.edit(gen, shift+pmapBits, h, k)
	n = n.editable(gen)
	n.pushDown(bit, child)
	return n, p, false
}

func (n *pnode[K, V]) del(gen uint64, shift uint, h uint64, k K) (*pnode[K, V], bool) {
	if n == nil {
		return nil, false
	}
	if shift >= 64 {
		for i := range n.entries {
			if n.entries[i].key == k {
				if len(n.entries) == 1 {
					return nil, true
				}
				n = n.editable(gen)
				n.entries = slices.Delete(n.entries, i, i+1)
				return n, true
			}
		}
		return n, false
	}
	bit := uint32(1) << ((h >> shift) & pmapMask)
	if n.nodemap&bit != 0 {
		j := bits.OnesCount32(n.nodemap & (bit - 1))
		child, removed := n.nodes[j].del(gen, shift+pmapBits, h, k)
		if !removed {
			return n, false
		}
		if child == nil {
			if len(n.nodes) == 1 && len(n.entries) == 0 {
				return nil, true
			}
			n = n.editable(gen)
			n.nodes = slices.Delete(n.nodes, j, j+1)
			n.nodemap &^= bit
			return n, true
		}
		if child != n.nodes[j] {
			n = n.editable(gen)
			n.nodes[j] = child
		}
		return n, true
	}
	if n.datamap&bit == 0 {
		return n, false
	}
	i := bits.OnesCount32(n.datamap & (bit - 1))
	if e := &n.entries[i]; e.hash != h || e.key != k {
		return n, false
	}
	if len(n.entries) == 1 && len(n.nodes) == 0 {
		return nil, true
	}
	n = n.editable(gen)
	n.entries = slices.Delete(n.entries, i, i+1)
	n.datamap &^= bit
	return n, true
}

// buildPmap returns a pmap of generation gen holding entries, whose keys
// are distinct and whose hashes are set; it reorders entries. It makes the
// trie set would make from the same entries, in one pass and with every
// node's slots allocated to size: a replay collects what it inserts and
// builds the trie once (builder.flush) instead of walking it per record.
func buildPmap[K comparable, V any](gen uint64, entries []pslot[K, V]) pmap[K, V] {
	if len(entries) == 0 {
		return pmap[K, V]{}
	}
	return pmap[K, V]{root: buildNode(gen, entries, 0), n: len(entries)}
}

// buildNode builds the node at shift for entries whose hashes agree below
// shift: it partitions them in place by their chunk at shift (an American
// flag sort, one pass per level) and builds a slot per chunk present.
func buildNode[K comparable, V any](gen uint64, es []pslot[K, V], shift uint) *pnode[K, V] {
	n := &pnode[K, V]{gen: gen}
	if shift >= 64 {
		n.entries = slices.Clone(es)
		return n
	}
	chunk := func(s *pslot[K, V]) uint32 { return uint32(s.hash>>shift) & pmapMask }
	var count, next [1 << pmapBits]int
	for i := range es {
		count[chunk(&es[i])]++
	}
	sum, single, multi := 0, 0, 0
	for c := range count {
		next[c] = sum
		sum += count[c]
		switch {
		case count[c] == 1:
			n.datamap |= 1 << c
			single++
		case count[c] > 1:
			n.nodemap |= 1 << c
			multi++
		}
	}
	for c, end := 0, 0; c < len(count); c++ {
		end += count[c]
		for next[c] < end {
			x := chunk(&es[next[c]])
			if int(x) == c {
				next[c]++
				continue
			}
			es[next[c]], es[next[x]] = es[next[x]], es[next[c]]
			next[x]++
		}
	}
	if single > 0 {
		n.entries = make([]pslot[K, V], 0, single)
	}
	if multi > 0 {
		n.nodes = make([]*pnode[K, V], 0, multi)
	}
	for c, lo := 0, 0; c < len(count); c++ {
		hi := lo + count[c]
		switch {
		case hi-lo == 1:
			n.entries = append(n.entries, es[lo])
		case hi-lo > 1:
			n.nodes = append(n.nodes, buildNode(gen, es[lo:hi], shift+pmapBits))
		}
		lo = hi
	}
	return n
}
