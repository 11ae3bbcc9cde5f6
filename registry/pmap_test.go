package registry

import (
	"maps"
	"math/rand/v2"
	"testing"
)

// TestPmapMatchesAMap drives a pmap and a Go map with the same random sets
// (set, or edit and a write through its pointer) and deletes, across generations, with narrow hashes so that collision
// nodes and deep paths are exercised, and checks that every earlier
// version of the pmap still holds what it held when it was taken.
func TestPmapMatchesAMap(t *testing.T) {
	for _, hashBits := range []uint{64, 12, 3} {
		rng := rand.New(rand.NewPCG(1, uint64(hashBits)))
		hash := func(k int) uint64 {
			h := uint64(k) * 0x9e3779b97f4a7c15
			if hashBits < 64 {
				h &= 1<<hashBits - 1
			}
			return h
		}
		var m pmap[int, int]
		want := map[int]int{}
		type version struct {
			m    pmap[int, int]
			want map[int]int
		}
		var versions []version
		for gen := uint64(1); gen <= 60; gen++ {
			for range 50 {
				k := rng.IntN(400)
				if rng.IntN(3) == 0 {
					m = m.del(gen, hash(k), k)
					delete(want, k)
				} else if v := rng.Int(); rng.IntN(2) == 0 {
					m = m.set(gen, hash(k), k, v)
					want[k] = v
				} else {
					var p *int
					var found bool
					m, p, found = m.edit(gen, hash(k), k)
					if w, ok := want[k]; found != ok || *p != w {
						t.Fatalf("hash bits %d: edit(%d) found %v holding %d; want %v holding %d", hashBits, k, found, *p, ok, w)
					}
					*p = v
					want[k] = v
				}
			}
			cp := make(map[int]int, len(want))
			for k, v := range want {
				cp[k] = v
			}
			versions = append(versions, version{m, cp})
		}
		for vi, v := range versions {
			if v.m.Len() != len(v.want) {
				t.Fatalf("hash bits %d, version %d: Len %d, want %d", hashBits, vi, v.m.Len(), len(v.want))
			}
			for k := range 400 {
				got, ok := v.m.get(hash(k), k)
				w, wok := v.want[k]
				if ok != wok || got != w {
					t.Fatalf("hash bits %d, version %d: get(%d) = %d, %v; want %d, %v", hashBits, vi, k, got, ok, w, wok)
				}
			}
			seen := 0
			v.m.each(func(k, val int) bool {
				seen++
				if v.want[k] != val {
					t.Fatalf("hash bits %d, version %d: each gave %d=%d, want %d", hashBits, vi, k, val, v.want[k])
				}
				return true
			})
			if seen != len(v.want) {
				t.Fatalf("hash bits %d, version %d: each saw %d entries, want %d", hashBits, vi, seen, len(v.want))
			}
		}
	}
}

// TestBuildPmapMatchesSets builds pmaps in one pass (buildPmap) from
// random entries, narrow hashes included, checks that each holds exactly
// its entries, and then changes it in a later generation to check that
// it is a trie like any other and that the built version stays as it was.
func TestBuildPmapMatchesSets(t *testing.T) {
	for _, hashBits := range []uint{64, 12, 3} {
		for _, n := range []int{0, 1, 2, 31, 33, 1000, 5000} {
			rng := rand.New(rand.NewPCG(uint64(n), uint64(hashBits)))
			hash := func(k int) uint64 {
				h := uint64(k) * 0x9e3779b97f4a7c15
				if hashBits < 64 {
					h &= 1<<hashBits - 1
				}
				return h
			}
			want := map[int]int{}
			for len(want) < n {
				want[rng.IntN(10*n+10)] = rng.Int()
			}
			var es []pslot[int, int]
			for k, v := range want {
				es = append(es, pslot[int, int]{hash: hash(k), key: k, val: v})
			}
			built := buildPmap(1, es)
			check := func(m pmap[int, int], want map[int]int, what string) {
				t.Helper()
				if m.Len() != len(want) {
					t.Fatalf("hash bits %d, %d entries, %s: Len %d, want %d", hashBits, n, what, m.Len(), len(want))
				}
				for k := range 10*n + 10 {
					got, ok := m.get(hash(k), k)
					if w, wok := want[k]; ok != wok || got != w {
						t.Fatalf("hash bits %d, %d entries, %s: get(%d) = %d, %v; want %d, %v", hashBits, n, what, k, got, ok, w, wok)
					}
				}
				seen := 0
				m.each(func(k, v int) bool { seen++; return want[k] == v })
				if seen != len(want) {
					t.Fatalf("hash bits %d, %d entries, %s: each saw %d, want %d", hashBits, n, what, seen, len(want))
				}
			}
			check(built, want, "built")
			later := maps.Clone(want)
			m := built
			for range 200 {
				k := rng.IntN(10*n + 10)
				if rng.IntN(2) == 0 {
					m = m.del(2, hash(k), k)
					delete(later, k)
				} else {
					m = m.set(2, hash(k), k, -k)
					later[k] = -k
				}
			}
			check(m, later, "changed later")
			check(built, want, "built, after the later changes")
		}
	}
}
