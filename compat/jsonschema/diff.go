package jsonschema

import (
	"math/big"
	"strings"

	"github.com/charter-registry/charter/internal/jsontext"
)

// diffState is shared by a comparison and all its sub-comparisons.
type diffState struct {
	compatible kindSet
	steps      int // comparisons left before giving up
	exhausted  bool
	// incompatibleOnly drops compatible findings as they are found (see
	// compat.Options.IncompatibleOnly). Nothing but the final list reads
	// them: a trial comparison is judged by its incompatible findings
	// alone, so dropping the others changes no verdict, and it saves
	// building a path for each of the hundreds of compatible findings a
	// diff of two wide, compatible versions makes.
	incompatibleOnly bool
}

// keeps reports whether a finding of kind is to be recorded.
func (st *diffState) keeps(kind string) bool {
	return !st.incompatibleOnly || !st.compatible[kind]
}

// difference is one finding: Confluent's Difference plus the update node
// it was found at, for a line and column.
type difference struct {
	kind string
	path string
	upd  *node
	attr string // keyword under upd the change is about, if any
	item string // the string in attr's array it is about ("required"), if any
}

// diffCtx is Confluent's diff Context: the path being compared, the
// original schemas being compared further up (so recursive schemas stop),
// and the differences found so far.
type diffCtx struct {
	st    *diffState
	stack []*node
	path  []string
	diffs []difference
	upd   *node
}

func newDiffCtx(st *diffState) *diffCtx { return &diffCtx{st: st} }

// sub starts a context for a trial comparison whose findings the caller
// may keep or drop.
func (c *diffCtx) sub() *diffCtx {
	c.st.steps -= len(c.stack) / 8 // copying the stack is work too
	// The sub context shares the parent's stack and path; capping their
	// capacity at their length makes its first push copy them, so neither
	// context ever writes into the other's elements. Pushes and pops are
	// balanced, so a sub never pops below where it started.
	return &diffCtx{
		st:    c.st,
		stack: c.stack[:len(c.stack):len(c.stack)],
		path:  c.path[:len(c.path):len(c.path)],
		upd:   c.upd,
	}
}

func (c *diffCtx) enterPath(p string) { c.path = append(c.path, p) }
func (c *diffCtx) leavePath()         { c.path = c.path[:len(c.path)-1] }

func (c *diffCtx) pathString(extra string) string {
	var sb strings.Builder
	n := 2 + len(c.path) + len(extra)
	for _, p := range c.path {
		n += len(p)
	}
	sb.Grow(n)
	sb.WriteString("#/")
	for i, p := range c.path {
		if i > 0 {
			sb.WriteByte('/')
		}
		sb.WriteString(p)
	}
	if extra != "" {
		if len(c.path) > 0 {
			sb.WriteByte('/')
		}
		sb.WriteString(extra)
	}
	return sb.String()
}

func (c *diffCtx) add(kind string) {
	if !c.st.keeps(kind) {
		return
	}
	c.diffs = append(c.diffs, difference{kind: kind, path: c.pathString(""), upd: c.upd})
}

func (c *diffCtx) addAt(attr, kind string) {
	if !c.st.keeps(kind) {
		return
	}
	c.diffs = append(c.diffs, difference{kind: kind, path: c.pathString(attr), upd: c.upd, attr: attr})
}

// addRequired records a change to whether property name is required: it
// is located at name's entry in the update's required array, or at the
// array when name is not there.
func (c *diffCtx) addRequired(name, kind string) {
	if !c.st.keeps(kind) {
		return
	}
	c.diffs = append(c.diffs, difference{kind: kind, path: c.pathString(name), upd: c.upd, attr: "required", item: name})
}

func (c *diffCtx) addAll(ds []difference) { c.diffs = append(c.diffs, ds...) }

func (c *diffCtx) isCompatible() bool {
	for _, d := range c.diffs {
		if !c.st.compatible[d.kind] {
			return false
		}
	}
	return true
}

func (c *diffCtx) onStack(n *node) bool {
	for _, s := range c.stack {
		if s == n {
			return true
		}
	}
	return false
}

// deref follows references to the schema they name. A reference that
// leads nowhere (or only to references) accepts anything.
func deref(n *node) *node {
	for hops := 0; n != nil && n.kind == kRef; hops++ {
		if n.target == nil || hops > 64 {
			return &node{kind: kEmpty}
		}
		n = n.target
	}
	return n
}

func isCombined(n *node) bool { return n.kind == kCombined }

// sameSchema reports whether o and u are one schema: the same node, or
// built from JSON texts equal value for value (keys in the same order,
// numbers spelt alike), under the same draft, with no reference inside,
// whose meaning would depend on the documents around them. Comparing such
// a pair finds nothing, so compare skips it: most properties of two
// versions of a schema are unchanged, and a transitive check compares
// each of them once per version. Parts of synthetic allOfs share their
// parent's text and never count as the same.
func sameSchema(o, u *node) bool {
	if o == u {
		return true
	}
	if o.part || u.part || o.raw == nil || u.raw == nil || o.draft != u.draft {
		return false
	}
	return sameValue(o.raw, u.raw)
}

func sameValue(a, b *value) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case jsontext.Object:
		if len(a.Members) != len(b.Members) {
			return false
		}
		for i := range a.Members {
			switch k := a.Members[i].Key; {
			case k != b.Members[i].Key, k == "$ref", k == "$dynamicRef", k == "$recursiveRef":
				return false
			}
			if !sameValue(a.Members[i].Value, b.Members[i].Value) {
				return false
			}
		}
		return true
	case jsontext.Array:
		if len(a.Elems) != len(b.Elems) {
			return false
		}
		for i := range a.Elems {
			if !sameValue(a.Elems[i], b.Elems[i]) {
				return false
			}
		}
		return true
	}
	// Strings, number literals, true and false.
	return a.Str == b.Str
}

// compare is Confluent's SchemaDiff.compare: it records how update differs
// from original at the current path.
func (c *diffCtx) compare(o, u *node) {
	if c.st.exhausted {
		return
	}
	c.st.steps--
	if c.st.steps <= 0 {
		c.st.exhausted = true
		return
	}
	switch {
	case o == nil && u == nil:
		return
	case o == nil:
		c.add(schemaAdded)
		return
	case u == nil:
		c.add(schemaRemoved)
		return
	}
	o, u = deref(o), deref(u)
	if sameSchema(o, u) {
		return
	}
	prevUpd := c.upd
	c.upd = u
	defer func() { c.upd = prevUpd }()

	// A plain schema against a combined one: it may match one branch.
	if !isCombined(o) && isCombined(u) {
		if len(u.subs) == 1 {
			s := c.sub()
			s.compare(o, u.subs[0])
			if s.isCompatible() {
				c.addAll(s.diffs)
				return
			}
		} else if u.criterion == critAny || u.criterion == critOne {
			for _, sub := range u.subs {
				s := c.sub()
				s.compare(o, sub)
				if s.isCompatible() {
					c.addAll(s.diffs)
					c.add(sumTypeExtended)
					return
				}
			}
		}
	} else if isCombined(o) && !isCombined(u) {
		if len(o.subs) == 1 {
			s := c.sub()
			s.compare(o.subs[0], u)
			if s.isCompatible() {
				c.addAll(s.diffs)
				return
			}
		} else if o.criterion == critAll {
			for _, sub := range o.subs {
				s := c.sub()
				s.compare(sub, u)
				if s.isCompatible() {
					c.addAll(s.diffs)
					c.add(productTypeNarrowed)
					return
				}
			}
		}
	}

	if o.kind != u.kind {
		// Anything may replace false, and anything may become "accept
		// anything". Two schemas Kafka Connect marks as bytes are the same
		// to it whatever their JSON shape.
		if o.kind == kFalse || u.isEmpty() {
			return
		}
		if o.connectType == "bytes" && u.connectType == "bytes" {
			return
		}
		c.add(typeChanged)
		return
	}

	if c.onStack(o) {
		return
	}
	c.stack = append(c.stack, o)
	defer func() { c.stack = c.stack[:len(c.stack)-1] }()

	if !equalStrings(o.id, u.id) {
		c.add(idChanged)
	}
	if !equalStrings(o.title, u.title) {
		c.add(titleChanged)
	}
	if !equalStrings(o.description, u.description) {
		c.add(descriptionChanged)
	}
	if !equalValues(o.def, u.def) {
		c.add(defaultChanged)
	}

	switch o.kind {
	case kString:
		c.compareString(o, u)
	case kNumber:
		c.compareNumber(o, u)
	case kConst:
		if !equalValues(o.values[0], u.values[0]) {
			c.addAt("const", enumArrayChanged)
		}
	case kEnum:
		c.compareEnum(o, u)
	case kCombined:
		c.compareCombined(o, u)
	case kNot:
		c.compareNot(o, u)
	case kObject:
		c.compareObject(o, u)
	case kArray:
		c.compareArray(o, u)
	}
}

func equalStrings(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// equalValues compares JSON values by content; numbers compare by value.
func equalValues(a, b *value) bool {
	if a == nil || b == nil {
		return a == b
	}
	return valueKey(a) == valueKey(b)
}

// valueKey is a canonical text of v: sorted keys, numbers in lowest terms.
func valueKey(v *value) string {
	var sb strings.Builder
	writeKey(&sb, v)
	return sb.String()
}

func writeKey(sb *strings.Builder, v *value) {
	switch v.Kind {
	case jsontext.Number:
		if r := ratOf(v); r != nil {
			sb.WriteString(r.RatString())
		} else {
			sb.WriteString(v.Str)
		}
	case jsontext.Array:
		sb.WriteByte('[')
		for i, el := range v.Elems {
			if i > 0 {
				sb.WriteByte(',')
			}
			writeKey(sb, el)
		}
		sb.WriteByte(']')
	case jsontext.Object:
		sb.WriteByte('{')
		for i, m := range sortedMembers(v.Members) {
			if i > 0 {
				sb.WriteByte(',')
			}
			writeString(sb, m.Key)
			sb.WriteByte(':')
			writeKey(sb, m.Value)
		}
		sb.WriteByte('}')
	default:
		compact(sb, v, true)
	}
}

// compareBound records how a numeric keyword changed: added, removed,
// increased or decreased.
func (c *diffCtx) compareBound(attr string, o, u *big.Rat, added, removed, increased, decreased string) {
	switch {
	case o == nil && u == nil:
	case o == nil:
		c.addAt(attr, added)
	case u == nil:
		c.addAt(attr, removed)
	default:
		switch o.Cmp(u) {
		case -1:
			c.addAt(attr, increased)
		case 1:
			c.addAt(attr, decreased)
		}
	}
}

func (c *diffCtx) compareString(o, u *node) {
	c.compareBound("maxLength", o.maxLength, u.maxLength, maxLengthAdded, maxLengthRemoved, maxLengthIncreased, maxLengthDecreased)
	c.compareBound("minLength", o.minLength, u.minLength, minLengthAdded, minLengthRemoved, minLengthIncreased, minLengthDecreased)
	switch {
	case o.pattern == nil && u.pattern != nil:
		c.addAt("pattern", patternAdded)
	case o.pattern != nil && u.pattern == nil:
		c.addAt("pattern", patternRemoved)
	case o.pattern != nil && *o.pattern != *u.pattern:
		c.addAt("pattern", patternChanged)
	}
}

func (c *diffCtx) compareNumber(o, u *node) {
	c.compareBound("maximum", o.maximum, u.maximum, maximumAdded, maximumRemoved, maximumIncreased, maximumDecreased)
	c.compareBound("minimum", o.minimum, u.minimum, minimumAdded, minimumRemoved, minimumIncreased, minimumDecreased)
	c.compareBound("exclusiveMaximum", o.exclMaximum, u.exclMaximum, exclusiveMaximumAdded, exclusiveMaximumRemoved, exclusiveMaximumIncreased, exclusiveMaximumDecreased)
	c.compareBound("exclusiveMinimum", o.exclMinimum, u.exclMinimum, exclusiveMinimumAdded, exclusiveMinimumRemoved, exclusiveMinimumIncreased, exclusiveMinimumDecreased)
	switch om, um := o.multipleOf, u.multipleOf; {
	case om == nil && um == nil:
	case om == nil:
		c.addAt("multipleOf", multipleOfAdded)
	case um == nil:
		c.addAt("multipleOf", multipleOfRemoved)
	case om.Cmp(um) == 0:
	case isMultiple(um, om):
		c.addAt("multipleOf", multipleOfExpanded)
	case isMultiple(om, um):
		c.addAt("multipleOf", multipleOfReduced)
	default:
		c.addAt("multipleOf", multipleOfChanged)
	}
	if o.requiresInteger != u.requiresInteger {
		if o.requiresInteger {
			c.add(typeExtended)
		} else {
			c.add(typeNarrowed)
		}
	}
}

// isMultiple reports whether a is an integer multiple of b.
func isMultiple(a, b *big.Rat) bool {
	if b.Sign() == 0 {
		return false
	}
	return new(big.Rat).Quo(a, b).IsInt()
}

func (c *diffCtx) compareEnum(o, u *node) {
	os, us := valueSet(o.values), valueSet(u.values)
	if sameSet(os, us) {
		return
	}
	switch {
	case containsAll(us, os):
		c.addAt("enum", enumArrayExtended)
	case containsAll(os, us):
		c.addAt("enum", enumArrayNarrowed)
	default:
		c.addAt("enum", enumArrayChanged)
	}
}

func valueSet(vs []*value) map[string]bool {
	s := make(map[string]bool, len(vs))
	for _, v := range vs {
		s[valueKey(v)] = true
	}
	return s
}

func sameSet(a, b map[string]bool) bool { return len(a) == len(b) && containsAll(a, b) }

func containsAll(a, b map[string]bool) bool {
	for k := range b {
		if !a[k] {
			return false
		}
	}
	return true
}

// compareNot compares the negated schemas in reverse: not A accepts less
// than not B exactly when A accepts more than B.
func (c *diffCtx) compareNot(o, u *node) {
	c.enterPath("not")
	defer c.leavePath()
	s := c.sub()
	s.compare(u.not, o.not)
	if s.isCompatible() {
		c.add(notTypeNarrowed)
	} else {
		c.add(notTypeExtended)
	}
}

// compareCombined is Confluent's CombinedSchemaDiff: compare the criteria,
// the number of distinct subschemas, then pair old and new subschemas by a
// maximum matching over the compatible pairs.
func (c *diffCtx) compareCombined(o, u *node) {
	if c.compareCriteria(o, u) == combinedTypeChanged {
		return
	}
	os, us := distinct(o.subs), distinct(u.subs)
	switch {
	case len(os) < len(us):
		if u.criterion == critAll {
			c.add(productTypeExtended)
		} else {
			c.add(sumTypeExtended)
		}
	case len(os) > len(us):
		if o.criterion == critAny || o.criterion == critOne {
			c.add(sumTypeNarrowed)
		} else {
			c.add(productTypeNarrowed)
		}
	}
	// adj[i] lists the update subschemas os[i] pairs with compatibly, and
	// what each pairing found.
	adj := make([][]edge, len(os))
	for i, osub := range os {
		c.enterPath(o.criterion + "/" + itoa(i))
		for j, usub := range us {
			if c.st.exhausted {
				break
			}
			s := c.sub()
			s.compare(osub, usub)
			if s.isCompatible() {
				adj[i] = append(adj[i], edge{j, s.diffs})
			}
		}
		c.leavePath()
	}
	matched := 0
	for i, k := range maxMatching(adj, len(us)) {
		if k >= 0 {
			c.addAll(adj[i][k].diffs)
			matched++
		}
	}
	if matched < min(len(os), len(us)) {
		c.add(combinedTypeSubschemasChanged)
	}
}

func (c *diffCtx) compareCriteria(o, u *node) string {
	oc, uc := o.criterion, u.criterion
	if oc == uc {
		return ""
	}
	single := func(n *node) bool { return len(n.subs) == 1 }
	kind := combinedTypeChanged
	if uc == critAny ||
		(single(o) && single(u)) ||
		(single(o) && uc == critOne) ||
		(single(u) && oc == critAll) {
		kind = combinedTypeExtended
	}
	c.add(kind)
	return kind
}

// distinct drops subschemas whose JSON text repeats an earlier one.
func distinct(subs []*node) []*node {
	out := make([]*node, 0, len(subs))
	seen := make(map[string]bool, len(subs))
	for _, s := range subs {
		if s.canonical != "" {
			if seen[s.canonical] {
				continue
			}
			seen[s.canonical] = true
		}
		out = append(out, s)
	}
	return out
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	var b [20]byte
	n := len(b)
	for i > 0 {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
	}
	return string(b[n:])
}
