package jsonschema

// edge is a compatible pairing of an original subschema with update
// subschema j, and what the pairing found.
type edge struct {
	j     int
	diffs []difference
}

// maxMatching pairs left vertices i with right vertices (0 <= j < nRight)
// along adj[i] so that as many as possible are paired, and returns the
// index into adj[i] of every left vertex's edge (-1 when unpaired).
// Candidates are tried in order, so the answer is deterministic. Combined
// schemas have few subschemas, so simple augmenting paths are enough.
func maxMatching(adj [][]edge, nRight int) []int {
	left := make([]int, len(adj)) // index into adj[i]
	right := make([]int, nRight)  // left vertex matched to j
	for i := range left {
		left[i] = -1
	}
	for j := range right {
		right[j] = -1
	}
	seen := make([]bool, nRight)
	var augment func(i int) bool
	augment = func(i int) bool {
		for k, e := range adj[i] {
			if seen[e.j] {
				continue
			}
			seen[e.j] = true
			if right[e.j] < 0 || augment(right[e.j]) {
				left[i], right[e.j] = k, i
				return true
			}
		}
		return false
	}
	for i := range adj {
		if len(adj[i]) == 0 {
			continue
		}
		clear(seen)
		augment(i)
	}
	return left
}
