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
	// bitmap has bit i set when the slot for hash chunk i is present;
	// kids holds the present slots in chunk order. A collision node
	// (below the last chunk) has no bitmap and lists its entries.
	bitmap uint32
	kids   []pslot[K, V]
}

type pslot[K comparable, V any] struct {
	node *pnode[K, V] // a sub-trie, or nil for an entry
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
			for i := range n.kids {
				if n.kids[i].key == k {
					return n.kids[i].val, true
				}
			}
			break
		}
		bit := uint32(1) << ((h >> shift) & pmapMask)
		if n.bitmap&bit == 0 {
			break
		}
		s := &n.kids[bits.OnesCount32(n.bitmap&(bit-1))]
		if s.node != nil {
			n = s.node
			continue
		}
		if s.hash == h && s.key == k {
			return s.val, true
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
	for i := range n.kids {
		s := &n.kids[i]
		if s.node != nil {
			if !s.node.each(fn) {
				return false
			}
		} else if !fn(s.key, s.val) {
			return false
		}
	}
	return true
}

// editable returns n itself when gen created it, else a copy of gen with
// room for one more slot.
func (n *pnode[K, V]) editable(gen uint64) *pnode[K, V] {
	if n.gen == gen {
		return n
	}
	kids := make([]pslot[K, V], len(n.kids), len(n.kids)+1)
	copy(kids, n.kids)
	return &pnode[K, V]{gen: gen, bitmap: n.bitmap, kids: kids}
}

func (n *pnode[K, V]) set(gen uint64, shift uint, h uint64, k K, v V) (*pnode[K, V], bool) {
	if n == nil {
		n = &pnode[K, V]{gen: gen}
	}
	if shift >= 64 {
		for i := range n.kids {
			if n.kids[i].key == k {
				n = n.editable(gen)
				n.kids[i].val = v
				return n, false
			}
		}
		n = n.editable(gen)
		n.kids = append(n.kids, pslot[K, V]{hash: h, key: k, val: v})
		return n, true
	}
	bit := uint32(1) << ((h >> shift) & pmapMask)
	i := bits.OnesCount32(n.bitmap & (bit - 1))
	if n.bitmap&bit == 0 {
		n = n.editable(gen)
		n.kids = append(n.kids, pslot[K, V]{})
		copy(n.kids[i+1:], n.kids[i:])
		n.kids[i] = pslot[K, V]{hash: h, key: k, val: v}
		n.bitmap |= bit
		return n, true
	}
	s := n.kids[i]
	switch {
	case s.node != nil:
		child, added := s.node.set(gen, shift+pmapBits, h, k, v)
		if child != s.node {
			n = n.editable(gen)
			n.kids[i].node = child
		}
		return n, added
	case s.hash == h && s.key == k:
		n = n.editable(gen)
		n.kids[i].val = v
		return n, false
	}
	// Two entries share this chunk: push both one level down.
	child, _ := (*pnode[K, V])(nil).set(gen, shift+pmapBits, s.hash, s.key, s.val)
	child, _ = child.set(gen, shift+pmapBits, h, k, v)
	n = n.editable(gen)
	n.kids[i] = pslot[K, V]{node: child}
	return n, true
}

func (n *pnode[K, V]) edit(gen uint64, shift uint, h uint64, k K) (*pnode[K, V], *V, bool) {
	if n == nil {
		n = &pnode[K, V]{gen: gen}
	}
	if shift >= 64 {
		n = n.editable(gen)
		for i := range n.kids {
			if n.kids[i].key == k {
				return n, &n.kids[i].val, true
			}
		}
		n.kids = append(n.kids, pslot[K, V]{hash: h, key: k})
		return n, &n.kids[len(n.kids)-1].val, false
	}
	bit := uint32(1) << ((h >> shift) & pmapMask)
	i := bits.OnesCount32(n.bitmap & (bit - 1))
	if n.bitmap&bit == 0 {
		n = n.editable(gen)
		n.kids = append(n.kids, pslot[K, V]{})
		copy(n.kids[i+1:], n.kids[i:])
		n.kids[i] = pslot[K, V]{hash: h, key: k}
		n.bitmap |= bit
		return n, &n.kids[i].val, false
	}
	s := n.kids[i]
	switch {
	case s.node != nil:
		child, p, found := s.node.edit(gen, shift+pmapBits, h, k)
		if child != s.node {
			n = n.editable(gen)
			n.kids[i].node = child
		}
		return n, p, found
	case s.hash == h && s.key == k:
		n = n.editable(gen)
		return n, &n.kids[i].val, true
	}
	// Two entries share this chunk: push both one level down.
	child, _ := (*pnode[K, V])(nil).set(gen, shift+pmapBits, s.hash, s.key, s.val)
	child, p, _ := child.edit(gen, shift+pmapBits, h, k)
	n = n.editable(gen)
	n.kids[i] = pslot[K, V]{node: child}
	return n, p, false
}

func (n *pnode[K, V]) del(gen uint64, shift uint, h uint64, k K) (*pnode[K, V], bool) {
	if n == nil {
		return nil, false
	}
	i := -1
	if shift >= 64 {
		for j := range n.kids {
			if n.kids[j].key == k {
				i = j
				break
			}
		}
		if i < 0 {
			return n, false
		}
		return n.without(gen, i, 0), true
	}
	bit := uint32(1) << ((h >> shift) & pmapMask)
	if n.bitmap&bit == 0 {
		return n, false
	}
	i = bits.OnesCount32(n.bitmap & (bit - 1))
	s := n.kids[i]
	if s.node != nil {
		child, removed := s.node.del(gen, shift+pmapBits, h, k)
		if !removed {
			return n, false
		}
		if child == nil {
			return n.without(gen, i, bit), true
		}
		if child != s.node {
			n = n.editable(gen)
			n.kids[i].node = child
		}
		return n, true
	}
	if s.hash != h || s.key != k {
		return n, false
	}
	return n.without(gen, i, bit), true
}

// without returns n with slot i (chunk bit) removed, nil when that leaves
// nothing.
func (n *pnode[K, V]) without(gen uint64, i int, bit uint32) *pnode[K, V] {
	if len(n.kids) == 1 {
		return nil
	}
	n = n.editable(gen)
	copy(n.kids[i:], n.kids[i+1:])
	n.kids[len(n.kids)-1] = pslot[K, V]{}
	n.kids = n.kids[:len(n.kids)-1]
	n.bitmap &^= bit
	return n
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
		n.kids = slices.Clone(es)
		return n
	}
	chunk := func(s *pslot[K, V]) uint32 { return uint32(s.hash>>shift) & pmapMask }
	var count, next [1 << pmapBits]int
	for i := range es {
		count[chunk(&es[i])]++
	}
	sum, present := 0, 0
	for c := range count {
		next[c] = sum
		sum += count[c]
		if count[c] > 0 {
			n.bitmap |= 1 << c
			present++
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
	n.kids = make([]pslot[K, V], 0, present)
	for c, lo := 0, 0; c < len(count); c++ {
		hi := lo + count[c]
		switch {
		case hi-lo == 1:
			n.kids = append(n.kids, es[lo])
		case hi-lo > 1:
			n.kids = append(n.kids, pslot[K, V]{node: buildNode(gen, es[lo:hi], shift+pmapBits)})
		}
		lo = hi
	}
	return n
}
