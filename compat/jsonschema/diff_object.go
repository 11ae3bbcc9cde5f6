package jsonschema

import "slices"

// compareObject is Confluent's ObjectSchemaDiff, extended with
// unevaluatedProperties for 2019-09 and later.
func (c *diffCtx) compareObject(o, u *node) {
	c.compareRequired(o, u)
	c.compareProperties(o, u)
	c.compareDependencies(o, u)
	c.compareAdditionalProperties(o, u)
	c.compareUnevaluatedProperties(o, u)
	c.compareBound("maxProperties", o.maxProps, u.maxProps, maxPropertiesAdded, maxPropertiesRemoved, maxPropertiesIncreased, maxPropertiesDecreased)
	c.compareBound("minProperties", o.minProps, u.minProps, minPropertiesAdded, minPropertiesRemoved, minPropertiesIncreased, minPropertiesDecreased)
}

// compareRequired looks at properties both schemas declare; properties
// added or removed are judged in compareProperties.
func (c *diffCtx) compareRequired(o, u *node) {
	if slices.Equal(o.required, u.required) {
		// Every property is required in both or in neither.
		return
	}
	c.enterPath("required")
	defer c.leavePath()
	for i, p := range o.props {
		us, ok := propAt(u, i, p.name)
		if !ok {
			continue
		}
		was, is := o.isRequired(p.name), u.isRequired(p.name)
		switch {
		case was && !is:
			c.addRequired(p.name, requiredAttributeRemoved)
		case !was && is:
			if us.def != nil {
				c.addRequired(p.name, requiredAttributeWithDefaultAdded)
			} else {
				c.addRequired(p.name, requiredAttributeAdded)
			}
		}
	}
}

func (c *diffCtx) compareProperties(o, u *node) {
	c.enterPath("properties")
	defer c.leavePath()
	for i, p := range o.props {
		c.enterPath(p.name)
		if us, ok := propAt(u, i, p.name); ok {
			c.compare(p.schema, us)
		} else {
			c.propertyRemoved(p.name, p.schema, u)
		}
		c.leavePath()
	}
	for i, p := range u.props {
		if _, ok := propAt(o, i, p.name); ok {
			continue
		}
		c.enterPath(p.name)
		c.propertyAdded(p.name, p.schema, o, u)
		c.leavePath()
	}
}

// propAt finds n's property name, trying the i-th property first: versions
// of a schema mostly keep their properties in order, and the position
// saves hashing the name.
func propAt(n *node, i int, name string) (*node, bool) {
	if i < len(n.props) && n.props[i].name == name {
		return n.props[i].schema, true
	}
	s, ok := n.propIndex[name]
	return s, ok
}

// propertyRemoved judges a property the update no longer declares by the
// update's content model: old data may still carry it.
func (c *diffCtx) propertyRemoved(name string, os, u *node) {
	if isOpenObject(u) {
		c.add(propertyRemovedFromOpen)
		return
	}
	if ps := partialObjectSchema(u, name); ps != nil {
		s := c.sub()
		s.compare(os, ps)
		c.addAll(s.diffs)
		if s.isCompatible() {
			c.add(propertyRemovedCovered)
		} else {
			c.add(propertyRemovedNotCovered)
		}
		return
	}
	if deref(os).kind == kFalse {
		c.add(propertyWithFalseRemovedFromClosed)
	} else {
		c.add(propertyRemovedFromClosed)
	}
}

// propertyAdded judges a property only the update declares by the
// original's content model: old data may already carry it.
func (c *diffCtx) propertyAdded(name string, us, o, u *node) {
	required := u.isRequired(name)
	if isOpenObject(o) {
		switch {
		case deref(us).isEmpty():
			c.add(propertyWithEmptySchemaAddedToOpen)
		case required && us.def != nil:
			c.add(requiredPropertyWithDefaultToOpen)
		case required:
			c.add(requiredPropertyAddedToOpen)
		default:
			c.add(optionalPropertyAddedToOpen)
		}
		return
	}
	if ps := partialObjectSchema(o, name); ps != nil {
		s := c.sub()
		s.compare(ps, us)
		c.addAll(s.diffs)
		if s.isCompatible() {
			c.add(propertyAddedCovered)
		} else {
			c.add(propertyAddedNotCovered)
		}
	}
	switch {
	case required && us.def != nil:
		c.add(requiredPropertyWithDefaultUnopen)
	case required:
		c.add(requiredPropertyAddedToUnopen)
	default:
		c.add(optionalPropertyAddedToUnopen)
	}
}

// isOpenObject: any property may appear with any value.
func isOpenObject(n *node) bool {
	if n.noAdditionalProps || n.additionalProps != nil || len(n.patternProps) > 0 {
		return false
	}
	return n.unevalProps == nil || n.unevalProps.isEmpty()
}

// partialObjectSchema is the schema an undeclared property named name must
// match: a matching patternProperties schema, else additionalProperties,
// else (when additionalProperties is absent) unevaluatedProperties. Nil
// for a closed content model.
func partialObjectSchema(n *node, name string) *node {
	for _, pp := range n.patternProps {
		if pp.re != nil && pp.re.MatchString(name) {
			return pp.schema
		}
	}
	if n.additionalProps != nil {
		return n.additionalProps
	}
	if !n.noAdditionalProps && n.unevalProps != nil {
		if k := n.unevalProps.kind; k != kFalse && k != kEmpty && k != kTrue {
			return n.unevalProps
		}
	}
	return nil
}

func (c *diffCtx) compareDependencies(o, u *node) {
	c.enterPath("dependencies")
	defer c.leavePath()
	find := func(ds []propDep, name string) []string {
		for _, d := range ds {
			if d.name == name {
				return d.requires
			}
		}
		return nil
	}
	for _, name := range unionNames(propDepNames(o.propDeps), propDepNames(u.propDeps)) {
		od, ud := find(o.propDeps, name), find(u.propDeps, name)
		switch {
		case ud == nil:
			c.addAt(name, dependencyArrayRemoved)
		case od == nil:
			c.addAt(name, dependencyArrayAdded)
		default:
			os, us := stringSet(od), stringSet(ud)
			switch {
			case sameSet(os, us):
			case containsAll(us, os):
				c.addAt(name, dependencyArrayExtended)
			case containsAll(os, us):
				c.addAt(name, dependencyArrayNarrowed)
			default:
				c.addAt(name, dependencyArrayChanged)
			}
		}
	}
	findSchema := func(ds []schemaDep, name string) *node {
		for _, d := range ds {
			if d.name == name {
				return d.schema
			}
		}
		return nil
	}
	for _, name := range unionNames(schemaDepNames(o.schemaDeps), schemaDepNames(u.schemaDeps)) {
		os, us := findSchema(o.schemaDeps, name), findSchema(u.schemaDeps, name)
		switch {
		case us == nil:
			c.addAt(name, dependencySchemaRemoved)
		case os == nil:
			c.addAt(name, dependencySchemaAdded)
		default:
			c.enterPath(name)
			c.compare(os, us)
			c.leavePath()
		}
	}
}

func propDepNames(ds []propDep) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.name
	}
	return out
}

func schemaDepNames(ds []schemaDep) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.name
	}
	return out
}

// unionNames lists the names of a, then those of b not in a, once each.
func unionNames(a, b []string) []string {
	seen := make(map[string]bool, len(a)+len(b))
	out := make([]string, 0, len(a)+len(b))
	for _, l := range [][]string{a, b} {
		for _, s := range l {
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	return out
}

func stringSet(l []string) map[string]bool {
	s := make(map[string]bool, len(l))
	for _, x := range l {
		s[x] = true
	}
	return s
}

func (c *diffCtx) compareAdditionalProperties(o, u *node) {
	c.enterPath("additionalProperties")
	defer c.leavePath()
	switch {
	case o.noAdditionalProps != u.noAdditionalProps:
		if u.noAdditionalProps {
			c.add(additionalPropertiesRemoved)
		} else {
			c.add(additionalPropertiesAdded)
		}
	case o.additionalProps == nil && u.additionalProps != nil:
		c.add(additionalPropertiesNarrowed)
	case o.additionalProps != nil && u.additionalProps == nil:
		c.add(additionalPropertiesExtended)
	default:
		c.compare(o.additionalProps, u.additionalProps)
	}
}

func (c *diffCtx) compareUnevaluatedProperties(o, u *node) {
	c.compareUnevaluated("unevaluatedProperties", o.unevalProps, u.unevalProps,
		unevaluatedPropertiesAdded, unevaluatedPropertiesRemoved,
		unevaluatedPropertiesExtended, unevaluatedPropertiesNarrowed)
}

// compareUnevaluated compares unevaluatedProperties or unevaluatedItems:
// absent and true accept anything, false accepts nothing, a schema is in
// between.
func (c *diffCtx) compareUnevaluated(attr string, o, u *node, added, removed, extended, narrowed string) {
	if o == nil && u == nil {
		return
	}
	c.enterPath(attr)
	defer c.leavePath()
	isFalse := func(n *node) bool { return n.kind == kFalse }
	switch {
	case o == nil:
		if isFalse(u) {
			c.add(removed)
		} else {
			c.add(narrowed)
		}
	case u == nil:
		if isFalse(o) {
			c.add(added)
		} else {
			c.add(extended)
		}
	case isFalse(o) && !isFalse(u):
		c.add(added)
	case !isFalse(o) && isFalse(u):
		c.add(removed)
	case o.isEmpty() && !u.isEmpty():
		c.add(narrowed)
	case !o.isEmpty() && u.isEmpty():
		c.add(extended)
	default:
		c.compare(o, u)
	}
}
